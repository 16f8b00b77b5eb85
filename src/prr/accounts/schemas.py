"""One representation of a person and of an API token: the REST API's, `prr user list
--json`'s and `prr token list --json`'s."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Self

from django.db.models import QuerySet
from ninja import Field, Schema

from prr.accounts.models import ApiToken, User
from prr.representation import Timestamp


class UserOut(Schema):
    username: str = Field(examples=["dana"])
    name: str = Field(examples=["Dana Reyes"])
    email: str = Field(examples=["dana@example.com"], description="Empty when not known.")
    admin: bool
    bot: bool
    active: bool
    teams: list[str] = Field(description="Slugs of the teams they are a member of now.")

    @classmethod
    def of(cls, user: User, teams: Iterable[str]) -> UserOut:
        return cls(
            username=user.username,
            name=user.name,
            email=user.email,
            admin=user.is_superuser,
            bot=user.is_bot,
            active=user.is_active,
            teams=sorted(teams),
        )

    @classmethod
    def list_of(cls, users: QuerySet[User]) -> list[UserOut]:
        """People with their current teams, read in one more query."""
        from prr.teams.queries import current_memberships

        teams: dict[int, list[str]] = {}
        memberships = current_memberships().filter(user__in=users.values("pk"))
        for user_id, slug in memberships.values_list("user_id", "team__slug"):
            teams.setdefault(user_id, []).append(slug)
        return [cls.of(u, teams.get(u.pk, [])) for u in users]


class TokenOut(Schema):
    id: int
    name: str = Field(examples=["deploy pipeline"])
    user: str
    prefix: str = Field(description="The token's visible start.", examples=["prr_3f9a1c2b7d4e_"])
    created_at: Timestamp
    last_used_at: Timestamp | None
    revoked_at: Timestamp | None

    @classmethod
    def of(cls, token: ApiToken) -> Self:
        return cls(**cls.fields_of(token))

    @staticmethod
    def fields_of(token: ApiToken) -> dict[str, Any]:
        return {
            "id": token.pk,
            "name": token.name,
            "user": token.user.username,
            "prefix": f"prr_{token.prefix}_",
            "created_at": token.created_at,
            "last_used_at": token.last_used_at,
            "revoked_at": token.revoked_at,
        }


class TokenCreatedOut(TokenOut):
    token: str = Field(description="The token itself: shown this once, never again.")

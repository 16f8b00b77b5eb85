from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from prr.accounts.models import User
from prr.teams.models import Membership, Team


def current_memberships() -> QuerySet[Membership]:
    return Membership.objects.filter(removed_at__isnull=True)


def is_current_member(user: User, team: Team) -> bool:
    return current_memberships().filter(user=user, team=team).exists()


def current_team_ids(user: User) -> set[int]:
    return set(current_memberships().filter(user=user).values_list("team_id", flat=True))


def current_member_handles(team: Team) -> list[str]:
    return [
        f"@{username}"
        for username in current_memberships()
        .filter(team=team, user__is_active=True)
        .order_by("user__username")
        .values_list("user__username", flat=True)
    ]


def teams_with_members() -> QuerySet[Team]:
    """All teams, each with `current` = its current memberships and their users (2 queries)."""
    return Team.objects.prefetch_related(
        Prefetch(
            "memberships",
            queryset=current_memberships().select_related("user").order_by("user__username"),
            to_attr="current",
        )
    )


def person_or_team(name: str, *, what: str = "owner") -> User | Team:
    """The person (a username, `@` allowed) or else the team (a slug) called `name`."""
    from prr.accounts.services import get_user
    from prr.errors import NotFound

    try:
        return get_user(name)
    except NotFound:
        team = Team.objects.filter(slug=name.strip().lstrip("@").lower()).first()
    if team is None:
        raise NotFound(f"No user or team '{name}' to be the {what}.")
    return team

"""One representation of a team: the REST API's and `prr team list --json`'s."""

from __future__ import annotations

from ninja import Field, Schema

from prr.teams.models import Team


class DirectoryOut(Schema):
    source: str = Field(examples=["ldap"], description="scim, ldap or oidc.")
    group: str = Field(description="The directory group that keeps the members.")


class TeamOut(Schema):
    slug: str = Field(examples=["sre"])
    name: str = Field(examples=["SRE"])
    members: list[str] = Field(
        description="Usernames of current, active members: those whose approvals count.",
        examples=[["sam"]],
    )
    deactivated_members: list[str] = Field(
        description="Current members whose accounts are deactivated (they cannot approve)."
    )
    directory: DirectoryOut | None = Field(
        description="The directory group that keeps the members, if the team is linked to one."
    )

    @classmethod
    def of(cls, team: Team) -> TeamOut:
        """A team read with `teams_with_members` (else its members cost two more queries)."""
        from prr.teams.queries import teams_with_members

        current = getattr(team, "current", None)
        if current is None:
            team = teams_with_members().get(pk=team.pk)
            current = team.current  # type: ignore[attr-defined]
        return cls(
            slug=team.slug,
            name=team.name,
            members=[m.user.username for m in current if m.user.is_active],
            deactivated_members=[m.user.username for m in current if not m.user.is_active],
            directory=(
                DirectoryOut(source=team.directory_source, group=team.directory_group)
                if team.is_directory_managed
                else None
            ),
        )

"""A SCIM group's members become its team's members, through the directory module."""

from __future__ import annotations

from prr.errors import RuleViolation
from prr.integrations.scim.models import ScimGroup
from prr.teams.directory import GroupChange, apply_group_members

SOURCE = "scim"


def sync_team(group: ScimGroup) -> GroupChange:
    """Make the team's current members the group's active members."""
    team = group.team
    if team.directory_source != SOURCE:
        raise RuleViolation(
            f"Team {team.name} is no longer kept by SCIM group '{group.display_name}' (it was "
            f"unlinked in prr); link it back with `prr team link {team.slug} --group "
            f"'{group.display_name}' --source scim`, or delete and push the group again."
        )
    users = [member.user for member in group.members.select_related("user")]
    return apply_group_members(team, users, source=SOURCE)

"""Teams whose members come from the organisation's directory (SCIM, LDAP, OIDC groups).

A directory-managed team is linked to one external group. Its memberships are changed only by
that directory, through `apply_group_members` (a group's whole membership, as SCIM and LDAP
give it) or `apply_user_groups` (one person's groups, as an OIDC sign-in gives them). Every
join and leave records its source, the group and the time; ended memberships are kept, so
"was @sam a member of SRE at 14:02?" has one answer.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from prr.accounts.models import User
from prr.accounts.services import ensure_admin
from prr.errors import InvalidInput, RuleViolation
from prr.teams.models import Membership, Source, Team
from prr.teams.queries import current_memberships

GROUP_MAX_CHARS = 255
DIRECTORY_SOURCES = [s.value for s in Source if s != Source.MANUAL]


@dataclass
class GroupChange:
    """What a directory update did to a team."""

    team: Team
    joined: list[User] = field(default_factory=list)
    left: list[User] = field(default_factory=list)


def describe_source(team: Team) -> str:
    """`SCIM group 'Engineering-SRE'`."""
    return f"{Source(team.directory_source).label} group '{team.directory_group}'"


def ensure_kept_by_hand(team: Team) -> None:
    """Refuse a hand change to a team whose members the directory keeps."""
    if team.is_directory_managed:
        raise RuleViolation(
            f"Team {team.name} is managed by the directory ({describe_source(team)}); "
            "change its members there."
        )


def link_team(team: Team, *, source: str, group: str, by: User | None = None) -> Team:
    """Let the directory group `group` of `source` keep the team's members from now on.

    The team's current members stay until the directory's next update says otherwise.
    """
    ensure_admin(by, f"link team {team.name} to a directory group")
    if source not in DIRECTORY_SOURCES:
        raise InvalidInput(f"Unknown directory '{source}' (known: {', '.join(DIRECTORY_SOURCES)}).")
    group = group.strip()
    if not group or len(group) > GROUP_MAX_CHARS:
        raise InvalidInput(f"A group id or name is 1 to {GROUP_MAX_CHARS} characters.")
    taken = (
        Team.objects.filter(directory_source=source, directory_group__iexact=group)
        .exclude(pk=team.pk)
        .first()
    )
    if taken is not None:
        raise RuleViolation(
            f"{Source(source).label} group '{group}' already keeps team {taken.name}."
        )
    Team.objects.filter(pk=team.pk).update(directory_source=source, directory_group=group)
    team.directory_source, team.directory_group = source, group
    return team


def unlink_team(team: Team, *, by: User | None = None) -> Team:
    """Keep the team by hand again; its current members stay."""
    ensure_admin(by, f"unlink team {team.name} from its directory group")
    if not team.is_directory_managed:
        raise RuleViolation(f"Team {team.name} is not linked to a directory group.")
    Team.objects.filter(pk=team.pk).update(directory_source="", directory_group="")
    team.directory_source, team.directory_group = "", ""
    return team


def teams_of(source: str, group: str) -> list[Team]:
    return list(Team.objects.filter(directory_source=source, directory_group__iexact=group))


def apply_group_members(team: Team, users: Iterable[User], *, source: str) -> GroupChange:
    """Make the team's current members exactly `users` (the active ones), as `source` says."""
    if team.directory_source != source:
        raise RuleViolation(
            f"Team {team.name} is not kept by {Source(source).label}, so it cannot change it."
        )
    wanted = {user.pk: user for user in users if user.is_active}
    change = GroupChange(team)
    with transaction.atomic():
        current = {
            m.user_id: m
            for m in current_memberships()
            .select_for_update()
            .select_related("user")
            .filter(team=team)
        }
        now = timezone.now()
        for user_id, membership in current.items():
            if user_id not in wanted:
                _end(membership, source, now)
                change.left.append(membership.user)
        for user_id, user in wanted.items():
            if user_id not in current:
                _join(team, user, source)
                change.joined.append(user)
    return change


def apply_user_groups(user: User, groups: Iterable[str], *, source: str) -> list[GroupChange]:
    """One person's groups (an OIDC sign-in's claim): join and leave the teams `source` keeps."""
    names = {g.strip().casefold() for g in groups if g and g.strip()}
    changes = []
    with transaction.atomic():
        teams = Team.objects.select_for_update().filter(directory_source=source)
        member_of = set(
            current_memberships()
            .filter(user=user, team__in=teams)
            .values_list("team_id", flat=True)
        )
        now = timezone.now()
        for team in teams:
            belongs = team.directory_group.casefold() in names and user.is_active
            if belongs and team.pk not in member_of:
                _join(team, user, source)
                changes.append(GroupChange(team, joined=[user]))
            elif not belongs and team.pk in member_of:
                membership = current_memberships().get(team=team, user=user)
                _end(membership, source, now)
                changes.append(GroupChange(team, left=[user]))
    return changes


def end_all_memberships(user: User, *, source: str) -> list[Membership]:
    """A deactivated person leaves every team (their approvals stay on record)."""
    with transaction.atomic():
        ended = list(current_memberships().select_for_update().filter(user=user))
        now = timezone.now()
        for membership in ended:
            _end(membership, source, now)
    return ended


def _join(team: Team, user: User, source: str) -> Membership:
    try:
        with transaction.atomic():
            return Membership.objects.create(
                team=team, user=user, source=source, group=team.directory_group
            )
    except IntegrityError:
        raise RuleViolation(
            f"@{user.username} joined {team.name} at the same moment; try again."
        ) from None


def _end(membership: Membership, source: str, now: datetime) -> None:
    membership.removed_at = now
    membership.removed_by_source = source
    membership.save(update_fields=["removed_at", "removed_by_source"])


def describe_membership(membership: Membership) -> str:
    """`member of team SRE via SCIM group 'Engineering-SRE' since 2026-11-02`."""
    team = membership.team
    since = f"since {membership.added_at:%Y-%m-%d}"
    if membership.source == Source.MANUAL:
        return f"member of team {team.name} (added in prr) {since}"
    via = f"{Source(membership.source).label} group '{membership.group}'"
    return f"member of team {team.name} via {via} {since}"

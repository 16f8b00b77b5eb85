"""The members of each team's LDAP group become the team's members.

Everything is read from the directory first and written to prr after, in one transaction: a
server that goes away half-way, or refuses the bind, changes nothing. A group that is not found
leaves its team as it is (a typo in a link must not empty a team) and is reported.

People are prr users whose username is the entry's PRR_LDAP_USERNAME_ATTRIBUTE in lower case.
One that prr does not have yet is created, named from displayName (else cn) with the entry's
mail, and no password (they sign in through the organisation's single sign-on); an existing
user keeps the name and email prr has. An AD account disabled in userAccountControl is no
member, and is not created.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.db import transaction

from prr.accounts.models import User
from prr.accounts.services import USERNAME_RE, create_user
from prr.errors import PrrError, RuleViolation
from prr.integrations.ldap.client import GroupMembers, GroupNotFound, Person, open_directory
from prr.integrations.ldap.config import LdapSettings
from prr.integrations.ldap.leases import claim_lease, current_lease, release_lease
from prr.teams.directory import GroupChange, apply_group_members
from prr.teams.models import Team
from prr.teams.queries import current_memberships

SOURCE = "ldap"


@dataclass
class TeamSync:
    """What one sync did to one team: its change, or why the team was left unchanged."""

    team: Team
    change: GroupChange | None = None
    problem: str = ""
    members: int = 0
    created: list[User] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


@dataclass
class SyncReport:
    teams: list[TeamSync] = field(default_factory=list)

    @property
    def problems(self) -> list[TeamSync]:
        return [t for t in self.teams if t.problem]

    @property
    def summary(self) -> str:
        joined = sum(len(t.change.joined) for t in self.teams if t.change)
        left = sum(len(t.change.left) for t in self.teams if t.change)
        text = f"{len(self.teams)} teams: {joined} joined, {left} left"
        return text + (f"; {len(self.problems)} left unchanged" if self.problems else "")


def sync_ldap_teams(config: LdapSettings | None = None) -> SyncReport:
    """Read every linked group, then make each team's members exactly the group's people."""
    config = config or LdapSettings.from_django()
    if not config.configured:
        raise RuleViolation(
            "LDAP is not configured: set PRR_LDAP_URL, PRR_LDAP_USER_BASE_DN and "
            "PRR_LDAP_GROUP_BASE_DN (docs/identity.md)."
        )
    teams = list(Team.objects.filter(directory_source=SOURCE).order_by("slug"))
    if not teams:
        return SyncReport()
    read: list[tuple[Team, GroupMembers | str]] = []
    with open_directory(config) as directory:
        directory.check_bases()
        for team in teams:
            try:
                read.append((team, directory.group_members(team.directory_group)))
            except GroupNotFound as exc:
                read.append((team, f"LDAP group '{team.directory_group}' {exc}"))
    report = SyncReport()
    with transaction.atomic():
        for team, found in read:
            report.teams.append(_apply(team, found))
    return report


def _apply(team: Team, found: GroupMembers | str) -> TeamSync:
    # Re-read under a lock: the team may have been unlinked while the directory was read.
    team = Team.objects.select_for_update().get(pk=team.pk)
    if isinstance(found, str):
        return TeamSync(team, problem=f"{found}; team left unchanged", members=_count(team))
    if team.directory_source != SOURCE:
        return TeamSync(team, problem="unlinked from LDAP during the sync; left unchanged")
    result = TeamSync(team, skipped=list(found.skipped))
    users = []
    for person in found.people:
        user = _prr_user(person, result)
        if user is not None:
            users.append(user)
    result.change = apply_group_members(team, users, source=SOURCE)
    result.members = _count(team)
    return result


def _prr_user(person: Person, result: TeamSync) -> User | None:
    if person.disabled:
        return None
    handle = person.username.strip().lower()
    if not USERNAME_RE.match(handle):
        result.skipped.append(f"{person.dn}: '{handle}' is not a valid prr username")
        return None
    user = User.objects.filter(username=handle).first()
    if user is None:
        try:
            user = create_user(handle, display_name=person.display_name, email=person.email)
        except PrrError:
            # Created by a sign-in or SCIM at the same moment: that user is the one.
            user = User.objects.get(username=handle)
        else:
            result.created.append(user)
    if not user.is_active:
        result.skipped.append(f"{person.dn}: @{handle} is deactivated in prr")
    return user


def _count(team: Team) -> int:
    return current_memberships().filter(team=team).count()


def run_sync(holder: str, *, due_after_seconds: int | None = None) -> SyncReport | None:
    """Sync under the lease: None when another host holds it (or, with `due_after_seconds`,
    when the last run, on any host, ended less than that long ago)."""
    due = None if due_after_seconds is None else timedelta(seconds=due_after_seconds)
    if not claim_lease(holder, due_after=due):
        return None
    try:
        report = sync_ldap_teams()
    except PrrError as exc:
        release_lease(holder, outcome=f"failed: {exc}")
        raise
    except BaseException:
        release_lease(holder, outcome="failed unexpectedly")
        raise
    release_lease(holder, outcome=report.summary)
    return report


def sync_now(holder: str) -> SyncReport:
    """Sync at once (the CLI), unless another host is syncing right now."""
    report = run_sync(holder)
    if report is None:
        lease = current_lease()
        who = f" ({lease.holder}, until {lease.expires_at:%H:%M:%S} UTC)" if lease else ""
        raise RuleViolation(f"Another host is syncing with LDAP now{who}; try again after it.")
    return report

"""Teams and their current members."""

from __future__ import annotations

import re

from django.db import IntegrityError, transaction
from django.utils import timezone

from prr.accounts.models import User
from prr.accounts.services import ensure_admin, is_admin
from prr.errors import InvalidInput, NotFound, RuleViolation
from prr.teams.directory import ensure_kept_by_hand
from prr.teams.models import Membership, Source, Team
from prr.teams.queries import current_memberships

SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,49}$")
DEFAULT_TEAMS = {"sre": "SRE", "platform": "Platform", "security": "Security", "product": "Product"}


def get_team(slug: str) -> Team:
    try:
        return Team.objects.get(slug=slug.strip().lower())
    except Team.DoesNotExist:
        known = ", ".join(Team.objects.values_list("slug", flat=True)) or "none yet"
        raise NotFound(f"No team '{slug}' (teams: {known}).") from None


def may_manage_teams(user: User | None) -> bool:
    """Who creates teams and changes their members in prr: admins (`None`: the operator at
    the server's command line, who is trusted). Faces show the forms by it."""
    return is_admin(user)


def create_team(slug: str, *, name: str = "", by: User | None = None) -> Team:
    ensure_admin(by, "create teams")
    slug = slug.strip().lower()
    if not SLUG_RE.match(slug):
        raise InvalidInput(
            f"{slug!r} is not a valid team slug: lowercase letters, digits and '-', "
            "up to 50 characters."
        )
    try:
        with transaction.atomic():
            return Team.objects.create(slug=slug, name=name.strip() or slug.upper())
    except IntegrityError:
        raise RuleViolation(f"A team '{slug}' already exists.") from None


def ensure_default_teams() -> list[Team]:
    """Create the default teams that are missing; returns the ones created."""
    created = []
    for slug, name in DEFAULT_TEAMS.items():
        team, was_created = Team.objects.get_or_create(slug=slug, defaults={"name": name})
        if was_created:
            created.append(team)
    return created


def add_members(team: Team, users: list[User], *, by: User | None = None) -> list[Membership]:
    """Add every user, or none: one who cannot join refuses the whole change."""
    ensure_admin(by, f"add members to team {team.name}")
    ensure_kept_by_hand(team)
    users = list(dict.fromkeys(users))
    with transaction.atomic():
        current = set(current_memberships().filter(team=team).values_list("user_id", flat=True))
        for user in users:
            if not user.is_active:
                raise RuleViolation(f"@{user.username} is deactivated and cannot join a team.")
            if user.pk in current:
                raise RuleViolation(f"@{user.username} is already a member of {team.name}.")
        try:
            return [Membership.objects.create(team=team, user=user) for user in users]
        except IntegrityError:
            raise RuleViolation(
                f"Someone was added to {team.name} at the same moment; try again."
            ) from None


def remove_members(team: Team, users: list[User], *, by: User | None = None) -> list[Membership]:
    """End each membership, or none; approvals given while a member stay valid."""
    ensure_admin(by, f"remove members from team {team.name}")
    ensure_kept_by_hand(team)
    users = list(dict.fromkeys(users))
    with transaction.atomic():
        memberships = {
            m.user_id: m
            for m in current_memberships().select_for_update().filter(team=team, user__in=users)
        }
        for user in users:
            if user.pk not in memberships:
                raise RuleViolation(f"@{user.username} is not a member of {team.name}.")
        now = timezone.now()
        ended = [memberships[user.pk] for user in users]
        for membership in ended:
            membership.removed_at = now
            membership.removed_by_source = Source.MANUAL
        Membership.objects.bulk_update(ended, ["removed_at", "removed_by_source"])
    return ended

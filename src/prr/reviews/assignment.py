"""Assigning a checklist item to the person who works on it.

An item owned by a team is assigned to one of that team's current members (they are the ones
who can complete it); an item of the DRI's to anyone active. Those who may change the item
(its team's members, or the DRI) and admins assign it; the assignee sees it as theirs, is told
in their inbox and gets its reminders. Assigning changes nothing of who may complete the item.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q, QuerySet

from prr.accounts.models import User
from prr.accounts.services import ensure_can_act
from prr.errors import PermissionDenied, RuleViolation
from prr.reviews import events
from prr.reviews.models import Review, ReviewItem, TimelineKind
from prr.reviews.services import (
    ensure_open,
    get_item,
    lock_review,
    may_change_item,
    record,
    who_may_change,
)
from prr.teams.queries import current_memberships, is_current_member


def may_assign(user: User, item: ReviewItem, review: Review, *, owner: bool | None = None) -> bool:
    """Whether `user` may assign `item` now: whoever may change it, on an open review
    (`owner`: `owns_item`, if already known)."""
    return may_change_item(user, item, review, owner=owner)


def assignable_to(item: ReviewItem, review: Review) -> QuerySet[User]:
    """Whom a face offers for `item`: a team item's current members (the only ones it can
    go to); for a DRI item, where anyone active may take it, the people around the review:
    the DRI, the reviewers and the reviewer teams' current members."""
    active = User.objects.filter(is_active=True).order_by("username")
    if item.owner_team_id is not None:
        members = current_memberships().filter(team_id=item.owner_team_id)
        return active.filter(pk__in=members.values("user_id"))
    members = current_memberships().filter(team__in=review.reviewer_teams.all())
    return active.filter(
        Q(pk=review.dri_id)
        | Q(pk__in=review.reviewers.values("pk"))
        | Q(pk__in=members.values("user_id"))
    )


def assign_item(review: Review, key: str, assignee: User | None, *, by: User) -> ReviewItem:
    """Assign the item to `assignee` (None: to nobody)."""
    ensure_can_act(by)
    with transaction.atomic():
        review = lock_review(review)
        ensure_open(review, "assign items")
        item = get_item(review, key)
        if not may_assign(by, item, review):
            raise PermissionDenied(
                f"Only {who_may_change(item, review)} can assign '{item.title}'."
            )
        if assignee is not None:
            if not assignee.is_active:
                raise RuleViolation(f"@{assignee.username} is deactivated and cannot be assigned.")
            team = item.owner_team
            if team is not None and not is_current_member(assignee, team):
                raise RuleViolation(
                    f"'{item.title}' belongs to team {team.name}: assign it to one of its "
                    f"current members, not @{assignee.username}."
                )
        if item.assignee_id == (assignee.pk if assignee else None):
            who = f"@{assignee.username}" if assignee else "nobody"
            raise RuleViolation(f"'{item.title}' is already assigned to {who}.")
        item.assignee = assignee
        item.save(update_fields=["assignee"])
        summary = (
            f"@{by.username} assigned '{item.title}' to @{assignee.username}"
            if assignee
            else f"@{by.username} unassigned '{item.title}'"
        )
        record(
            review,
            TimelineKind.ITEM_ASSIGNED,
            summary,
            actor=by,
            item=item,
            key=item.key,
            assignee=assignee.username if assignee else None,
        )
        events.publish(
            review.pk,
            events.ITEM_ASSIGNED,
            actor=by,
            item=item.key,
            title=item.title,
            assignee=assignee.username if assignee else None,
        )
    return item

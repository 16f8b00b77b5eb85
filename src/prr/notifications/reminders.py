"""Reminders: open items of open reviews that are due (within a day) or overdue.

Once a day at most, each person who owns such items (the assignee; else the members of the
owning team, or the DRI for the DRI's items) gets one reminder in the inbox (and by email, as
they chose) listing them, and each review with such items says so once in its chat channels
(`review.items_due`, which webhooks receive too). An item's reminders can be snoozed until a date.

The job runs in `prr worker` every few minutes under a lease (one worker at a time, whichever
host); who was reminded when is kept in the database in the same transaction as the reminder
itself, so a restart or a second worker never sends a day's reminder twice.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from prr.accounts.models import User
from prr.accounts.services import ensure_can_act
from prr.errors import InvalidInput, PermissionDenied
from prr.integrations.ldap.leases import claim_lease, release_lease
from prr.notifications.models import Notification, Reminded, Snooze
from prr.notifications.services import notify
from prr.reviews import events
from prr.reviews.follow_ups import open_follow_ups
from prr.reviews.models import FollowUp, Review, ReviewItem
from prr.reviews.services import get_item, lock_review, owns_item
from prr.teams.queries import current_memberships

REMINDERS = "reminders"
EVERY = timedelta(days=1)  # at most one reminder a day per person and per review channel
DUE_WITHIN = timedelta(days=1)  # "due" means due within a day
LOOK_EVERY = timedelta(minutes=10)  # the job looks this often (whichever worker)


def due_items(now: datetime) -> list[ReviewItem]:
    """Open items of open reviews due within DUE_WITHIN or overdue, not snoozed."""
    snoozed = Snooze.objects.filter(until__gt=now).values("item_id")
    return list(
        ReviewItem.objects.filter(
            review__status=Review.Status.OPEN,
            state=ReviewItem.State.OPEN,
            due_at__isnull=False,
            due_at__lte=now + DUE_WITHIN,
        )
        .exclude(pk__in=snoozed)
        .select_related("review__dri", "owner_team", "assignee")
        .order_by("due_at", "review__number", "position")
    )


@dataclass(frozen=True)
class Owed:
    """One thing a person is reminded of: a due item or a due follow-up."""

    review: Review
    anchor: str
    text: str


def due_follow_ups(now: datetime) -> list[FollowUp]:
    """Follow-ups not done, due within DUE_WITHIN or overdue (open or closed reviews)."""
    return list(
        open_follow_ups()
        .filter(due_on__isnull=False, due_on__lte=(now + DUE_WITHIN).date())
        .select_related("review__dri")
    )


def owners_of(
    items: list[ReviewItem], follow_ups: list[FollowUp], now: datetime
) -> dict[int, tuple[User, list[Owed]]]:
    """Each person reminded, by id, with what they owe."""
    team_ids = {i.owner_team_id for i in items if i.owner_team_id is not None}
    team_ids |= {f.owner_team_id for f in follow_ups if f.owner_team_id is not None}
    members: dict[int, list[User]] = defaultdict(list)
    for membership in current_memberships().filter(team_id__in=team_ids).select_related("user"):
        members[membership.team_id].append(membership.user)
    owners: dict[int, tuple[User, list[Owed]]] = {}
    for item in items:
        if item.assignee is not None:
            people = [item.assignee]
        elif item.owner_team_id:
            people = members[item.owner_team_id]
        else:
            people = [item.review.dri]
        owed = Owed(
            item.review, f"item-{item.key}", describe(item.title, item.review, item.due_at, now)
        )
        for person in people:
            owners.setdefault(person.pk, (person, []))[1].append(owed)
    for follow_up in follow_ups:
        if follow_up.owner_team_id is not None:
            people = members[follow_up.owner_team_id]
        else:
            people = [follow_up.owner_user] if follow_up.owner_user else []
        when = (
            datetime.combine(follow_up.due_on, time.max, tzinfo=now.tzinfo)
            if follow_up.due_on
            else None
        )
        text = describe(
            f"follow-up {follow_up.number}, {follow_up.text}", follow_up.review, when, now
        )
        owed = Owed(follow_up.review, f"follow-up-{follow_up.number}", text)
        for person in people:
            owners.setdefault(person.pk, (person, []))[1].append(owed)
    return owners


def describe(title: str, review: Review, due_at: datetime | None, now: datetime) -> str:
    assert due_at is not None
    late = "overdue since" if due_at < now else "due"
    return f"'{title}' on {review.ref} ({late} {due_at:%Y-%m-%d})"


def _due_for(key: str, now: datetime) -> bool:
    last = Reminded.objects.filter(key=key).values_list("sent_at", flat=True).first()
    return last is None or last <= now - EVERY


def send_reminders(holder: str, now: datetime | None = None) -> int:
    """Remind whoever is due a reminder; how many people and review channels were reminded.
    Returns 0 at once when another worker holds the job."""
    now = now or timezone.now()
    if not claim_lease(holder, name=REMINDERS, due_after=LOOK_EVERY, now=now):
        return 0
    sent = 0
    try:
        items = due_items(now)
        for person, theirs in owners_of(items, due_follow_ups(now), now).values():
            key = f"user:{person.pk}"
            with transaction.atomic():
                if not _due_for(key, now) or not person.is_active:
                    continue
                listed = "; ".join(owed.text for owed in theirs)
                count = len(theirs)
                first = theirs[0]
                notify(
                    [person],
                    review=first.review if count == 1 else None,
                    kind=Notification.Kind.REMINDER,
                    text=f"Reminder: {count} item{'s' if count > 1 else ''} for you: {listed}.",
                    link=f"{first.review.path}#{first.anchor}" if count == 1 else "/inbox/",
                )
                Reminded.objects.update_or_create(key=key, defaults={"sent_at": now})
                sent += 1
        by_review: dict[int, list[ReviewItem]] = defaultdict(list)
        for item in items:
            by_review[item.review_id].append(item)
        for review_id, due in by_review.items():
            key = f"review:{review_id}"
            with transaction.atomic():
                if not _due_for(key, now):
                    continue
                events.publish(
                    review_id,
                    events.ITEMS_DUE,
                    items=[
                        {
                            "item": i.key,
                            "title": i.title,
                            "owner": i.owner_team.slug if i.owner_team else "dri",
                            "due_at": i.due_at.isoformat() if i.due_at else None,
                            "overdue": bool(i.due_at and i.due_at < now),
                        }
                        for i in due
                    ],
                )
                Reminded.objects.update_or_create(key=key, defaults={"sent_at": now})
                sent += 1
    finally:
        release_lease(holder, outcome=f"{sent} reminded", now=now, name=REMINDERS)
    return sent


def snooze(review: Review, key: str, *, until: date | None, by: User) -> Snooze | None:
    """No reminders about an item until `until` (a date, the end of that day); None lifts
    the snooze. For whoever may change the item (its team's members or the DRI) and admins."""
    ensure_can_act(by)
    with transaction.atomic():
        review = lock_review(review)
        item = get_item(review, key)
        if not (by.is_superuser or owns_item(by, item, review)):
            raise PermissionDenied(
                f"Only those who may change '{item.title}' can snooze its reminders."
            )
        if until is None:
            Snooze.objects.filter(item=item).delete()
            return None
        ends = timezone.make_aware(datetime.combine(until, time.max))
        if ends <= timezone.now():
            raise InvalidInput(f"Snooze until a date after today, not {until:%Y-%m-%d}.")
        found, _ = Snooze.objects.update_or_create(item=item, defaults={"until": ends, "by": by})
        return found

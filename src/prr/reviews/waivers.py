"""Waivers: an item accepted as it is for a while, with a reason, an owner and an expiry.

A waiver may be granted wherever n/a may be used (by those who may change the item), and on
an approval whose playbook item says `waivable: true`, by an admin. A waived item counts as
complete for closing. When the waiver expires (after its last day, UTC), the worker ends it:
on an open review the item opens again; on a closed review the review is flagged "waiver
expired" (a re-review is due). Either way the waiver's owner is told, and it is on the
timeline. Changing a waived item by hand ends its waiver too ("lifted").
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from prr.accounts.models import User
from prr.accounts.services import ensure_can_act
from prr.errors import InvalidInput, PermissionDenied, RuleViolation
from prr.reviews.items import apply_item_state
from prr.reviews.models import Review, ReviewItem, TimelineKind, Waiver
from prr.reviews.services import (
    clean_reason,
    ensure_open,
    get_item,
    lock_review,
    owns_item,
    record,
    who_may_change,
)
from prr.teams.models import Team

MAX_DAYS = 3660  # about ten years: a waiver is an exception, not a policy
EXPIRING_DAYS = 30  # "expiring" on the waivers page and in the API


def may_waive(user: User, item: ReviewItem, review: Review) -> bool:
    """Who may waive the item: where n/a may be used, those who may change it (and admins);
    an approval only if its playbook item is `waivable`, and only an admin."""
    if not (user.is_active and review.is_open):
        return False
    if item.allow_na:
        return user.is_superuser or owns_item(user, item, review)
    return user.is_superuser and _waivable(review, item)


def _waivable(review: Review, item: ReviewItem) -> bool:
    spec_item = next(
        (i for _, i in review.playbook_version.spec.items() if i.key == item.key), None
    )
    return bool(spec_item and spec_item.waivable)


def waive_item(
    review: Review,
    key: str,
    *,
    by: User,
    reason: str,
    until: date,
    owner: User | Team | None = None,
    today: date | None = None,
) -> Waiver:
    """Waive an item until the end of `until`; its owner answers for it (default: `by`)."""
    ensure_can_act(by)
    today = today or timezone.now().date()
    if until <= today:
        raise InvalidInput(f"A waiver must end after today ({today:%Y-%m-%d}), not {until}.")
    if until > today + timedelta(days=MAX_DAYS):
        raise InvalidInput(f"A waiver may last at most {MAX_DAYS:,} days; {until} is further.")
    with transaction.atomic():
        review = lock_review(review)
        ensure_open(review, "waive items")
        item = get_item(review, key)
        if not may_waive(by, item, review):
            if not item.allow_na and not _waivable(review, item):
                raise RuleViolation(
                    f"'{item.title}' cannot be waived: it is an approval the playbook does not "
                    "mark `waivable: true`."
                )
            who = "an admin" if not item.allow_na else who_may_change(item, review)
            raise PermissionDenied(f"Only {who} can waive '{item.title}'.")
        if item.state == ReviewItem.State.WAIVED:
            raise RuleViolation(f"'{item.title}' is already waived.")
        reason = clean_reason(reason, f"waive '{item.title}'")
        owner = owner or by
        if isinstance(owner, User) and not owner.is_active:
            raise RuleViolation(f"@{owner.username} is deactivated and cannot own a waiver.")
        waiver = Waiver.objects.create(
            item=item,
            reason=reason,
            owner_user=owner if isinstance(owner, User) else None,
            owner_team=owner if isinstance(owner, Team) else None,
            expires_on=until,
            granted_by=by,
        )
        apply_item_state(item, ReviewItem.State.WAIVED, by=by, via=ReviewItem.Via.MANUAL)
        record(
            review,
            TimelineKind.ITEM_WAIVED,
            f"@{by.username} waived '{item.title}' until {until:%Y-%m-%d} "
            f"(owner {waiver.owner_label}): {reason}",
            actor=by,
            item=item,
            key=item.key,
            state=ReviewItem.State.WAIVED,
            until=until.isoformat(),
            reason=reason,
        )
    return waiver


def active_waivers(*, expiring_within: int | None = None) -> QuerySet[Waiver]:
    """Waivers in force, soonest to end first; `expiring_within` days: only those."""
    found = Waiver.objects.filter(expired_at__isnull=True, lifted_at__isnull=True)
    if expiring_within is not None:
        found = found.filter(
            expires_on__lte=timezone.now().date() + timedelta(days=expiring_within)
        )
    return found.select_related("item__review", "owner_user", "owner_team", "granted_by")


def expired_on_closed_reviews() -> QuerySet[Review]:
    """Closed reviews with a waiver that expired: each is due for a re-review."""
    return Review.objects.filter(
        status=Review.Status.CLOSED, items__waivers__expired_at__isnull=False
    ).distinct()


def owners_of(waiver: Waiver) -> list[User]:
    from prr.teams.queries import current_memberships

    if waiver.owner_team_id is not None:
        return [
            m.user
            for m in current_memberships()
            .filter(team_id=waiver.owner_team_id)
            .select_related("user")
        ]
    return [waiver.owner_user] if waiver.owner_user else []


def expire_waivers(now: datetime | None = None) -> list[Waiver]:
    """End every waiver whose last day is over; what was ended. Each in its own transaction,
    under the review's lock, so two workers never end one twice."""
    from prr.notifications.models import Notification
    from prr.notifications.services import notify

    now = now or timezone.now()
    ended: list[Waiver] = []
    due = Waiver.objects.filter(
        expired_at__isnull=True, lifted_at__isnull=True, expires_on__lt=now.date()
    ).values_list("pk", flat=True)
    for pk in list(due):
        with transaction.atomic():
            waiver = Waiver.objects.select_related("item__review").get(pk=pk)
            review = lock_review(waiver.item.review)
            waiver = Waiver.objects.select_related("item", "owner_user", "owner_team").get(pk=pk)
            if not waiver.is_active:
                continue  # another worker ended it a moment ago
            waiver.expired_at = now
            waiver.save(update_fields=["expired_at"])
            item = waiver.item
            if review.is_open and item.state == ReviewItem.State.WAIVED:
                apply_item_state(
                    item, ReviewItem.State.OPEN, by=waiver.granted_by, via=ReviewItem.Via.CHECK
                )
                what = f"the waiver of '{item.title}' expired; the item is open again"
            else:
                what = (
                    f"the waiver of '{item.title}' expired on the {review.status} review: "
                    "a re-review is due"
                )
            record(
                review,
                TimelineKind.WAIVER_EXPIRED,
                f"On {waiver.expires_on:%Y-%m-%d}, {what}",
                item=item,
                key=item.key,
                until=waiver.expires_on.isoformat(),
                review_status=review.status,
            )
            notify(
                owners_of(waiver),
                review=review,
                kind=Notification.Kind.REMINDER,
                text=f"{review.ref}: {what} (you own the waiver).",
                link=f"{review.path}#item-{item.key}",
            )
            ended.append(waiver)
    return ended

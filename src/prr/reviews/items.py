"""Checklist items changed by hand: done, open again, or n/a with a reason.

Approvals by phrase arrive through `prr.reviews.channel`, which applies them with
`apply_item_state` under the same rules. The shared rules are in `prr.reviews.services`.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from prr.accounts.models import User
from prr.accounts.services import ensure_can_act
from prr.errors import InvalidInput, PermissionDenied, RuleViolation
from prr.reviews import events
from prr.reviews.models import (
    Message,
    Review,
    ReviewItem,
    TimelineKind,
    Waiver,
)
from prr.reviews.queries import missing_sections
from prr.reviews.services import (
    clean_reason,
    ensure_open,
    get_item,
    lock_review,
    owns_item,
    record,
    who_may_change,
)


def apply_item_state(
    item: ReviewItem,
    state: str,
    *,
    by: User,
    via: str,
    reason: str = "",
    message: Message | None = None,
) -> None:
    """Write a new state on an item (the caller has checked the rules and holds the lock).

    Publishes `review.item_changed`, and `review.ready` when this completed the last open
    required item.
    """
    was_open = item.state == ReviewItem.State.OPEN
    if item.state == ReviewItem.State.WAIVED and state != ReviewItem.State.WAIVED:
        # Changed by hand (or expired): the waiver in force ends with it.
        Waiver.objects.filter(item=item, expired_at__isnull=True, lifted_at__isnull=True).update(
            lifted_at=timezone.now()
        )
    item.state = state
    item.na_reason = reason if state == ReviewItem.State.NA else ""
    item.changed_by = by
    item.changed_at = timezone.now()
    item.changed_via = via
    item.changed_by_message = message
    item.save(
        update_fields=[
            "state",
            "na_reason",
            "changed_by",
            "changed_at",
            "changed_via",
            "changed_by_message",
        ]
    )
    events.publish(
        item.review_id,
        events.ITEM_CHANGED,
        actor=by,
        item=item.key,
        title=item.title,
        state=state,
        via=via,
        reason=item.na_reason,
        message=message.pk if message is not None else None,
    )
    if (
        item.required
        and was_open
        and state != ReviewItem.State.OPEN
        and not ReviewItem.objects.filter(
            review_id=item.review_id, required=True, state=ReviewItem.State.OPEN
        ).exists()
        and not missing_sections(item.review)
    ):
        events.publish(item.review_id, events.READY, actor=by, completed_by=item.key)


STATE_WORDS = {"done": "done", "open": "open", "n/a": "n/a", "na": "n/a", "reopen": "open"}


def set_item_state(
    review: Review,
    item_key: str,
    state: str,
    *,
    by: User,
    reason: str = "",
    via: str = ReviewItem.Via.MANUAL,
) -> ReviewItem:
    """Mark an item done, open again, or n/a (with a reason) by hand."""
    ensure_can_act(by)
    new_state = STATE_WORDS.get(state.strip().lower())
    if new_state is None:
        raise InvalidInput(f"Unknown state '{state}'; use done, open or n/a.")
    with transaction.atomic():
        review = lock_review(review)
        item = get_item(review, item_key)
        ensure_open(review, "change its checklist")
        owner = owns_item(by, item, review)
        if not (owner or by.is_superuser):
            raise PermissionDenied(
                f"Only {who_may_change(item, review)} can change '{item.title}'."
            )
        if item.state == new_state:
            raise RuleViolation(f"'{item.title}' is already {new_state}.")
        if new_state == ReviewItem.State.NA:
            if not item.allow_na:
                raise RuleViolation(f"'{item.title}' cannot be marked n/a; it must be done.")
            reason = clean_reason(reason, f"mark '{item.title}' n/a")
        as_admin = not owner
        apply_item_state(item, new_state, by=by, via=via, reason=reason)
        summary = f"@{by.username} marked '{item.title}' {new_state}"
        if reason:
            summary += f": {reason}"
        if as_admin:
            summary += " (as admin)"
        record(
            review,
            TimelineKind.ITEM_CHANGED,
            summary,
            actor=by,
            item=item,
            key=item.key,
            state=new_state,
            via=via,
            reason=reason,
            as_admin=as_admin,
        )
    return item

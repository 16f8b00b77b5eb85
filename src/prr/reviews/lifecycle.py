"""Closing a review (its snapshot), reopening and cancelling it.

The shared rules (who may act, locking, the timeline) are in `prr.reviews.services`.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from prr.accounts.models import User
from prr.accounts.services import ensure_can_act
from prr.errors import PermissionDenied, RuleViolation
from prr.reviews import events
from prr.reviews.models import (
    Review,
    Snapshot,
    TimelineKind,
)
from prr.reviews.queries import missing_items, missing_sections
from prr.reviews.services import (
    clean_reason,
    ensure_open,
    is_dri_or_admin,
    lock_review,
    record,
)
from prr.reviews.snapshot import build_snapshot


def close_review(review: Review, *, by: User, force: bool = False, reason: str = "") -> Snapshot:
    """Close a ready review and freeze its document into the next snapshot."""
    ensure_can_act(by)
    with transaction.atomic():
        review = lock_review(review)
        if review.status == Review.Status.CLOSED:
            raise RuleViolation(f"{review.ref} is already closed.")
        ensure_open(review, "close it")
        if not is_dri_or_admin(by, review):
            raise PermissionDenied(
                f"Only the DRI (@{review.dri.username}) or an admin can close {review.ref}."
            )
        if force and not by.is_superuser:
            raise PermissionDenied("Only an admin can force-close a review.")
        if force:
            reason = clean_reason(reason, "force-close a review")
        missing = missing_items(review)
        sections = missing_sections(review)
        if (missing or sections) and not force:
            unanswered = [
                (s.key, f"the section '{s.title}' is required and not answered") for s in sections
            ]
            raise RuleViolation(
                f"{review.ref} cannot be closed yet:\n"
                + "\n".join(
                    f"  - {r}" for r in [r for _, r in unanswered] + [m.reason for m in missing]
                ),
                details=[
                    *({"section": key, "reason": r} for key, r in unanswered),
                    *({"item": m.item.key, "reason": m.reason} for m in missing),
                ],
            )
        review.status = Review.Status.CLOSED
        review.closed_at = timezone.now()
        review.save(update_fields=["status", "closed_at"])
        version = (review.snapshots.aggregate(v=Max("version"))["v"] or 0) + 1
        if force:
            summary = (
                f"@{by.username} force-closed {review.ref} with {len(missing)} required "
                f"item(s) open: {reason}"
            )
        else:
            summary = f"@{by.username} closed {review.ref}"
        record(
            review,
            TimelineKind.REVIEW_CLOSED,
            summary + f" (snapshot v{version})",
            actor=by,
            forced=force,
            reason=reason,
            missing=[m.item.key for m in missing],
            snapshot=version,
        )
        events.publish(
            review.pk, events.CLOSED, actor=by, forced=force, reason=reason, snapshot=version
        )
        return build_snapshot(review, version=version, by=by)


def reopen_review(review: Review, *, by: User, reason: str) -> Review:
    """Reopen a closed or cancelled review; its snapshots stay as they are."""
    ensure_can_act(by)
    if not by.is_superuser:
        raise PermissionDenied("Only an admin can reopen a review.")
    reason = clean_reason(reason, "reopen a review")
    with transaction.atomic():
        review = lock_review(review)
        if review.status == Review.Status.OPEN:
            raise RuleViolation(f"{review.ref} is already open.")
        clash = (
            Review.objects.filter(status=Review.Status.OPEN, title__iexact=review.title)
            .exclude(pk=review.pk)
            .first()
        )
        if clash is not None:
            raise RuleViolation(
                f"{clash.ref} is open with the same title; close or cancel it before reopening "
                f"{review.ref}."
            )
        previous = review.status
        review.status = Review.Status.OPEN
        review.closed_at = None
        review.save(update_fields=["status", "closed_at"])
        record(
            review,
            TimelineKind.REVIEW_REOPENED,
            f"@{by.username} reopened {review.ref}: {reason}",
            actor=by,
            reason=reason,
            previous=previous,
        )
        events.publish(review.pk, events.REOPENED, actor=by, reason=reason, previous=previous)
    return review


def cancel_review(review: Review, *, by: User, reason: str) -> Review:
    ensure_can_act(by)
    reason = clean_reason(reason, "cancel a review")
    with transaction.atomic():
        review = lock_review(review)
        ensure_open(review, "cancel it")
        if not is_dri_or_admin(by, review):
            raise PermissionDenied(
                f"Only the DRI (@{review.dri.username}) or an admin can cancel {review.ref}."
            )
        review.status = Review.Status.CANCELLED
        review.save(update_fields=["status"])
        record(
            review,
            TimelineKind.REVIEW_CANCELLED,
            f"@{by.username} cancelled {review.ref}: {reason}",
            actor=by,
            reason=reason,
        )
        events.publish(review.pk, events.CANCELLED, actor=by, reason=reason)
    return review

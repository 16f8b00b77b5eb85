"""Re-review: a closed review is looked at again when it is due.

A closed review is due for a re-review when its playbook's `recertify_after_days` have passed
since it closed, when one of its waivers expired, or when an admin asked. `restart_review`
starts the new review from the latest version of the same playbook, linked to the previous
one, with the same kind, DRI and reviewers, and the previous answers copied in as a starting
point; what changed since is the diff of the two reviews' snapshots.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from prr.accounts.models import User
from prr.accounts.services import ensure_can_act
from prr.errors import PermissionDenied, RuleViolation
from prr.playbooks.services import get_version
from prr.reviews.models import Answer, AnswerRevision, Review, Snapshot, TimelineKind
from prr.reviews.services import clean_reason, is_dri_or_admin, lock_review, record
from prr.reviews.starting import start_review


@dataclass(frozen=True)
class Due:
    review: Review
    why: str


def why_due(review: Review, now: datetime | None = None) -> str | None:
    """Why a closed review is due for a re-review, or None (open, or not due, or re-reviewed)."""
    if review.status != Review.Status.CLOSED or review.rereviews.exists():
        return None
    now = now or timezone.now()
    if review.rereview_requested_at is not None:
        return "an admin asked for a re-review"
    if review.items.filter(waivers__expired_at__isnull=False).exists():
        return "a waiver expired"
    days = review.playbook_version.spec.recertify_after_days
    if days and review.closed_at and review.closed_at + timedelta(days=days) <= now:
        return f"closed more than {days} days ago (the playbook recertifies every {days} days)"
    return None


def due_for_rereview(now: datetime | None = None) -> list[Due]:
    """Closed reviews due for a re-review and not re-reviewed yet, oldest first."""
    now = now or timezone.now()
    candidates = (
        Review.objects.filter(status=Review.Status.CLOSED, rereviews__isnull=True)
        .filter(
            Q(rereview_requested_at__isnull=False)
            | Q(items__waivers__expired_at__isnull=False)
            | Q(closed_at__isnull=False)
        )
        .select_related("playbook_version", "dri")
        .distinct()
        .order_by("closed_at", "number")
    )
    found = []
    for review in candidates:
        why = why_due(review, now)
        if why is not None:
            found.append(Due(review, why))
    return found


def may_restart(user: User, review: Review) -> bool:
    """The DRI or an admin restarts a closed review that has no re-review yet."""
    return (
        user.is_active
        and review.status == Review.Status.CLOSED
        and is_dri_or_admin(user, review)
        and not review.rereviews.exists()
    )


def may_request_rereview(user: User, review: Review) -> bool:
    """An admin asks for the re-review of a closed review not asked for yet."""
    return (
        user.is_active
        and user.is_superuser
        and review.status == Review.Status.CLOSED
        and review.rereview_requested_at is None
    )


def request_rereview(review: Review, *, by: User, reason: str) -> Review:
    """An admin asks for a re-review of a closed review (before its time)."""
    ensure_can_act(by)
    if not by.is_superuser:
        raise PermissionDenied("Only an admin can ask for a re-review.")
    reason = clean_reason(reason, "ask for a re-review")
    with transaction.atomic():
        review = lock_review(review)
        if review.status != Review.Status.CLOSED:
            raise RuleViolation(
                f"{review.ref} is {review.status}; only a closed review is re-reviewed."
            )
        review.rereview_requested_at = timezone.now()
        review.save(update_fields=["rereview_requested_at"])
        record(
            review,
            TimelineKind.REVIEW_REREVIEW_REQUESTED,
            f"@{by.username} asked for a re-review of {review.ref}: {reason}",
            actor=by,
            reason=reason,
        )
    return review


def restart_review(previous: Review, *, by: User) -> Review:
    """Start the re-review of a closed review (its DRI or an admin)."""
    ensure_can_act(by)
    if previous.status != Review.Status.CLOSED:
        raise RuleViolation(
            f"{previous.ref} is {previous.status}; only a closed review is re-reviewed."
        )
    if not is_dri_or_admin(by, previous):
        raise PermissionDenied(
            f"Only the DRI (@{previous.dri.username}) or an admin can restart {previous.ref}."
        )
    existing = previous.rereviews.first()
    if existing is not None:
        raise RuleViolation(f"{previous.ref} is already re-reviewed in {existing.ref}.")
    version = get_version(previous.playbook_version.playbook)
    with transaction.atomic():
        review = start_review(
            version=version,
            title=previous.title,
            dri=previous.dri,
            kind=previous.kind if previous.kind in version.spec.kinds else None,
            reviewers=previous.reviewers.filter(is_active=True),
            by=by,
        )
        Review.objects.filter(pk=review.pk).update(previous=previous)
        review.previous = previous
        last: Snapshot | None = previous.snapshots.order_by("-version").first()
        sections = {s.key for s in review.document_sections}
        copied = []
        now = timezone.now()
        for answer in previous.answers.filter(section_key__in=sections):
            copy = Answer.objects.create(
                review=review,
                section_key=answer.section_key,
                body=answer.body,
                updated_by=by,
                updated_at=now,
            )
            AnswerRevision.objects.create(answer=copy, body=answer.body, author=by, created_at=now)
            copied.append(answer.section_key)
        source = f"{previous.ref} snapshot v{last.version}" if last else previous.ref
        record(
            review,
            TimelineKind.REVIEW_RESTARTED,
            f"@{by.username} started {review.ref} as the re-review of {previous.ref}; "
            f"{len(copied)} answer(s) copied from {source} to start from",
            actor=by,
            previous=previous.ref,
            snapshot=last.version if last else None,
            copied=copied,
        )
        record(
            previous,
            TimelineKind.REVIEW_REREVIEWED,
            f"@{by.username} started its re-review, {review.ref}",
            actor=by,
            rereview=review.ref,
        )
    return review

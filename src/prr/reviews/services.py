"""The rules every action on a review shares: who may do what, locking, the timeline.

The actions live in one module per family — `starting`, `answers`, `items`, `lifecycle`,
`assignment`, `waivers`, `follow_ups`, `rereview` — and each checks who may act, enforces
its rule, writes the change and its timeline event in one transaction, and raises a domain
error (prr.errors) worded for the person who asked. Changes to a review lock its row first
(`lock_review`), so concurrent writers are serialised.
"""

from __future__ import annotations

from typing import Any

from prr.accounts.models import User
from prr.errors import InvalidInput, NotFound, RuleViolation
from prr.playbooks.spec import Section
from prr.reviews.models import (
    Message,
    Review,
    ReviewItem,
    TimelineEvent,
    TimelineKind,
)
from prr.teams.queries import is_current_member

REASON_MAX_CHARS = 2_000


def record(
    review: Review,
    kind: TimelineKind,
    summary: str,
    /,
    *,
    actor: User | None = None,
    item: ReviewItem | None = None,
    message: Message | None = None,
    **data: Any,
) -> TimelineEvent:
    """Append one event to the review's timeline (call inside the change's transaction)."""
    return TimelineEvent.objects.create(
        review=review,
        kind=kind,
        summary=summary,
        actor=actor,
        item=item,
        message=message,
        data=data,
    )


def lock_review(review: Review) -> Review:
    """The review's row, re-read and locked until the transaction ends."""
    return Review.objects.select_for_update().select_related("dri").get(pk=review.pk)


def lock_review_status(review: Review) -> str:
    """Lock the review's row (cheaply: the hot path of every message) and read its status."""
    status: str = (
        Review.objects.select_for_update()
        .filter(pk=review.pk)
        .values_list("status", flat=True)
        .get()
    )
    return status


def ensure_open(review: Review, doing: str) -> None:
    if review.status != Review.Status.OPEN:
        hint = " An admin can reopen it." if review.status == Review.Status.CLOSED else ""
        raise RuleViolation(f"{review.ref} is {review.status}; cannot {doing}.{hint}")


def is_dri_or_admin(user: User, review: Review) -> bool:
    return user.is_superuser or user.pk == review.dri_id


def who_may(verb: str, review: Review) -> str:
    """Who may close, cancel or reopen a review: the rule in words, for the faces."""
    if verb == "reopen":
        return "an admin"
    return f"the DRI (@{review.dri.username}) or an admin"


def may(verb: str, user: User, review: Review) -> bool:
    """Whether `user` may close, cancel, reopen, force-close, answer or add reviewers to
    `review` now.

    Faces show or hide actions by it; the services below enforce the same rules, with reasons.
    """
    if not user.is_active:
        return False
    if verb == "reopen":
        return not review.is_open and user.is_superuser
    if verb in ("close", "cancel", "answer", "add-reviewers"):
        return review.is_open and is_dri_or_admin(user, review)
    if verb == "force-close":
        return review.is_open and user.is_superuser
    raise ValueError(f"Unknown verb {verb!r}")


def may_change_item(
    user: User, item: ReviewItem, review: Review, *, owner: bool | None = None
) -> bool:
    """Whether `user` may change `item` by hand now (`owner`: `owns_item`, if already known)."""
    if not (user.is_active and review.is_open):
        return False
    return user.is_superuser or (owns_item(user, item, review) if owner is None else owner)


def clean_reason(reason: str, doing: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(f"A reason is required to {doing}.")
    if len(reason) > REASON_MAX_CHARS:
        raise InvalidInput(f"The reason is longer than {REASON_MAX_CHARS:,} characters.")
    return reason


def get_item(review: Review, key: str) -> ReviewItem:
    item = review.items.select_related("owner_team").filter(key=key).first()
    if item is None:
        keys = ", ".join(review.items.values_list("key", flat=True))
        raise NotFound(f"{review.ref} has no item '{key}' (items: {keys}).")
    return item


def get_section(review: Review, key: str) -> Section:
    """A section of the review's document (its playbook's, for its kind)."""
    for section in review.document_sections:
        if section.key == key:
            return section
    known = ", ".join(s.key for s in review.document_sections)
    raise NotFound(f"{review.ref} has no section '{key}' (sections: {known}).")


def who_may_change(item: ReviewItem, review: Review) -> str:
    if item.owner_team is not None:
        return f"a member of team {item.owner_team.name} or an admin"
    return f"the DRI (@{review.dri.username}) or an admin"


def owns_item(user: User, item: ReviewItem, review: Review) -> bool:
    """A current member of the owning team, or the DRI for the DRI's own items."""
    if item.owner_team is not None:
        return is_current_member(user, item.owner_team)
    return user.pk == review.dri_id

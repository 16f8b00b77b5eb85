"""The review document: the DRI answers its sections; every text is kept as a revision.

The shared rules (who may act, locking, the timeline) are in `prr.reviews.services`.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from prr.accounts.models import User
from prr.accounts.services import ensure_can_act
from prr.errors import InvalidInput, PermissionDenied, RuleViolation
from prr.playbooks.spec import Section
from prr.reviews import events
from prr.reviews.models import (
    Answer,
    AnswerRevision,
    Review,
    TimelineKind,
)
from prr.reviews.queries import missing_items, missing_sections
from prr.reviews.services import ensure_open, get_section, lock_review, may, record, who_may

ANSWER_MAX_CHARS = 100_000


def ensure_may_answer(review: Review, section_key: str, by: User) -> Section:
    """The section `by` may answer now, or the refusal (also for a face's preview, before
    any text is written)."""
    section = get_section(review, section_key)
    ensure_open(review, "change its answers")
    if not may("answer", by, review):
        raise PermissionDenied(f"Only {who_may('answer', review)} can answer the review document.")
    return section


def answer_section(review: Review, section_key: str, body: str, *, by: User) -> Answer:
    """Write the DRI's answer to one section; every text is kept as a revision."""
    ensure_can_act(by)
    body = body.strip()
    if not body:
        raise InvalidInput("The answer is empty; write the answer, with links to evidence.")
    if len(body) > ANSWER_MAX_CHARS:
        raise InvalidInput(f"The answer is longer than {ANSWER_MAX_CHARS:,} characters.")
    with transaction.atomic():
        review = lock_review(review)
        section = ensure_may_answer(review, section_key, by)
        now = timezone.now()
        answer = Answer.objects.filter(review=review, section_key=section_key).first()
        completes = (
            section.required
            and (answer is None or not answer.body.strip())
            and [s.key for s in missing_sections(review)] == [section_key]
        )
        if answer is not None and answer.body == body:
            raise RuleViolation(f"The answer to '{section.title}' is unchanged.")
        if answer is None:
            answer = Answer.objects.create(
                review=review, section_key=section_key, body=body, updated_by=by, updated_at=now
            )
        else:
            answer.body, answer.updated_by, answer.updated_at = body, by, now
            answer.save(update_fields=["body", "updated_by", "updated_at"])
        AnswerRevision.objects.create(answer=answer, body=body, author=by, created_at=now)
        record(
            review,
            TimelineKind.ANSWER_UPDATED,
            f"@{by.username} answered '{section.title}'",
            actor=by,
            section=section_key,
            as_admin=by.pk != review.dri_id,
        )
        if completes and not missing_items(review):
            # The last required section answered, every required item complete.
            events.publish(review.pk, events.READY, actor=by, completed_by=section_key)
    return answer

from __future__ import annotations

import pytest

from prr.errors import InvalidInput, NotFound, PermissionDenied, RuleViolation
from prr.reviews.answers import answer_section
from prr.reviews.lifecycle import cancel_review


def test_the_dri_answers_a_section_and_every_text_is_kept(review, dri):
    answer_section(review, "summary", "First draft", by=dri)
    answer = answer_section(review, "summary", "Second draft, with links", by=dri)
    assert answer.body == "Second draft, with links"
    assert list(answer.revisions.values_list("body", flat=True)) == [
        "First draft",
        "Second draft, with links",
    ]
    assert review.timeline.filter(kind="answer.updated").count() == 2


def test_only_the_dri_or_an_admin_answers(review, sre_member, admin):
    with pytest.raises(PermissionDenied, match="Only the DRI"):
        answer_section(review, "summary", "text", by=sre_member)
    answer_section(review, "summary", "Filled in by an admin", by=admin)
    assert review.timeline.get(kind="answer.updated").data["as_admin"] is True


def test_an_unknown_section_lists_the_sections(review, dri):
    with pytest.raises(NotFound, match="sections: summary, architecture"):
        answer_section(review, "nope", "text", by=dri)


def test_empty_oversized_or_unchanged_answers_are_refused(review, dri):
    with pytest.raises(InvalidInput, match="empty"):
        answer_section(review, "summary", "   ", by=dri)
    with pytest.raises(InvalidInput, match="longer than"):
        answer_section(review, "summary", "x" * 100_001, by=dri)
    answer_section(review, "summary", "Same", by=dri)
    with pytest.raises(RuleViolation, match="unchanged"):
        answer_section(review, "summary", "Same", by=dri)


def test_a_cancelled_review_refuses_answers(review, dri):
    cancel_review(review, by=dri, reason="Project dropped")
    with pytest.raises(RuleViolation, match="PRR-1 is cancelled"):
        answer_section(review, "summary", "text", by=dri)

"""One representation per object: the API, `--json` and webhook payloads say the same thing."""

from __future__ import annotations

import json

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from django.test.utils import CaptureQueriesContext

from prr.representation import as_json
from prr.reviews.answers import answer_section
from prr.reviews.channel import post_message
from prr.reviews.items import set_item_state
from prr.reviews.queries import get_review, missing_items
from prr.reviews.schemas import ReviewOut, ReviewSummaryOut, SectionOut
from prr.reviews.starting import start_review


def count_queries(read) -> int:
    with CaptureQueriesContext(connection) as captured:
        read()
    return len(captured)


def test_a_review_reads_in_queries_that_do_not_grow_with_items_or_answers(
    small_playbook, default_playbook, dri
):
    small = start_review(version=small_playbook, title="Small review with few items", dri=dri)
    large = start_review(version=default_playbook, title="Large review with many items", dri=dri)
    for key in ("summary", "architecture", "observability", "security"):
        answer_section(large, key, f"Answer for {key}", by=dri)
    assert count_queries(lambda: ReviewOut.of(get_review(small.number))) == count_queries(
        lambda: ReviewOut.of(get_review(large.number))
    )


def test_a_review_says_what_is_missing_and_whether_it_can_close(review, dri):
    data = ReviewOut.of(review)
    assert data.readiness.ready is False
    assert [m.item.key for m in missing_items(review)] == [
        "dashboards",
        "load-test",
        "sre-review",
        "security-review",
    ]
    assert "SRE review is still open; waiting for a member of team SRE to approve" in [
        m.reason for m in data.readiness.missing
    ]


def test_progress_is_the_same_in_the_list_and_in_the_review(review, dri, sre_member):
    set_item_state(review, "dashboards", "done", by=dri)
    post_message(review, author=sre_member, body="SRE review is completed")
    [listed] = ReviewSummaryOut.list_of([get_review(review.number)])
    whole = ReviewOut.of(get_review(review.number))
    assert (listed.complete, listed.required) == (whole.complete, whole.required) == (2, 4)
    assert (whole.readiness.complete, whole.readiness.required) == (2, 4)


def test_an_answer_reads_the_same_in_the_review_and_on_its_own(review, dri):
    answer_section(review, "summary", "First text", by=dri)
    answer_section(review, "summary", "Second text", by=dri)
    [alone] = SectionOut.list_of(
        review, [s for s in review.document_sections if s.key == "summary"]
    )
    [in_review] = [s for s in ReviewOut.of(review).sections if s.key == "summary"]
    assert alone == in_review
    assert (alone.answer, alone.answered_by, alone.revisions) == ("Second text", "dana", 2)


def test_timestamps_are_written_as_the_api_writes_them(review):
    data = as_json(ReviewSummaryOut.list_of([review])[0])
    created = data["created_at"]
    # ISO 8601 in UTC with milliseconds and a Z, as Django's JSON encoder writes it.
    assert created.endswith("Z")
    assert "+00:00" not in created
    assert created == json.loads(json.dumps(review.created_at, cls=DjangoJSONEncoder))

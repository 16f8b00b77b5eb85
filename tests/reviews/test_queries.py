"""Reads for the faces: the number of queries does not grow with the rows shown."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from prr.reviews.channel import post_message
from prr.reviews.items import set_item_state
from prr.reviews.queries import (
    list_reviews,
    progress_of,
)
from prr.reviews.starting import start_review


def count_queries(read) -> int:
    with CaptureQueriesContext(connection) as captured:
        read()
    return len(captured)


def test_review_list_queries_do_not_grow_with_reviews(small_playbook, dri):
    def list_all():
        reviews = list(list_reviews("all"))
        progress = progress_of(reviews)
        return [(r.ref, r.dri.username, progress[r.pk].complete) for r in reviews]

    start_review(version=small_playbook, title="Review number one of many", dri=dri)
    one = count_queries(list_all)
    for n in range(2, 8):
        start_review(version=small_playbook, title=f"Review number {n} of many", dri=dri)
    assert count_queries(list_all) == one


def test_review_list_shows_progress_of_required_items(review, dri, sre_member):
    set_item_state(review, "dashboards", "done", by=dri)
    post_message(review, author=sre_member, body="SRE review is completed")
    [listed] = list_reviews("open")
    progress = progress_of([listed])[listed.pk]
    assert (progress.complete, progress.required) == (2, 4)
    assert progress.by_owner == {"DRI": 1, "Security": 1}

"""API lists read a fixed number of queries, however many rows a page shows."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from prr.reviews.channel import post_message
from prr.reviews.items import set_item_state
from prr.reviews.models import Review
from prr.reviews.starting import start_review


def queries_of(client, path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200, response.content
    return len(captured)


@pytest.fixture
def many_reviews(review, small_playbook, dri, admin):
    for n in range(2, 56):
        started = start_review(
            version=small_playbook, title=f"Payments region rollout number {n}", dri=dri
        )
        if n % 5 == 0:
            set_item_state(started, "sre-review", "done", by=admin)
    return Review.objects.count()


def test_the_review_list_does_not_grow_with_the_page(api_as, dri, many_reviews):
    client = api_as(dri)
    client.get("/reviews")  # the token's first use writes last_used_at
    small = queries_of(client, "/reviews?per_page=5")
    large = queries_of(client, "/reviews?per_page=50")
    assert small == large
    page = client.get("/reviews?per_page=50&page=2").json()
    assert (page["total"], len(page["items"])) == (many_reviews, 5)


def test_filtered_lists_do_not_grow_with_the_page(api_as, sre_member, many_reviews):
    client = api_as(sre_member)
    client.get("/reviews")
    assert queries_of(client, "/reviews?awaiting=me&per_page=5") == queries_of(
        client, "/reviews?awaiting=me&per_page=50"
    )


@pytest.fixture
def busy_review(review, dri, sre_member, outsider):
    for n in range(30):
        post_message(review, author=dri, body=f"Status update {n}")
    post_message(review, author=outsider, body="SRE review is completed")
    post_message(review, author=sre_member, body="SRE review is completed")
    for key in ("dashboards", "load-test", "tracing"):
        set_item_state(review, key, "done", by=dri)
    return review


def test_the_channel_does_not_grow_with_the_page(api_as, dri, busy_review):
    client = api_as(dri)
    client.get("/me")
    assert queries_of(client, "/reviews/PRR-1/messages?per_page=3") == queries_of(
        client, "/reviews/PRR-1/messages?per_page=100"
    )


def test_the_timeline_does_not_grow_with_the_page(api_as, dri, busy_review):
    client = api_as(dri)
    client.get("/me")
    assert queries_of(client, "/reviews/PRR-1/timeline?per_page=2") == queries_of(
        client, "/reviews/PRR-1/timeline?per_page=100"
    )


def test_a_review_reads_a_fixed_number_of_queries(api_as, dri, busy_review, small_playbook):
    client = api_as(dri)
    client.get("/me")
    busy = queries_of(client, "/reviews/PRR-1")
    start_review(version=small_playbook, title="A quiet review with nothing done", dri=dri)
    assert queries_of(client, "/reviews/PRR-2") == busy

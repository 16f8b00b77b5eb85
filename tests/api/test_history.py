"""The timeline and the snapshots of a review."""

from __future__ import annotations

import hashlib
import json

from prr.reviews.answers import answer_section
from prr.reviews.channel import post_message
from prr.reviews.items import set_item_state
from prr.reviews.lifecycle import close_review, reopen_review
from tests.api.conftest import error_of


def test_the_timeline_lists_events_oldest_first(api_as, outsider, dri, sre_member, review):
    set_item_state(review, "dashboards", "done", by=dri)
    post_message(review, author=sre_member, body="SRE review is completed")
    response = api_as(outsider).get("/reviews/PRR-1/timeline")
    assert response.status_code == 200
    page = response.json()
    assert [(e["kind"], e["actor"], e["item"]) for e in page["items"]] == [
        ("review.started", "dana", None),
        ("item.changed", "dana", "dashboards"),
        ("item.changed", "sam", "sre-review"),
    ]
    assert page["items"][2]["message"] is not None
    assert page["items"][2]["data"]["via"] == "message"
    assert page["total"] == 3


def test_the_timeline_is_paginated(api_as, outsider, dri, review):
    for key in ("dashboards", "load-test", "tracing"):
        set_item_state(review, key, "done", by=dri)
    client = api_as(outsider)
    page = client.get("/reviews/PRR-1/timeline?per_page=3&page=2").json()
    assert [e["item"] for e in page["items"]] == ["tracing"]
    assert (page["total"], page["pages"]) == (4, 2)
    assert error_of(client.get("/reviews/PRR-1/timeline?per_page=0")) == (422, "invalid_fields")


def test_snapshots_are_listed_by_version(api_as, outsider, dri, admin, ready_review):
    client = api_as(outsider)
    assert client.get("/reviews/PRR-1/snapshots").json() == []
    close_review(ready_review, by=dri)
    reopen_review(ready_review, by=admin, reason="Add the runbook")
    close_review(ready_review, by=admin)
    snapshots = client.get("/reviews/PRR-1/snapshots").json()
    assert [(s["version"], s["created_by"]) for s in snapshots] == [(1, "dana"), (2, "ada")]
    assert snapshots[0]["sha256"] != snapshots[1]["sha256"]


def test_a_snapshot_as_json_carries_its_digest(api_as, outsider, dri, ready_review):
    answer_section(ready_review, "summary", "Tokens move to the vault.", by=dri)
    close_review(ready_review, by=dri)
    response = api_as(outsider).get("/reviews/PRR-1/snapshots/1")
    assert response.status_code == 200
    body = response.json()
    assert (body["version"], body["created_by"]) == (1, "dana")
    assert len(body["sha256"]) == 64
    assert body["content"]["review"]["title"] == "Payments API: move card tokenisation to the vault"
    assert "Tokens move to the vault." in json.dumps(body["content"])
    stored = ready_review.snapshots.get(version=1)
    assert body["sha256"] == stored.sha256
    assert body["content"] == stored.content


def test_a_snapshots_digest_matches_its_content(api_as, outsider, dri, ready_review):
    close_review(ready_review, by=dri)
    body = api_as(outsider).get("/reviews/PRR-1/snapshots/1").json()
    canonical = json.dumps(
        body["content"], sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    assert body["sha256"] == hashlib.sha256(canonical.encode()).hexdigest()


def test_a_snapshot_as_markdown(api_as, outsider, dri, ready_review):
    close_review(ready_review, by=dri)
    response = api_as(outsider).get("/reviews/PRR-1/snapshots/1?format=md")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/markdown")
    assert "PRR-1-snapshot-v1.md" in response["Content-Disposition"]
    text = response.content.decode()
    assert "Payments API: move card tokenisation to the vault" in text


def test_an_unknown_snapshot_is_404(api_as, outsider, dri, ready_review):
    client = api_as(outsider)
    assert error_of(client.get("/reviews/PRR-1/snapshots/1")) == (404, "not_found")
    close_review(ready_review, by=dri)
    response = client.get("/reviews/PRR-1/snapshots/2")
    assert error_of(response) == (404, "not_found")
    assert response.json()["message"] == "PRR-1 has no snapshot v2."
    assert error_of(client.get("/reviews/PRR-1/snapshots/0")) == (404, "not_found")
    assert error_of(client.get("/reviews/PRR-1/snapshots/1?format=pdf")) == (
        422,
        "invalid_fields",
    )

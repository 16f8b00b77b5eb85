"""Closing, force-closing, reopening and cancelling a review over the API."""

from __future__ import annotations

from prr.reviews.lifecycle import cancel_review, close_review
from prr.reviews.models import Review, ReviewItem
from tests.api.conftest import error_of


def status_of(review) -> str:
    review.refresh_from_db()
    return review.status


def test_close_is_refused_with_what_is_missing(api_as, dri, review):
    response = api_as(dri).post("/reviews/PRR-1/close", {})
    assert error_of(response) == (409, "rule_violation")
    assert response.json()["message"].startswith("PRR-1 cannot be closed yet:")
    assert response.json()["details"] == [
        {
            "item": "dashboards",
            "reason": "Dashboards linked is still open; waiting for the DRI @dana",
        },
        {"item": "load-test", "reason": "Load test done is still open; waiting for the DRI @dana"},
        {
            "item": "sre-review",
            "reason": "SRE review is still open; waiting for a member of team SRE to approve",
        },
        {
            "item": "security-review",
            "reason": "Security review is still open; waiting for a member of team Security "
            "to approve",
        },
    ]
    assert status_of(review) == "open"


def test_the_dri_closes_a_ready_review_with_a_snapshot(api_as, dri, ready_review):
    response = api_as(dri).post("/reviews/PRR-1/close", {})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "closed"
    assert body["closed_at"] is not None
    assert body["readiness"]["closed"] is True
    assert [(s["version"], s["created_by"]) for s in body["snapshots"]] == [(1, "dana")]
    assert status_of(ready_review) == "closed"


def test_a_closed_review_still_takes_messages_but_phrases_change_nothing(
    api_as, sre_member, dri, ready_review
):
    close_review(ready_review, by=dri)
    client = api_as(sre_member)
    response = client.post("/reviews/PRR-1/messages", {"body": "SRE review is reopened"})
    assert response.status_code == 201
    assert response.json()["effects"] == []
    assert "PRR-1 is closed; approvals no longer change it" in response.json()["replies"][0]["body"]
    assert ReviewItem.objects.get(review=ready_review, key="sre-review").state == "done"


def test_a_closed_review_refuses_item_changes(api_as, dri, ready_review):
    close_review(ready_review, by=dri)
    response = api_as(dri).put("/reviews/PRR-1/items/tracing/state", {"state": "done"})
    assert error_of(response) == (409, "rule_violation")


def test_closing_twice_is_refused(api_as, dri, ready_review):
    close_review(ready_review, by=dri)
    response = api_as(dri).post("/reviews/PRR-1/close", {})
    assert error_of(response) == (409, "rule_violation")
    assert response.json()["message"] == "PRR-1 is already closed."


def test_an_outsider_cannot_close(api_as, outsider, ready_review):
    response = api_as(outsider).post("/reviews/PRR-1/close", {})
    assert error_of(response) == (403, "permission_denied")
    assert status_of(ready_review) == "open"


def test_a_reviewing_team_member_cannot_close(api_as, sre_member, ready_review):
    assert error_of(api_as(sre_member).post("/reviews/PRR-1/close", {})) == (
        403,
        "permission_denied",
    )


def test_force_close_needs_a_reason(api_as, admin, review):
    response = api_as(admin).post("/reviews/PRR-1/close", {"force": True})
    assert error_of(response) == (422, "invalid_input")
    assert "reason is required" in response.json()["message"]
    assert status_of(review) == "open"


def test_an_admin_force_closes_with_a_reason(api_as, admin, review):
    response = api_as(admin).post(
        "/reviews/PRR-1/close", {"force": True, "reason": "Launched under incident INC-7"}
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "closed"
    assert [s["version"] for s in response.json()["snapshots"]] == [1]
    event = review.timeline.get(kind="review.closed")
    assert event.data["forced"] is True
    assert "with 4 required item(s) open: Launched under incident INC-7" in event.summary


def test_the_dri_cannot_force_close(api_as, dri, review):
    response = api_as(dri).post("/reviews/PRR-1/close", {"force": True, "reason": "In a hurry"})
    assert error_of(response) == (403, "permission_denied")
    assert status_of(review) == "open"


def test_only_an_admin_reopens(api_as, dri, admin, ready_review):
    close_review(ready_review, by=dri)
    refused = api_as(dri).post("/reviews/PRR-1/reopen", {"reason": "Forgot the runbook"})
    assert error_of(refused) == (403, "permission_denied")
    assert status_of(ready_review) == "closed"
    response = api_as(admin).post("/reviews/PRR-1/reopen", {"reason": "Forgot the runbook"})
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["closed_at"]) == ("open", None)
    assert [s["version"] for s in response.json()["snapshots"]] == [1]


def test_the_next_close_after_a_reopen_writes_version_2(api_as, dri, admin, ready_review):
    close_review(ready_review, by=dri)
    api_as(admin).post("/reviews/PRR-1/reopen", {"reason": "Forgot the runbook"})
    response = api_as(dri).post("/reviews/PRR-1/close", {})
    assert [s["version"] for s in response.json()["snapshots"]] == [1, 2]


def test_reopen_needs_a_reason(api_as, admin, dri, ready_review):
    close_review(ready_review, by=dri)
    client = api_as(admin)
    assert error_of(client.post("/reviews/PRR-1/reopen", {})) == (422, "invalid_fields")
    assert error_of(client.post("/reviews/PRR-1/reopen", {"reason": "  "})) == (
        422,
        "invalid_input",
    )
    assert status_of(ready_review) == "closed"


def test_reopening_an_open_review_is_refused(api_as, admin, review):
    response = api_as(admin).post("/reviews/PRR-1/reopen", {"reason": "Just because"})
    assert error_of(response) == (409, "rule_violation")


def test_the_dri_cancels_with_a_reason(api_as, dri, review):
    response = api_as(dri).post("/reviews/PRR-1/cancel", {"reason": "Project dropped"})
    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    assert response.json()["readiness"]["ready"] is False
    assert review.timeline.get(kind="review.cancelled").data["reason"] == "Project dropped"


def test_cancel_needs_a_reason(api_as, dri, review):
    client = api_as(dri)
    assert error_of(client.post("/reviews/PRR-1/cancel", {})) == (422, "invalid_fields")
    assert error_of(client.post("/reviews/PRR-1/cancel", {"reason": " "})) == (
        422,
        "invalid_input",
    )
    assert status_of(review) == "open"


def test_an_outsider_cannot_cancel(api_as, outsider, review):
    response = api_as(outsider).post("/reviews/PRR-1/cancel", {"reason": "I do not like it"})
    assert error_of(response) == (403, "permission_denied")
    assert status_of(review) == "open"


def test_a_cancelled_review_cannot_be_cancelled_or_closed(api_as, dri, admin, review):
    cancel_review(review, by=dri, reason="Project dropped")
    client = api_as(admin)
    assert error_of(client.post("/reviews/PRR-1/cancel", {"reason": "again"})) == (
        409,
        "rule_violation",
    )
    assert error_of(client.post("/reviews/PRR-1/close", {"force": True, "reason": "x"})) == (
        409,
        "rule_violation",
    )
    assert Review.objects.get().status == "cancelled"

"""/reviews/{ref}/messages: the channel, and approvals by phrase."""

from __future__ import annotations

from prr.reviews.channel import MESSAGE_MAX_CHARS, post_message
from prr.reviews.models import Message, ReviewItem
from tests.api.conftest import error_of

APPROVAL = "SRE review is completed"


def test_a_team_member_approves_by_phrase(api_as, sre_member, review):
    response = api_as(sre_member).post("/reviews/PRR-1/messages", {"body": APPROVAL})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["effects"] == [{"item": "sre-review", "state": "done"}]
    assert body["duplicate"] is False
    assert (body["message"]["author"], body["message"]["source"]) == ("sam", "api")
    [reply] = body["replies"]
    assert reply["author"] is None
    assert reply["in_reply_to"] == body["message"]["id"]
    assert "'SRE review' is now done: approved by @sam" in reply["body"]
    item = ReviewItem.objects.get(review=review, key="sre-review")
    assert (item.state, item.changed_via, item.changed_by_message_id) == (
        "done",
        "message",
        body["message"]["id"],
    )


def test_an_outsiders_phrase_changes_nothing(api_as, outsider, sre_member, review):
    response = api_as(outsider).post("/reviews/PRR-1/messages", {"body": APPROVAL})
    assert response.status_code == 201
    body = response.json()
    assert body["effects"] == []
    [reply] = body["replies"]
    assert "@oscar is not a member of team SRE" in reply["body"]
    assert "Who can: SRE: @sam" in reply["body"]
    assert ReviewItem.objects.get(review=review, key="sre-review").state == "open"
    assert review.timeline.filter(kind="task_action.refused").exists()


def test_a_plain_message_has_no_effects_and_no_replies(api_as, dri, review):
    body = api_as(dri).post("/reviews/PRR-1/messages", {"body": "Load test report attached"})
    assert (body.json()["effects"], body.json()["replies"]) == ([], [])


def test_a_message_delivered_twice_is_stored_once(api_as, sre_member, review):
    client = api_as(sre_member)
    first = client.post("/reviews/PRR-1/messages", {"body": APPROVAL, "external_id": "slack-42"})
    second = client.post("/reviews/PRR-1/messages", {"body": APPROVAL, "external_id": "slack-42"})
    assert (first.status_code, second.status_code) == (201, 201)
    assert (first.json()["duplicate"], second.json()["duplicate"]) == (False, True)
    assert second.json()["message"]["id"] == first.json()["message"]["id"]
    assert second.json()["effects"] == []
    assert Message.objects.filter(review=review, external_id="slack-42").count() == 1
    assert Message.objects.filter(review=review, author=None).count() == 1  # one reply


def test_messages_are_listed_oldest_first_with_replies(api_as, sre_member, dri, review):
    post_message(review, author=dri, body="Please review the runbook")
    post_message(review, author=sre_member, body=APPROVAL)
    response = api_as(dri).get("/reviews/PRR-1/messages")
    assert response.status_code == 200
    page = response.json()
    assert (page["total"], page["per_page"], page["pages"]) == (3, 50, 1)
    assert [(m["author"], m["body"][:20]) for m in page["items"]] == [
        ("dana", "Please review the ru"),
        ("sam", "SRE review is comple"),
        (None, "'SRE review' is now "),
    ]
    assert page["items"][2]["in_reply_to"] == page["items"][1]["id"]


def test_messages_are_paginated(api_as, dri, review):
    for n in range(5):
        post_message(review, author=dri, body=f"Update number {n}")
    client = api_as(dri)
    page = client.get("/reviews/PRR-1/messages?per_page=2&page=3").json()
    assert [m["body"] for m in page["items"]] == ["Update number 4"]
    assert (page["total"], page["page"], page["pages"]) == (5, 3, 3)
    assert error_of(client.get("/reviews/PRR-1/messages?per_page=101")) == (422, "invalid_fields")


def test_a_message_too_long_is_refused(api_as, dri, review):
    response = api_as(dri).post("/reviews/PRR-1/messages", {"body": "x" * (MESSAGE_MAX_CHARS + 1)})
    assert error_of(response) == (422, "invalid_fields")
    assert not Message.objects.exists()


def test_a_message_needs_a_body(api_as, dri, review):
    client = api_as(dri)
    assert error_of(client.post("/reviews/PRR-1/messages", {})) == (422, "invalid_fields")
    assert error_of(client.post("/reviews/PRR-1/messages", {"body": ""})) == (
        422,
        "invalid_fields",
    )
    assert error_of(client.post("/reviews/PRR-1/messages", {"body": "   "})) == (
        422,
        "invalid_input",
    )
    assert not Message.objects.exists()


def test_posting_to_an_unknown_review_is_404(api_as, dri, review):
    response = api_as(dri).post("/reviews/PRR-5/messages", {"body": "hello"})
    assert error_of(response) == (404, "not_found")

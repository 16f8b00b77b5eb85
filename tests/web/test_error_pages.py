"""The 404 and 403 pages say what the service said, and never an internal name."""

from __future__ import annotations


def test_an_unknown_address_says_nothing_is_there(client, dri):
    client.force_login(dri)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    text = response.content.decode()
    assert "There is nothing at this address." in text
    assert "Resolver404" not in text


def test_an_unknown_review_says_which(client, dri, review):
    client.force_login(dri)
    response = client.get("/reviews/999/")
    assert response.status_code == 404
    assert "No review PRR-999." in response.content.decode()


def test_a_locked_database_is_a_503_page_that_says_so(client, sre_member, review, monkeypatch):
    from django.db import OperationalError

    from prr.web.views import reviews as review_views

    def locked(*args, **kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr(review_views, "post_message", locked)
    client.force_login(sre_member)
    client.raise_request_exception = False
    response = client.post(f"/reviews/{review.number}/messages/", {"body": "hello"})
    assert response.status_code == 503
    assert response["Retry-After"] == "1"
    assert "The database is busy" in response.content.decode()


def test_a_locked_database_answers_a_chat_in_json(client, db, settings, monkeypatch):
    """Slack (like Mattermost) gets a 503 whose `text` says to try again, not an HTML page."""
    import json

    from django.db import OperationalError

    from prr.integrations.slack import views as slack_views
    from prr.integrations.slack.signing import signed_headers

    def locked(*args, **kwargs):
        raise OperationalError("database is locked")

    settings.SLACK_SIGNING_SECRETS = ["8f742231b10e8888abcd99yyyzzz85a5"]
    monkeypatch.setattr(slack_views, "receive_event", locked)
    body = json.dumps(
        {
            "type": "event_callback",
            "event_id": "Ev1",
            "event": {"type": "message", "channel": "C1", "user": "U1", "text": "hi", "ts": "1.2"},
        }
    )
    headers = signed_headers(settings.SLACK_SIGNING_SECRETS[0], body)
    client.raise_request_exception = False
    response = client.post(
        "/integrations/slack/events", body, content_type="application/json", headers=headers
    )
    assert response.status_code == 503
    assert response["Retry-After"] == "1"
    assert response.json() == {"text": "prr is busy, try again in a moment."}

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

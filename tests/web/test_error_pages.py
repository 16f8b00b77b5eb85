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

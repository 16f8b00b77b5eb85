"""A long channel shows its latest messages, with the rest one link away."""

from __future__ import annotations

from prr.reviews.models import Message
from prr.web.review_page import CHANNEL_WINDOW


def fill(review, author, count):
    Message.objects.bulk_create(
        Message(review=review, author=author, body=f"note number {i}", source="web")
        for i in range(count)
    )


def test_the_page_shows_the_latest_messages_and_says_how_many_are_hidden(client, dri, review):
    fill(review, dri, CHANNEL_WINDOW + 5)
    client.force_login(dri)
    page = client.get(f"/reviews/{review.number}/").content.decode()
    assert "5 earlier messages not shown." in page
    assert f"note number {CHANNEL_WINDOW + 4}<" in page  # the newest
    assert "note number 4<" not in page  # among the five oldest
    assert "note number 5<" in page


def test_the_whole_channel_is_one_link_away_and_stays_whole_when_live(client, dri, review):
    fill(review, dri, CHANNEL_WINDOW + 5)
    client.force_login(dri)
    page = client.get(f"/reviews/{review.number}/?messages=all").content.decode()
    assert "earlier messages not shown" not in page
    assert "note number 0<" in page
    assert "messages=all" in page  # the live poll keeps asking for the whole channel
    live = client.get(f"/reviews/{review.number}/live/?v=0-0&messages=all").content.decode()
    assert "note number 0<" in live


def test_a_short_channel_shows_everything(client, dri, review):
    fill(review, dri, 3)
    client.force_login(dri)
    page = client.get(f"/reviews/{review.number}/").content.decode()
    assert "not shown" not in page
    assert "note number 0<" in page

"""Live updates: the page polls a cheap endpoint that answers 204 until something changes."""

from __future__ import annotations

import re

from django.db import connection
from django.test.utils import CaptureQueriesContext

from prr.reviews.answers import answer_section
from prr.reviews.channel import post_message
from prr.reviews.items import set_item_state
from prr.reviews.lifecycle import close_review
from tests.web.conftest import HTMX
from tests.web.pages import item_html, region


def token_of(html: str) -> str:
    match = re.search(r'data-version="([\d-]+)"', html)
    assert match
    return match.group(1)


def poll(client, review, token: str):
    return client.get(f"/reviews/{review.number}/live/?v={token}", **HTMX)


def test_the_page_polls_every_three_seconds(as_dri, review) -> None:
    html = as_dri.get(f"/reviews/{review.number}/").content.decode()
    token = token_of(html)
    assert (
        f'<div id="live" hx-get="/reviews/{review.number}/live/?v={token}" '
        'hx-trigger="every 3s" hx-swap="none"'
    ) in html


def test_nothing_changed_is_a_cheap_204(as_dri, review) -> None:
    token = token_of(as_dri.get(f"/reviews/{review.number}/").content.decode())
    with CaptureQueriesContext(connection) as captured:
        response = poll(as_dri, review, token)
    assert response.status_code == 204
    assert response.content == b""
    assert len(captured) <= 3  # session, user, the version


def test_someone_elses_message_and_approval_arrive(as_dri, review, sre_member) -> None:
    token = token_of(as_dri.get(f"/reviews/{review.number}/").content.decode())
    post_message(review, author=sre_member, body="SRE review is completed")
    response = poll(as_dri, review, token)
    assert response.status_code == 200
    html = response.content.decode()
    assert "SRE review is completed" in region(html, "messages")
    assert 'class="state-badge">done</span>' in item_html(html, "sre-review")
    assert "waiting for a member of team SRE" not in region(html, "review-header")
    assert 'id="composer"' not in html  # what the reader is typing stays
    assert 'id="document"' not in html
    new_token = token_of(html)
    assert new_token != token
    assert poll(as_dri, review, new_token).status_code == 204


def test_an_answer_swaps_only_its_section(as_sre, review, dri) -> None:
    token = token_of(as_sre.get(f"/reviews/{review.number}/").content.decode())
    answer_section(review, "architecture", "Depends on the **vault**.", by=dri)
    html = poll(as_sre, review, token).content.decode()
    assert 'id="section-architecture"' in html
    assert "Depends on the <strong>vault</strong>." in html
    assert 'id="section-summary"' not in html


def test_a_status_change_swaps_the_whole_document(as_dri, review, admin) -> None:
    token = token_of(as_dri.get(f"/reviews/{review.number}/").content.decode())
    close_review(review, by=admin, force=True, reason="Approved in the meeting")
    html = poll(as_dri, review, token).content.decode()
    assert 'id="document"' in html
    assert "Save answer" not in html
    assert "Snapshot v1" in region(html, "review-header")


def test_a_bad_token_gets_everything(as_dri, review, admin) -> None:
    set_item_state(review, "sre-review", "done", by=admin)
    html = poll(as_dri, review, "garbage").content.decode()
    assert 'id="document"' in html
    assert 'id="checklist"' in html


def test_an_unknown_review_is_a_404(as_dri, review) -> None:
    assert as_dri.get("/reviews/99/live/?v=0-0").status_code == 404

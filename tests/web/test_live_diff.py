"""A live update sends what changed since the page's version, not the page's regions again."""

from __future__ import annotations

import re

from django.db import connection
from django.test.utils import CaptureQueriesContext

from prr.reviews.channel import post_message
from prr.reviews.items import set_item_state
from prr.reviews.models import Message
from prr.reviews.services import record
from prr.reviews.starting import add_reviewers
from prr.web.review_page import LIVE_MAX_CHANGES
from tests.web.conftest import HTMX
from tests.web.pages import region

SMALL_UPDATE = 4 * 1024  # bytes: a message or an item, the header, a timeline line


def token_of(html: str) -> str:
    match = re.search(r'data-version="([\d-]+)"', html)
    assert match
    return match.group(1)


def poll(client, review, token: str) -> str:
    response = client.get(f"/reviews/{review.number}/live/?v={token}", **HTMX)
    assert response.status_code == 200
    return str(response.content.decode())


def fill(review, author, count: int) -> None:
    Message.objects.bulk_create(
        Message(review=review, author=author, body=f"Earlier note number {i}", source="web")
        for i in range(count)
    )


def page_token(client, review) -> str:
    return token_of(client.get(f"/reviews/{review.number}/").content.decode())


def test_a_new_message_is_appended_alone(as_dri, review, dri, sre_member) -> None:
    fill(review, dri, 60)
    token = page_token(as_dri, review)
    posted = post_message(review, author=sre_member, body="Canary at **5%** looks healthy")
    html = poll(as_dri, review, token)

    appended = region(html, f"message-{posted.message.pk}")
    assert "Canary at <strong>5%</strong> looks healthy" in appended
    assert '<ol hx-swap-oob="beforeend:#messages">' in html
    assert "Earlier note number" not in html
    assert 'id="messages"' not in html  # the list the reader scrolls stays where it is
    assert 'id="review-header"' not in html  # a plain message changes nothing else
    assert 'id="checklist"' not in html
    assert len(html.encode()) < SMALL_UPDATE
    # What the page got before for the same change: the whole channel and every other region.
    assert len(poll(as_dri, review, "resend-everything").encode()) > 4 * SMALL_UPDATE


def test_an_item_changed_elsewhere_is_replaced_with_the_readiness(
    as_dri, review, dri, sre_member
) -> None:
    fill(review, dri, 60)
    token = page_token(as_dri, review)
    set_item_state(review, "dashboards", "done", by=dri)
    html = poll(as_dri, review, token)

    item = region(html, "item-dashboards")
    assert 'hx-swap-oob="true"' in item
    assert 'class="state-badge">done</span>' in item
    assert "Dashboards linked" not in region(html, "review-header")  # no longer missing
    assert 'id="item-load-test"' not in html  # the other items stay as they are
    assert 'id="checklist"' not in html
    assert '<ol hx-swap-oob="afterbegin:#timeline-events">' in html
    assert "@dana marked &#x27;Dashboards linked&#x27; done" in html
    assert "Earlier note number" not in html
    assert len(html.encode()) < SMALL_UPDATE


def test_an_approval_sends_its_message_the_reply_and_the_item(as_dri, review, sre_member):
    token = page_token(as_dri, review)
    post_message(review, author=sre_member, body="first")
    token = token_of(poll(as_dri, review, token))
    post_message(review, author=sre_member, body="SRE review is completed")
    html = poll(as_dri, review, token)
    assert "SRE review is completed" in html
    assert 'class="state-badge">done</span>' in region(html, "item-sre-review")
    assert "first" not in html


def test_the_next_poll_after_an_update_is_a_204(as_dri, review, sre_member) -> None:
    token = page_token(as_dri, review)
    post_message(review, author=sre_member, body="Looks good so far")
    new_token = token_of(poll(as_dri, review, token))
    response = as_dri.get(f"/reviews/{review.number}/live/?v={new_token}", **HTMX)
    assert response.status_code == 204


def test_the_first_message_replaces_the_empty_channel(as_dri, review, sre_member) -> None:
    token = page_token(as_dri, review)
    post_message(review, author=sre_member, body="Hello, channel")
    html = poll(as_dri, review, token)
    messages = region(html, "messages")
    assert "Hello, channel" in messages
    assert "No messages yet." not in messages


def test_a_page_far_behind_gets_whole_regions(as_dri, review, dri) -> None:
    post_message(review, author=dri, body="kick-off")
    token = page_token(as_dri, review)
    fill(review, dri, LIVE_MAX_CHANGES + 1)
    html = poll(as_dri, review, token)
    assert 'id="messages"' in html
    assert 'id="checklist"' in html
    assert "beforeend:#messages" not in html


def test_a_change_it_does_not_know_sends_every_region(as_dri, review, dri) -> None:
    token = page_token(as_dri, review)
    # A kind this page does not know yet (one a newer prr might write): outside the vocabulary.
    unknown = "review.future_kind"
    record(review, unknown, "@dana did something new", actor=dri)  # type: ignore[arg-type]
    html = poll(as_dri, review, token)
    for element_id in ("review-header", "document", "checklist", "timeline"):
        assert f'id="{element_id}"' in html


def test_added_reviewers_update_the_header_only(as_dri, review, dri, sre_member) -> None:
    token = page_token(as_dri, review)
    add_reviewers(review, users=[sre_member], by=dri)
    html = poll(as_dri, review, token)
    assert "@sam" in region(html, "review-header")
    assert 'id="checklist"' not in html
    assert 'id="document"' not in html


def test_an_update_costs_the_same_queries_however_long_the_channel(
    as_dri, review, dri, sre_member
) -> None:
    counts = []
    for size in (5, 150):
        fill(review, dri, size)
        token = page_token(as_dri, review)
        post_message(review, author=sre_member, body="SRE review is completed")
        with CaptureQueriesContext(connection) as captured:
            poll(as_dri, review, token)
        counts.append(len(captured))
        set_item_state(review, "sre-review", "open", by=sre_member)
    assert counts[0] == counts[1]


def test_my_own_post_answers_with_what_changed_and_an_empty_composer(as_sre, review, dri) -> None:
    fill(review, dri, 60)
    token = page_token(as_sre, review)
    response = as_sre.post(
        f"/reviews/{review.number}/messages/",
        {"body": "SRE review is completed", "since": token},
        **HTMX,
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "SRE review is completed" in html
    assert 'class="state-badge">done</span>' in region(html, "item-sre-review")
    assert "></textarea>" in region(html, "composer")  # emptied
    assert "Earlier note number" not in html
    assert len(html.encode()) < 2 * SMALL_UPDATE


def test_my_own_item_change_answers_with_that_item(as_dri, review, dri) -> None:
    fill(review, dri, 60)
    token = page_token(as_dri, review)
    response = as_dri.post(
        f"/reviews/{review.number}/items/dashboards/",
        {"state": "done", "since": token},
        **HTMX,
    )
    html = response.content.decode()
    assert 'class="state-badge">done</span>' in region(html, "item-dashboards")
    assert 'id="checklist"' not in html
    assert "Earlier note number" not in html
    assert len(html.encode()) < SMALL_UPDATE


def test_a_refusal_keeps_the_page_version_so_nothing_is_skipped(
    as_outsider, review, sre_member
) -> None:
    token = page_token(as_outsider, review)
    post_message(review, author=sre_member, body="Posted while Oscar was clicking")
    response = as_outsider.post(
        f"/reviews/{review.number}/items/sre-review/",
        {"state": "done", "since": token},
        **HTMX,
    )
    assert response.status_code == 403
    assert 'id="live"' not in response.content.decode()
    assert "Posted while Oscar was clicking" in poll(as_outsider, review, token)

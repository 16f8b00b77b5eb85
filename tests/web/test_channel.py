"""Posting in the channel: plain form (Post/Redirect/Get) and htmx (regions swapped)."""

from __future__ import annotations

from prr.reviews.lifecycle import close_review
from prr.reviews.models import Message, ReviewItem
from tests.web.conftest import HTMX
from tests.web.pages import item_html, region


def post_url(review) -> str:
    return f"/reviews/{review.number}/messages/"


def test_posting_without_javascript_redirects_to_the_message(as_dri, review) -> None:
    response = as_dri.post(post_url(review), {"body": "Dashboards are linked in the doc."})
    message = Message.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/reviews/{review.number}/#message-{message.pk}"
    assert message.author.username == "dana"
    assert message.source == "web"
    page = as_dri.get(response["Location"]).content.decode()
    assert "Message posted." in page
    assert "Dashboards are linked in the doc." in page


def test_an_sre_approval_by_phrase_marks_the_item_done(as_sre, review) -> None:
    response = as_sre.post(post_url(review), {"body": "SRE review is completed"}, follow=True)
    item = review.items.get(key="sre-review")
    assert item.state == ReviewItem.State.DONE
    html = response.content.decode()
    assert "'SRE review' is now done: approved by @sam (member of team SRE)" in html
    assert "waiting for a member of team SRE" not in html


def test_the_outsiders_phrase_changes_nothing_and_the_reply_says_why(
    as_outsider, review, sre_member
) -> None:
    response = as_outsider.post(post_url(review), {"body": "SRE review is completed"})
    assert response.status_code == 302
    assert review.items.get(key="sre-review").state == ReviewItem.State.OPEN
    reply = Message.objects.get(source="system")
    assert response["Location"].endswith(f"#message-{reply.pk}")
    html = as_outsider.get(response["Location"]).content.decode()
    assert (
        "@oscar is not a member of team SRE, so this does not change 'SRE review'. "
        "Who can: SRE: @sam." in html
    )


def test_htmx_post_returns_the_changed_regions(as_sre, review) -> None:
    response = as_sre.post(post_url(review), {"body": "SRE review is completed"}, **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    regions = ("review-header", "approvals", "checklist", "messages", "composer", "timeline")
    for element_id in (*regions, "live"):
        assert f'id="{element_id}"' in html
    assert html.count('hx-swap-oob="true"') == 7
    assert 'class="state-badge">done</span>' in item_html(html, "sre-review")
    assert "SRE review is completed" in region(html, "messages")
    composer = region(html, "composer")
    assert "></textarea>" in composer  # emptied for the next message


def test_an_empty_message_is_refused_in_the_composer(as_dri, review) -> None:
    response = as_dri.post(post_url(review), {"body": "   "}, **HTMX)
    assert response.status_code == 400
    html = response.content.decode()
    assert "The message is empty." in region(html, "composer")
    assert 'id="messages"' not in html
    assert not Message.objects.exists()


def test_without_javascript_a_refusal_is_shown_on_the_page(as_dri, review) -> None:
    response = as_dri.post(post_url(review), {"body": "x" * 20_001})
    assert response.status_code == 400
    composer = region(response.content.decode(), "composer")
    assert "The message is longer than 20,000 characters." in composer
    assert "x" * 100 in composer  # the text typed is kept


def test_a_closed_review_keeps_its_channel_but_approvals_do_not_count(
    as_sre, review, admin
) -> None:
    close_review(review, by=admin, force=True, reason="Approved in the meeting")
    response = as_sre.post(post_url(review), {"body": "SRE review is completed"}, follow=True)
    assert review.items.get(key="sre-review").state == ReviewItem.State.OPEN
    assert "approvals no longer change it" in response.content.decode()


def test_posting_needs_the_csrf_token(sre_member, review) -> None:
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(sre_member)
    response = client.post(post_url(review), {"body": "SRE review is completed"})
    assert response.status_code == 403
    assert not Message.objects.exists()
    page = client.get(f"/reviews/{review.number}/").content.decode()
    token = client.cookies["csrftoken"].value
    assert 'hx-headers=\'{"X-CSRFToken": "' in page
    response = client.post(
        post_url(review), {"body": "SRE review is completed"}, HTTP_X_CSRFTOKEN=token, **HTMX
    )
    assert response.status_code == 200
    assert review.items.get(key="sre-review").state == ReviewItem.State.DONE

"""The review page: header and readiness, document, checklist, channel, timeline."""

from __future__ import annotations

import re

from prr.reviews.answers import answer_section
from prr.reviews.channel import post_message
from prr.reviews.items import set_item_state
from prr.reviews.lifecycle import cancel_review, close_review
from tests.web.pages import header_html, item_html, region, section_html


def url(review) -> str:
    return f"/reviews/{review.number}/"


def test_the_header_shows_the_review_and_what_is_missing_by_team(
    as_outsider, review, sre_member
) -> None:
    html = header_html(as_outsider.get(url(review)).content.decode())
    assert f"PRR-{review.number}" in html
    assert "Payments API: move card tokenisation to the vault" in html
    assert "Dana Reyes (@dana)" in html
    assert "<dd>SRE, Security</dd>" in html  # the approving teams
    assert '<h3>Team SRE</h3> <span class="count">1 open</span>' in html
    assert "SRE review is still open; waiting for a member of team SRE to approve" in html
    assert "<h3>DRI</h3>" in html
    assert "Ready to close" not in html


def test_a_complete_review_is_ready_to_close(as_dri, review, dri, admin) -> None:
    for key in ("dashboards", "load-test", "sre-review", "security-review"):
        set_item_state(review, key, "done", by=admin)
    html = header_html(as_dri.get(url(review)).content.decode())
    assert "Ready to close" in html
    assert "Still missing" not in html


def test_a_reference_redirects_to_the_number(as_dri, review) -> None:
    response = as_dri.get(f"/reviews/PRR-{review.number}/")
    assert response.status_code == 302
    assert response["Location"] == url(review)
    assert as_dri.get(f"/reviews/prr-{review.number}/")["Location"] == url(review)


def test_an_unknown_review_is_a_404_in_the_sites_style(as_dri, review) -> None:
    response = as_dri.get("/reviews/99/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "No review PRR-99." in html
    assert 'href="/static/web/prr.css"' in html
    assert as_dri.get("/reviews/PRR-99/").status_code == 302  # then 404 on the number
    assert as_dri.get("/reviews/not-a-ref/").status_code == 404


def test_the_document_shows_questions_and_the_rendered_answer(as_sre, review, dri) -> None:
    answer_section(review, "summary", "Card tokens move to **the vault**.", by=dri)
    html = section_html(as_sre.get(url(review)).content.decode(), "summary")
    assert "What is being launched, and for whom?" in html
    assert "Card tokens move to <strong>the vault</strong>." in html
    assert "Last edited by @dana" in html
    assert "<textarea" not in html  # Sam may read, not edit


def test_only_the_dri_or_an_admin_get_the_answer_form(as_dri, as_admin, review) -> None:
    html = section_html(as_dri.get(url(review)).content.decode(), "architecture")
    assert '<label for="answer-architecture">Answer: Architecture</label>' in html
    assert ">Save answer</button>" in html
    assert "Save answer" in as_admin.get(url(review)).content.decode()


def test_a_closed_review_has_nothing_editable(as_dri, review, admin) -> None:
    close_review(review, by=admin, force=True, reason="Launch approved offline")
    html = as_dri.get(url(review)).content.decode()
    assert "Save answer" not in html
    assert "Mark done" not in html
    assert "its checklist no longer changes" in html
    assert "Close review" not in html
    assert "Snapshot v1" in html


def test_checklist_buttons_follow_who_may_change_each_item(
    as_dri, as_sre, as_outsider, review
) -> None:
    dri_page = as_dri.get(url(review)).content.decode()
    assert "Mark done" in item_html(dri_page, "dashboards")
    assert "Mark n/a" in item_html(dri_page, "dashboards")
    assert "Mark done" not in item_html(dri_page, "sre-review")
    # Who may change an item is said once for its owner's items, not on every card.
    assert "Only a member of team SRE or an admin can change this item." in region(
        dri_page, "checklist"
    )
    assert "can change" not in item_html(dri_page, "sre-review")
    sre_page = as_sre.get(url(review)).content.decode()
    assert "Mark done" in item_html(sre_page, "sre-review")
    assert "Mark n/a" not in item_html(sre_page, "sre-review")  # approvals never n/a
    checklist = region(sre_page, "checklist")
    assert checklist.count("Only the DRI (@dana) or an admin can change these 3 items.") == 1
    assert "can change" not in item_html(sre_page, "dashboards")
    outsider_page = as_outsider.get(url(review)).content.decode()
    assert "Mark done" not in outsider_page
    assert "Close review" not in outsider_page
    assert "Cancel review" not in outsider_page


def test_an_item_says_who_changed_it_and_how(as_dri, review, sre_member, dri) -> None:
    result = post_message(review, author=sre_member, body="SRE review is completed")
    set_item_state(review, "dashboards", "n/a", by=dri, reason="No UI in this service")
    html = as_dri.get(url(review)).content.decode()
    sre = item_html(html, "sre-review")
    assert "@sam" in sre
    assert f'by a phrase in <a href="#message-{result.message.pk}">' in sre
    assert "Reopen" in item_html(html, "dashboards")
    assert "by hand" in item_html(html, "dashboards")
    assert "Reason: No UI in this service" in item_html(html, "dashboards")


def test_the_channel_shows_messages_and_system_replies(as_dri, review, outsider) -> None:
    result = post_message(review, author=outsider, body="SRE review is completed")
    html = region(as_dri.get(url(review)).content.decode(), "messages")
    assert f'id="message-{result.message.pk}" class="message"' in html
    reply = result.replies[0]
    assert f'id="message-{reply.pk}" class="message reply" data-source="system"' in html
    assert "@oscar is not a member of team SRE" in html


def test_the_composer_and_the_timeline(as_outsider, review, outsider) -> None:
    post_message(review, author=outsider, body="SRE review is completed")
    html = as_outsider.get(url(review)).content.decode()
    assert '<label for="message-body">Message</label>' in html
    assert ">Post message</button>" in html
    timeline = region(html, "timeline")
    # newest first
    assert timeline.index("did not change &#x27;SRE review&#x27;") < timeline.index("started")


def test_actions_are_shown_only_to_those_who_may(as_dri, as_admin, review, dri) -> None:
    dri_page = header_html(as_dri.get(url(review)).content.decode())
    assert ">Close review</button>" in dri_page
    assert ">Cancel review</button>" in dri_page
    assert "Reopen review" not in dri_page
    cancel_review(review, by=dri, reason="Project stopped")
    assert "Reopen review" not in as_dri.get(url(review)).content.decode()
    assert ">Reopen review</button>" in as_admin.get(url(review)).content.decode()


def test_user_text_is_never_live_html(as_dri, review, dri, outsider) -> None:
    attacks = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>"]
    for body in attacks:
        post_message(review, author=outsider, body=body)
    answer_section(review, "summary", "\n\n".join(attacks) + "\n\n[x](javascript:alert(1))", by=dri)
    html = as_dri.get(url(review)).content.decode()
    assert "<script>alert" not in html
    assert "<img src=x" not in html
    assert "onerror=alert(1)>" not in html.replace("&lt;img src=x onerror=alert(1)&gt;", "")
    assert 'href="javascript' not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # shown as text
    # the only scripts are files served from /static/web/ (htmx and ours), no inline ones
    scripts = re.findall(r"<script[^>]*>", html)
    assert scripts
    assert all(re.fullmatch(r'<script src="/static/web/[\w./-]+\.js" defer>', s) for s in scripts)
    assert '<script src="/static/web/vendor/htmx.min.js" defer></script>' in html
    assert "style=" not in html
    assert "<style" not in html


def test_the_page_needs_no_more_queries_for_more_messages(as_dri, review, sre_member) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            as_dri.get(url(review))
        return len(captured)

    post_message(review, author=sre_member, body="First question about the vault")
    few = count()
    for n in range(15):
        post_message(review, author=sre_member, body=f"Question number {n}")
    assert count() == few

"""The review page leads with who it waits on: the approvals box, progress, due dates, the
checklist's filters and a close button that says whether closing can succeed."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from prr.accounts.services import create_user
from prr.reviews.approvals import approvals_of
from prr.reviews.channel import post_message
from prr.reviews.items import set_item_state
from prr.reviews.lifecycle import close_review
from prr.reviews.models import Message, ReviewItem
from prr.reviews.queries import progress_of
from prr.reviews.starting import start_review
from prr.teams.services import add_members
from tests.web.conftest import HTMX, signed_in
from tests.web.pages import header_html, item_html, region


def url(review, query: str = "") -> str:
    return f"/reviews/{review.number}/{query}"


def page(client, review, query: str = "") -> str:
    response = client.get(url(review, query))
    assert response.status_code == 200
    return str(response.content.decode())


def approval_html(html: str, key: str) -> str:
    return region(html, f"approval-{key}")


def approval_keys(html: str) -> list[str]:
    return re.findall(r'<tr id="approval-([\w-]+)"', region(html, "approvals"))


def item_keys(html: str) -> list[str]:
    return re.findall(r'<li id="item-([\w-]+)"', region(html, "checklist"))


def token_of(html: str) -> str:
    match = re.search(r'data-version="([\d-]+)"', html)
    assert match
    return match.group(1)


def poll(client, review, token: str, query: str = "") -> str:
    response = client.get(f"/reviews/{review.number}/live/?v={token}{query}", **HTMX)
    assert response.status_code == 200
    return str(response.content.decode())


APPROVE = {"body": "SRE review is completed", "from": "approvals"}


# -- the approvals box ------------------------------------------------------------------------


def test_a_member_of_the_team_sees_the_button_with_the_phrase(as_sre, review) -> None:
    sre = approval_html(page(as_sre, review), "sre-review")
    assert ">Approve as SRE</button>" in sre
    assert '<input type="hidden" name="body" value="SRE review is completed">' in sre
    assert f'action="/reviews/{review.number}/messages/"' in sre  # the channel's own form
    assert '<span class="state-badge">waiting</span>' in sre
    assert "Can approve: @sam" in sre
    assert "your team" in sre


def test_approving_from_the_box_marks_the_item_done_with_who_when_and_which_message(
    as_sre, review
) -> None:
    response = as_sre.post(url(review, "messages/"), APPROVE)
    assert response.status_code == 302
    assert response["Location"] == f"/reviews/{review.number}/#approvals"
    item = review.items.get(key="sre-review")
    assert item.state == ReviewItem.State.DONE
    message = Message.objects.get(review=review, body="SRE review is completed")
    assert (item.changed_by_message, message.author.username) == (message, "sam")

    sre = approval_html(page(as_sre, review), "sre-review")
    assert '<span class="state-badge">approved</span>' in sre
    assert "Approved by @sam" in sre
    assert f'<time datetime="{item.changed_at.isoformat()}">' in sre
    assert f'in <a href="#message-{message.pk}">message #{message.pk}</a>' in sre
    assert "Approve as SRE" not in sre


def test_approving_with_htmx_answers_with_the_box_and_keeps_the_composer(as_sre, review) -> None:
    token = token_of(page(as_sre, review))
    response = as_sre.post(url(review, "messages/"), {**APPROVE, "since": token}, **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Approved by @sam" in approval_html(html, "sre-review")
    assert 'hx-swap-oob="true"' in region(html, "approvals")
    assert 'class="state-badge">done</span>' in item_html(html, "sre-review")
    assert "1 of 4 required items complete" in header_html(html)
    assert 'id="composer"' not in html  # what Sam was typing stays


def test_an_outsider_sees_who_can_approve_and_the_phrase_but_no_button(
    as_outsider, review, sre_member
) -> None:
    html = page(as_outsider, review)
    sre = approval_html(html, "sre-review")
    assert "Can approve: @sam" in sre
    assert '<code class="phrase">SRE review is completed</code>' in sre
    assert "your team" not in sre
    assert "<button" not in region(html, "approvals")
    assert "Approve as" not in html


def test_a_team_without_members_says_so_and_optional_is_shown(as_outsider, review) -> None:
    html = page(as_outsider, review)
    product = approval_html(html, "product-review")
    assert "Can approve: no members" in product
    assert '<span class="optional">optional</span>' in product
    assert '<span class="optional">required</span>' in approval_html(html, "sre-review")


def test_my_own_pending_approval_comes_first(as_outsider, review, security_member) -> None:
    as_sid = signed_in(security_member)
    assert approval_keys(page(as_sid, review)) == [
        "security-review",
        "sre-review",
        "product-review",
    ]
    assert approval_keys(page(as_outsider, review)) == [
        "sre-review",
        "security-review",
        "product-review",
    ]
    post_message(review, author=security_member, body="Security review is completed")
    # Given, it takes its place in the checklist's order again.
    assert approval_keys(page(as_sid, review))[0] == "sre-review"


def test_the_default_playbooks_approvals_are_all_in_the_box(
    as_sre, default_playbook, dri, sre_member
) -> None:
    review = start_review(
        version=default_playbook,
        title="Search cluster: upgrade Elasticsearch to 8",
        dri=dri,
        kind="infrastructure",
    )
    html = page(as_sre, review)
    keys = approval_keys(html)
    assert len(keys) == 4
    assert re.findall(r'<code class="phrase">([^<]+)</code>', region(html, "approvals")) == [
        "SRE review is completed",
        "Platform review is completed",
        "Security review is completed",
        "Product review is completed",
    ]
    assert region(html, "approvals").count("</button>") == 1  # Sam is in SRE only


def test_a_closed_review_offers_no_approval(as_sre, review, admin) -> None:
    close_review(review, by=admin, force=True, reason="Approved in the launch meeting")
    html = region(page(as_sre, review), "approvals")
    assert "Approve as" not in html
    assert '<span class="state-badge">not approved</span>' in html


def test_the_box_costs_two_queries_however_many_members(review, sre_member, teams) -> None:
    counts = []
    for n in range(2):
        add_members(teams["sre"], [create_user(f"sre{n}a"), create_user(f"sre{n}b")])
        add_members(teams["product"], [create_user(f"product{n}")])
        with CaptureQueriesContext(connection) as captured:
            rows = approvals_of(review, sre_member, now=timezone.now())
        counts.append(len(captured))
    assert counts == [2, 2]
    assert rows[0].approvers == ("@sam", "@sre0a", "@sre0b", "@sre1a", "@sre1b")


# -- progress, due dates ----------------------------------------------------------------------


def test_the_header_has_an_accessible_progress_bar(as_dri, review, dri, sre_member) -> None:
    html = header_html(page(as_dri, review))
    assert '<progress max="4" value="0" aria-label="Required items complete">' in html
    assert "0 of 4 required items complete" in html
    set_item_state(review, "dashboards", "done", by=dri)
    set_item_state(review, "tracing", "done", by=dri)  # optional: not counted
    post_message(review, author=sre_member, body="SRE review is completed")
    html = header_html(page(as_dri, review))
    assert '<progress max="4" value="2" aria-label="Required items complete">' in html
    assert "2 of 4 required items complete" in html


def test_overdue_and_due_soon_items_are_counted_in_the_header_and_badged(as_dri, review) -> None:
    now = timezone.now()
    review.items.filter(key="security-review").update(due_at=now - timedelta(days=1))
    review.items.filter(key="load-test").update(due_at=now + timedelta(days=1))
    review.items.filter(key="dashboards").update(due_at=now + timedelta(days=30))
    html = page(as_dri, review)
    header = header_html(html)
    assert '<a class="overdue" href="?show=open#checklist">1 overdue</a>' in header
    assert '<span class="due-soon">1 due soon</span>' in header
    badge = '<span class="due-badge due-overdue">overdue</span>'
    assert badge in item_html(html, "security-review")
    assert badge in approval_html(html, "security-review")
    assert '<span class="due-badge due-due-soon">due soon</span>' in item_html(html, "load-test")
    assert "due-badge" not in item_html(html, "dashboards")
    # The badges and the header count by the same rule as the dashboard.
    progress = progress_of([review])[review.pk]
    assert (progress.overdue, progress.due_soon) == (1, 1)
    assert region(html, "checklist").count(badge) == progress.overdue


def test_a_done_item_is_no_longer_overdue(as_sre, review) -> None:
    review.items.filter(key="sre-review").update(due_at=timezone.now() - timedelta(days=1))
    as_sre.post(url(review, "messages/"), APPROVE)
    html = page(as_sre, review)
    assert "overdue" not in header_html(html)
    assert "due-badge" not in item_html(html, "sre-review")


# -- the checklist's filters -------------------------------------------------------------------


def test_the_filters_are_links_that_work_without_javascript(as_dri, review) -> None:
    html = region(page(as_dri, review, "?show=open"), "checklist")
    assert '<nav class="checklist-filter" aria-label="Show in the checklist">' in html
    assert '<a href="?show=open#checklist" aria-current="true">Open only</a>' in html
    assert '<a href="?#checklist">All</a>' in html
    assert '<a href="?show=mine#checklist">Mine</a>' in html


def test_open_only_hides_what_is_done(as_dri, review, dri) -> None:
    set_item_state(review, "dashboards", "done", by=dri)
    html = page(as_dri, review, "?show=open")
    assert "dashboards" not in item_keys(html)
    assert "load-test" in item_keys(html)
    assert "dashboards" in item_keys(page(as_dri, review))


def test_mine_is_what_i_may_change(as_dri, as_sre, as_outsider, review) -> None:
    assert item_keys(page(as_sre, review, "?show=mine")) == ["sre-review"]
    assert item_keys(page(as_dri, review, "?show=mine")) == ["dashboards", "load-test", "tracing"]
    html = page(as_outsider, review, "?show=mine")
    assert item_keys(html) == []
    assert "None of these items is yours to change or assigned to you." in region(html, "checklist")


def test_approvals_shows_the_approvals_only(as_dri, review) -> None:
    assert item_keys(page(as_dri, review, "?show=approvals")) == [
        "sre-review",
        "security-review",
        "product-review",
    ]


def test_an_unknown_filter_shows_everything(as_dri, review) -> None:
    assert len(item_keys(page(as_dri, review, "?show=everything"))) == 6


def test_a_filtered_page_keeps_its_filter_across_an_action(as_dri, review) -> None:
    html = page(as_dri, review, "?show=open")
    assert '<input type="hidden" name="show" value="open">' in region(html, "live")
    assert "&amp;show=open" in region(html, "live")
    response = as_dri.post(url(review, "items/dashboards/"), {"state": "done", "show": "open"})
    assert response["Location"] == f"/reviews/{review.number}/?show=open#item-dashboards"


def test_who_may_change_is_said_once_per_owner(as_outsider, review) -> None:
    html = unescape(region(page(as_outsider, review), "checklist"))
    assert html.count("Only the DRI (@dana) or an admin can change these 3 items.") == 1
    assert html.count("Only a member of team SRE or an admin can change this item.") == 1
    assert html.count("can change") == 4  # DRI's items, SRE, Security, Product


# -- closing -----------------------------------------------------------------------------------


def test_close_is_a_secondary_button_until_the_review_is_ready(as_dri, review, dri, admin) -> None:
    header = header_html(page(as_dri, review))
    assert '<button type="submit">Close review</button>' in header
    for key in ("dashboards", "load-test", "sre-review", "security-review"):
        set_item_state(review, key, "done", by=admin)
    header = header_html(page(as_dri, review))
    assert '<button type="submit" class="primary">Close review</button>' in header


def test_the_close_confirmation_groups_what_is_missing_by_owner(as_dri, review, dri) -> None:
    set_item_state(review, "dashboards", "done", by=dri)
    html = unescape(as_dri.get(url(review, "close/")).content.decode())
    groups = re.findall(r"<h3>(.*?) <span", html)
    assert groups == ["DRI @dana", "Team Security", "Team SRE"]
    assert '<h3>DRI @dana <span class="count">1 open</span></h3>' in html
    assert "Load test done is still open; waiting for the DRI @dana" in html
    assert '<button type="submit">Confirm close</button>' in html  # not primary: it would fail


def test_a_refused_close_still_groups_what_is_missing(as_dri, review) -> None:
    response = as_dri.post(url(review, "close/"))
    assert response.status_code == 409
    html = unescape(response.content.decode())
    assert "cannot be closed yet" in html
    assert '<h3>Team SRE <span class="count">1 open</span></h3>' in html
    assert html.count("SRE review is still open") == 1


# -- live updates -----------------------------------------------------------------------------


def test_a_live_update_after_someone_elses_approval_carries_the_box(
    as_dri, review, sre_member
) -> None:
    token = token_of(page(as_dri, review))
    posted = post_message(review, author=sre_member, body="SRE review is completed")
    html = poll(as_dri, review, token)
    sre = approval_html(html, "sre-review")
    assert "Approved by @sam" in sre
    assert f'href="#message-{posted.message.pk}"' in sre
    assert 'hx-swap-oob="true"' in region(html, "approvals")
    assert "1 of 4 required items complete" in header_html(html)


def test_a_live_update_for_a_dri_item_leaves_the_box_alone(as_dri, review, dri) -> None:
    token = token_of(page(as_dri, review))
    set_item_state(review, "dashboards", "done", by=dri)
    html = poll(as_dri, review, token)
    assert 'id="approvals"' not in html
    assert "1 of 4 required items complete" in header_html(html)


def test_a_filtered_page_gets_its_checklist_again_when_an_item_changes(as_dri, review, dri) -> None:
    token = token_of(page(as_dri, review, "?show=open"))
    set_item_state(review, "dashboards", "done", by=dri)
    html = poll(as_dri, review, token, "&show=open")
    assert "dashboards" not in item_keys(html)  # left the list of open items
    assert '<a href="?show=open#checklist" aria-current="true">' in region(html, "checklist")


def test_a_closed_review_removes_the_button_live(as_sre, review, admin) -> None:
    token = token_of(page(as_sre, review))
    close_review(review, by=admin, force=True, reason="Approved in the launch meeting")
    html = poll(as_sre, review, token)
    assert "Approve as" not in region(html, "approvals")

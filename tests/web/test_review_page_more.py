"""The review page, second part of issue 13: assignees, adding reviewers, what chat hears,
clickable links, answers with a preview, where the focus lands, the checklist's order, the
snapshot page, and the dark colours."""

from __future__ import annotations

import json
import re
from html import unescape
from pathlib import Path

import pytest
from django.test import Client

from prr.accounts.models import User
from prr.accounts.services import create_user, deactivate_user
from prr.integrations.chat.services import link_channel
from prr.playbooks.services import import_playbook
from prr.reviews.answers import answer_section
from prr.reviews.assignment import assign_item, assignable_to, may_assign
from prr.reviews.channel import post_message
from prr.reviews.lifecycle import close_review
from prr.reviews.models import Answer, Review
from prr.reviews.starting import add_reviewers, start_review
from prr.teams.models import Team
from prr.teams.services import add_members, remove_members
from tests.web.conftest import HTMX, signed_in
from tests.web.pages import header_html, item_html, region, section_html

CSS = Path(__file__).parents[2] / "src/prr/web/static/web/prr.css"


def url(review: Review, tail: str = "") -> str:
    return f"/reviews/{review.number}/{tail}"


def page(client: Client, review: Review, query: str = "") -> str:
    response = client.get(url(review) + query)
    assert response.status_code == 200
    return str(response.content.decode())


def token_of(html: str) -> str:
    match = re.search(r'data-version="([\d-]+)"', html)
    assert match
    return match.group(1)


def poll(client: Client, review: Review, token: str) -> str:
    response = client.get(url(review, f"live/?v={token}"), **HTMX)
    assert response.status_code == 200
    return str(response.content.decode())


def focus_of(response) -> dict[str, str]:
    """What the page's script is told to focus and say after an htmx action."""
    return dict(json.loads(response["HX-Trigger-After-Settle"])["prr:focus"])


def options(html: str, key: str) -> list[str]:
    select = re.search(rf'<select id="assignee-{key}".*?</select>', html, re.S)
    assert select, f"no assignee select for {key}"
    return re.findall(r'<option value="([^"]*)"', select.group(0))


def item_keys(html: str) -> list[str]:
    return re.findall(r'<li id="item-([\w-]+)"', region(html, "checklist"))


@pytest.fixture
def sue(sre_member: User, teams: dict[str, Team]) -> User:
    """A second member of SRE, next to Sam."""
    user = create_user("sue", display_name="Sue Park")
    add_members(teams["sre"], [user])
    return user


# -- assignees --------------------------------------------------------------------------------


def test_an_item_card_says_who_it_is_assigned_to(as_outsider, review, sre_member, sue) -> None:
    assign_item(review, "sre-review", sue, by=sre_member)
    html = page(as_outsider, review)
    assert "Assigned to @sue" in item_html(html, "sre-review")
    assert "Assigned to" not in item_html(html, "dashboards")
    assert "Assign to" not in region(html, "checklist")  # Oscar may not assign


def test_a_team_item_is_offered_to_its_current_members_only(
    as_sre, review, sre_member, sue, outsider, teams
) -> None:
    gone = create_user("gwen")
    add_members(teams["sre"], [gone])
    remove_members(teams["sre"], [gone])
    html = page(as_sre, review)
    assert options(html, "sre-review") == ["", "sam", "sue"]  # "" is nobody
    assert "Assign to" not in item_html(html, "dashboards")  # Sam does not own the DRI's items


def test_a_dri_item_is_offered_to_the_people_around_the_review(
    as_dri, review, dri, sre_member, security_member, outsider, teams
) -> None:
    someone = create_user("rita")  # a reviewer by name
    add_reviewers(review, by=dri, users=[someone])
    deactivate_user(create_user("zed"))
    add_members(teams["platform"], [create_user("pat")])  # Platform does not review this one
    html = page(as_dri, review)
    assert options(html, "dashboards") == ["", "dana", "rita", "sam", "sid"]
    assert "Assign to" not in item_html(html, "sre-review")
    # What the page offers is the helper's answer, and every one of them may be assigned.
    item = review.items.get(key="dashboards")
    assert [u.username for u in assignable_to(item, review)] == ["dana", "rita", "sam", "sid"]


def test_who_may_assign_is_the_services_rule(review, dri, sre_member, outsider, admin) -> None:
    sre = review.items.select_related("owner_team").get(key="sre-review")
    dashboards = review.items.select_related("owner_team").get(key="dashboards")
    assert may_assign(sre_member, sre, review)
    assert not may_assign(dri, sre, review)
    assert may_assign(dri, dashboards, review)
    assert not may_assign(outsider, dashboards, review)
    assert may_assign(admin, sre, review)
    assert may_assign(admin, dashboards, review)


def test_an_admin_may_assign_any_item(as_admin, review, sre_member) -> None:
    html = page(as_admin, review)
    for key in ("dashboards", "sre-review"):
        assert f'<select id="assignee-{key}"' in item_html(html, key)
    # A team with nobody in it has nobody to offer: no form rather than an empty one.
    assert "Assign" not in item_html(html, "security-review")


def test_assigning_without_javascript(as_sre, review, sue) -> None:
    response = as_sre.post(url(review, "items/sre-review/assignee/"), {"assignee": "sue"})
    assert response.status_code == 302
    assert response["Location"] == f"/reviews/{review.number}/#item-sre-review"
    assert review.items.get(key="sre-review").assignee == sue
    html = page(as_sre, review)
    assert "&#x27;SRE review&#x27; is assigned to @sue." in html
    sre = item_html(html, "sre-review")
    assert "Assigned to @sue" in sre
    assert '<option value="sue" selected>@sue</option>' in sre
    assert "Reassign…" in sre
    assert "@sam assigned &#x27;SRE review&#x27; to @sue" in region(html, "timeline")


def test_nobody_unassigns(as_sre, review, sre_member, sue) -> None:
    assign_item(review, "sre-review", sue, by=sre_member)
    response = as_sre.post(url(review, "items/sre-review/assignee/"), {"assignee": ""})
    assert response.status_code == 302
    assert review.items.get(key="sre-review").assignee is None
    assert "Assigned to" not in item_html(page(as_sre, review), "sre-review")


def test_assigning_with_htmx_answers_with_the_item_and_where_to_look(as_sre, review, sue) -> None:
    token = token_of(page(as_sre, review))
    response = as_sre.post(
        url(review, "items/sre-review/assignee/"), {"assignee": "sue", "since": token}, **HTMX
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Assigned to @sue" in item_html(html, "sre-review")
    assert 'id="checklist"' not in html  # the item alone
    assert focus_of(response) == {
        "element": "item-sre-review",
        "note": "'SRE review' is assigned to @sue.",
    }


def test_an_outsider_may_not_assign(as_outsider, review, outsider) -> None:
    response = as_outsider.post(url(review, "items/sre-review/assignee/"), {"assignee": "oscar"})
    assert response.status_code == 403
    assert "Only a member of team SRE or an admin can assign &#x27;SRE review&#x27;." in (
        item_html(response.content.decode(), "sre-review")
    )
    assert review.items.get(key="sre-review").assignee is None


def test_a_team_item_is_not_given_to_a_non_member(as_sre, review, outsider) -> None:
    response = as_sre.post(url(review, "items/sre-review/assignee/"), {"assignee": "oscar"}, **HTMX)
    assert response.status_code == 409
    assert "assign it to one of its current members, not @oscar" in item_html(
        response.content.decode(), "sre-review"
    )
    assert focus_of(response)["element"] == "item-sre-review"


def test_mine_includes_what_is_assigned_to_me(as_outsider, review, dri, outsider) -> None:
    assign_item(review, "dashboards", outsider, by=dri)
    assert item_keys(page(as_outsider, review, "?show=mine")) == ["dashboards"]


def test_an_assignment_elsewhere_updates_the_item_live(as_dri, review, sre_member, sue) -> None:
    token = token_of(page(as_dri, review))
    assign_item(review, "sre-review", sue, by=sre_member)
    html = poll(as_dri, review, token)
    sre = item_html(html, "sre-review")
    assert "Assigned to @sue" in sre
    assert 'hx-swap-oob="true"' in sre
    assert 'id="checklist"' not in html
    assert 'id="review-header"' not in html  # an assignment changes no readiness


# -- adding reviewers after the start ---------------------------------------------------------


def test_the_dri_sees_a_form_with_the_teams_not_yet_reviewing(as_dri, review) -> None:
    form = region(page(as_dri, review), "add-reviewers")
    assert '<label for="reviewers-users">People</label>' in form
    teams = re.findall(r'name="teams" value="([\w-]+)"', form)
    assert teams == ["platform", "product"]  # SRE and Security review it already


def test_only_the_dri_or_an_admin_see_the_form(as_sre, as_admin, review, admin) -> None:
    assert "Add reviewers" not in page(as_sre, review)
    assert "Add reviewers" in page(as_admin, review)
    close_review(review, by=admin, force=True, reason="Approved in the launch meeting")
    assert "Add reviewers" not in page(as_admin, review)


def test_the_dri_adds_people_and_a_team_without_javascript(
    as_dri, review, security_member, outsider
) -> None:
    response = as_dri.post(
        url(review, "reviewers/"), {"users": "sid, @oscar", "teams": ["platform"]}
    )
    assert response.status_code == 302
    assert response["Location"] == f"/reviews/{review.number}/#review-header"
    html = page(as_dri, review)
    header = header_html(html)
    assert "<dd>@oscar, @sid</dd>" in header
    teams = re.search(r"<dt>Reviewer teams</dt><dd>(.*?)</dd>", header)
    assert teams
    assert sorted(teams.group(1).split(", ")) == ["Platform", "SRE", "Security"]
    assert "@dana added reviewers: @sid, @oscar, team Platform." in unescape(html)
    assert 'value="platform"' not in region(html, "add-reviewers")  # it reviews now


def test_unknown_people_are_refused_and_nothing_typed_is_lost(as_dri, review) -> None:
    response = as_dri.post(
        url(review, "reviewers/"), {"users": "sid, nobody, ghost", "teams": ["product"]}
    )
    assert response.status_code == 400
    form = region(response.content.decode(), "add-reviewers")
    assert "No user @sid. No user @nobody. No user @ghost." in form
    assert 'value="sid, nobody, ghost"' in form
    assert '<input type="checkbox" name="teams" value="product" checked>' in form
    assert "<details open>" in form
    assert not review.reviewers.exists()
    assert not review.reviewer_teams.filter(slug="product").exists()


def test_an_empty_form_says_what_to_do(as_dri, review) -> None:
    response = as_dri.post(url(review, "reviewers/"), {"users": " "}, **HTMX)
    assert response.status_code == 400
    assert "Name at least one person or tick a team" in region(
        response.content.decode(), "add-reviewers"
    )
    assert focus_of(response)["element"] == "reviewers-users"


def test_a_reviewer_may_not_add_reviewers(as_sre, review, outsider) -> None:
    response = as_sre.post(url(review, "reviewers/"), {"users": "oscar"})
    assert response.status_code == 403
    assert "Only the DRI (@dana) or an admin can add reviewers." in response.content.decode()
    assert not review.reviewers.exists()


def test_adding_with_htmx_answers_with_the_header_and_an_empty_form(
    as_dri, review, outsider
) -> None:
    token = token_of(page(as_dri, review))
    response = as_dri.post(
        url(review, "reviewers/"), {"users": "oscar", "teams": ["product"], "since": token}, **HTMX
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "<dd>@oscar</dd>" in header_html(html)
    form = region(html, "add-reviewers")
    assert 'hx-swap-oob="true"' in form
    assert 'value="oscar"' not in form
    assert re.findall(r'name="teams" value="([\w-]+)"', form) == ["platform"]
    assert focus_of(response) == {
        "element": "reviewers-fact",
        "note": "@dana added reviewers: @oscar, team Product.",
    }


def test_someone_elses_change_leaves_the_form_alone(as_dri, review, dri, sre_member) -> None:
    token = token_of(page(as_dri, review))
    add_reviewers(review, by=dri, users=[sre_member])  # from another tab, or the API
    post_message(review, author=sre_member, body="SRE review is completed")
    assert 'id="add-reviewers"' not in poll(as_dri, review, token)


# -- what chat hears --------------------------------------------------------------------------


def chat_fact(html: str) -> str:
    match = re.search(r'<div class="chat-fact">.*?</div>', header_html(html), re.S)
    assert match
    return unescape(match.group(0))


def test_a_mattermost_channel_without_a_webhook_is_said_to_hear_nothing(
    as_dri, review, settings
) -> None:
    settings.MATTERMOST_WEBHOOK_URL = ""
    link_channel(review, platform="mattermost", channel_id="m1", channel_name="prr-1", by=None)
    fact = chat_fact(page(as_dri, review))
    assert (
        "Linked to Mattermost channel ~prr-1, but prr posts nothing there: no webhook is "
        "configured (an admin sets PRR_MATTERMOST_WEBHOOK_URL or the link's notify URL)."
    ) in fact
    channels = unescape(as_dri.get(url(review, "channels/")).content.decode())
    assert "none: prr posts nothing there, no webhook is configured" in channels


def test_a_mattermost_channel_with_a_webhook_hears_the_news(as_dri, review, settings) -> None:
    settings.MATTERMOST_WEBHOOK_URL = "http://127.0.0.1:9/hooks/default"
    link_channel(review, platform="mattermost", channel_id="m1", channel_name="prr-1", by=None)
    fact = chat_fact(page(as_dri, review))
    assert (
        "Linked to Mattermost channel ~prr-1; the review's notifications go to that channel."
        in (fact)
    )
    assert "posts nothing" not in fact


def test_the_links_own_webhook_is_enough(as_dri, review, settings) -> None:
    settings.MATTERMOST_WEBHOOK_URL = ""
    link_channel(
        review,
        platform="mattermost",
        channel_id="m1",
        channel_name="prr-1",
        notify_url="http://127.0.0.1:9/hooks/prr-1",
        by=None,
    )
    assert "notifications go to that channel" in chat_fact(page(as_dri, review))


def test_a_slack_channel_needs_the_bot_token(as_dri, review, settings) -> None:
    settings.SLACK_BOT_TOKEN = ""
    link_channel(review, platform="slack", channel_id="C1", channel_name="payments", by=None)
    assert (
        "Linked to Slack channel ~payments, but prr posts nothing there: no bot token is "
        "configured (an admin sets PRR_SLACK_BOT_TOKEN)."
    ) in chat_fact(page(as_dri, review))
    settings.SLACK_BOT_TOKEN = "xoxb-test"
    assert "Slack channel ~payments; the review's notifications go" in chat_fact(
        page(as_dri, review)
    )


# -- links ------------------------------------------------------------------------------------


def test_links_and_bare_addresses_are_clickable_and_safe(as_dri, review, dri, outsider) -> None:
    post_message(
        review,
        author=outsider,
        body="Dashboard: https://grafana.example.com/d/payments?from=now-1h, "
        "runbook [here](https://wiki.example.com/runbook), not www.example.com, "
        "not javascript:alert(1) nor ftp://files.example.com/x",
    )
    answer_section(review, "summary", "Design at http://docs.example.com/design.", by=dri)
    html = page(as_dri, review)
    messages = region(html, "messages")
    assert (
        '<a href="https://grafana.example.com/d/payments?from=now-1h" '
        'rel="nofollow noopener noreferrer">https://grafana.example.com/d/payments?from=now-1h</a>'
    ) in messages
    assert (
        '<a href="https://wiki.example.com/runbook" rel="nofollow noopener noreferrer">here</a>'
        in (messages)
    )
    assert "not www.example.com" in messages
    assert 'href="http://www' not in messages
    assert 'href="javascript' not in html
    assert 'href="ftp' not in html
    assert '<a href="http://docs.example.com/design" rel="nofollow noopener noreferrer">' in (
        section_html(html, "summary")
    )


# -- answers: closed until "Edit", with a preview ---------------------------------------------


def test_an_answers_edit_box_is_closed_until_edit_is_chosen(as_dri, review, dri) -> None:
    answer_section(review, "summary", "Tokens move to the vault.", by=dri)
    html = page(as_dri, review)
    summary = section_html(html, "summary")
    assert '<details class="answer-edit">' in summary
    assert "<summary>Edit answer" in summary
    assert summary.index("<summary>Edit answer") < summary.index("<textarea")
    # A section without an answer has nothing to hide: its box is where the answer goes.
    architecture = section_html(html, "architecture")
    assert "answer-edit" not in architecture
    assert '<label for="answer-architecture">Answer: Architecture</label>' in architecture


def test_preview_with_htmx_renders_the_draft_and_saves_nothing(as_dri, review) -> None:
    response = as_dri.post(
        url(review, "answers/summary/preview/"), {"body": "Tokens move to **the vault**."}, **HTMX
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Preview, not saved yet" in html
    assert "Tokens move to <strong>the vault</strong>." in html
    assert "<section" not in html  # the preview alone, into its box
    assert not Answer.objects.exists()


def test_preview_without_javascript_keeps_the_text_and_opens_the_box(as_dri, review, dri) -> None:
    answer_section(review, "summary", "First version.", by=dri)
    response = as_dri.post(
        url(review, "answers/summary/preview/"), {"body": "Second <b>version</b>, *better*."}
    )
    assert response.status_code == 200
    summary = section_html(response.content.decode(), "summary")
    assert '<details class="answer-edit" open>' in summary
    assert ">Second &lt;b&gt;version&lt;/b&gt;, *better*.</textarea>" in summary
    assert "Second &lt;b&gt;version&lt;/b&gt;, <em>better</em>." in summary  # rendered, safely
    assert "<b>version" not in summary
    assert Answer.objects.get().body == "First version."


def test_only_who_may_answer_may_preview(as_sre, as_dri, review, admin) -> None:
    response = as_sre.post(url(review, "answers/summary/preview/"), {"body": "Mine."}, **HTMX)
    assert response.status_code == 403
    assert "Only the DRI (@dana) or an admin can answer the review document." in (
        response.content.decode()
    )
    close_review(review, by=admin, force=True, reason="Approved in the launch meeting")
    response = as_dri.post(url(review, "answers/summary/preview/"), {"body": "Late."})
    assert response.status_code == 409
    assert "is closed; cannot change its answers" in response.content.decode()


def test_a_saved_answer_sends_the_focus_to_its_section(as_dri, review) -> None:
    response = as_dri.post(url(review, "answers/summary/"), {"body": "Saved text."}, **HTMX)
    assert focus_of(response) == {"element": "section-summary", "note": "Answer saved."}
    summary = section_html(response.content.decode(), "summary")
    assert '<details class="answer-edit">' in summary  # closed again, the answer shown


# -- focus and live highlight -----------------------------------------------------------------


def test_the_page_has_a_polite_note_and_its_script(as_dri, review) -> None:
    html = page(as_dri, review)
    assert '<p id="action-note" class="visually-hidden" role="status" aria-live="polite"></p>' in (
        html
    )
    assert '<script src="/static/web/review.js" defer></script>' in html
    script = (CSS.parent / "review.js").read_text()
    assert "prr:focus" in script
    assert "action-note" in script


def test_a_posted_message_gets_the_focus(as_sre, review) -> None:
    response = as_sre.post(url(review, "messages/"), {"body": "Looks good so far"}, **HTMX)
    posted = review.messages.get(body="Looks good so far")
    assert focus_of(response) == {"element": f"message-{posted.pk}", "note": "Message posted."}


def test_an_approval_from_the_box_sends_the_focus_to_its_row(as_sre, review) -> None:
    html = page(as_sre, review)
    assert '<input type="hidden" name="item" value="sre-review">' in region(html, "approvals")
    response = as_sre.post(
        url(review, "messages/"),
        {"body": "SRE review is completed", "from": "approvals", "item": "sre-review"},
        **HTMX,
    )
    assert focus_of(response) == {
        "element": "approval-sre-review",
        "note": "Message posted. 'SRE review' is now done.",
    }


def test_a_changed_item_gets_the_focus(as_dri, review) -> None:
    response = as_dri.post(url(review, "items/dashboards/"), {"state": "done"}, **HTMX)
    assert focus_of(response) == {
        "element": "item-dashboards",
        "note": "'Dashboards linked' is now done.",
    }


def test_a_refusal_sends_the_focus_back_to_where_it_is_said(as_outsider, review) -> None:
    response = as_outsider.post(url(review, "messages/"), {"body": "  "}, **HTMX)
    assert response.status_code == 400
    assert focus_of(response) == {"element": "message-body", "note": ""}


def test_someone_elses_changes_are_marked_for_a_brief_highlight(
    as_dri, review, dri, sre_member
) -> None:
    post_message(review, author=dri, body="Kick-off")  # the channel is not empty any more
    token = token_of(page(as_dri, review))
    posted = post_message(review, author=sre_member, body="SRE review is completed")
    html = poll(as_dri, review, token)
    marked = re.findall(r'<(\w+) id="([\w-]+)"[^>]*data-live="changed"', html)
    ids = {element_id for _, element_id in marked}
    assert {f"message-{posted.message.pk}", "item-sre-review", "approval-sre-review"} <= ids
    assert "item-dashboards" not in ids
    # My own action's answer is not highlighted: the focus says where it is.
    response = as_dri.post(url(review, "items/dashboards/"), {"state": "done"}, **HTMX)
    assert 'data-live="changed"' not in response.content.decode()


def test_the_highlight_respects_reduced_motion() -> None:
    css = CSS.read_text()
    assert '[data-live="changed"] { animation: prr-live-changed' in css
    reduced = css[css.index("@media (prefers-reduced-motion: reduce)") :]
    assert "step-end" in reduced.split("}")[0]


# -- the checklist's order --------------------------------------------------------------------

SIGN_OFFS_PLAYBOOK = """
slug: sign-offs
title: Readiness with sign-offs
kinds: [service]
sections:
  - key: summary
    title: Summary
    questions: ["What is launched?"]
checklists:
  - title: Operations
    items:
      - key: alerts
        title: Alerts paging
        owner: dri
  - title: Platform work
    items:
      - key: quota
        title: Quota raised
        owner: platform
  - title: Sign-offs
    items:
      - key: sre-ok
        title: SRE sign-off
        owner: sre
        task_actions:
          - {phrases: ["SRE signs off"], team: sre, then: done}
"""


def test_approvals_are_not_last(as_outsider, as_dri, review) -> None:
    approvals = ["sre-review", "security-review", "product-review"]
    readiness = ["dashboards", "load-test", "tracing"]
    assert item_keys(page(as_outsider, review)) == approvals + readiness
    # The DRI sees their own items first, the approvals right after.
    assert item_keys(page(as_dri, review)) == readiness + approvals


def test_the_order_follows_the_items_not_the_titles(teams, dri, outsider) -> None:
    version = import_playbook(SIGN_OFFS_PLAYBOOK).version
    review = start_review(
        version=version, title="Ledger service: first production launch", dri=dri, kind="service"
    )
    assert item_keys(page(signed_in(outsider), review)) == ["sre-ok", "alerts", "quota"]
    assert item_keys(page(signed_in(dri), review)) == ["alerts", "sre-ok", "quota"]


# -- the snapshot page ------------------------------------------------------------------------


def test_the_snapshot_shows_each_time_once_and_readably(as_sre, review, dri, admin) -> None:
    answer_section(review, "summary", "Runbook: https://wiki.example.com/runbook", by=dri)
    close_review(review, by=admin, force=True, reason="Approved in the launch meeting")
    snapshot = review.snapshots.get()
    html = as_sre.get(url(review, "snapshots/1/")).content.decode()
    main = html[html.index("<main") : html.index("</main>")]
    closed = Review.objects.get(pk=review.pk).closed_at
    assert closed is not None
    shown = closed.strftime("%Y-%m-%d %H:%M")
    iso = closed.isoformat(timespec="seconds")
    assert f'<time datetime="{iso}">{shown}</time>' in main
    assert main.count(f">{shown}</time>") >= 1
    assert "Frozen" not in main  # the document's "Closed" line says when
    visible = re.sub(r"<[^>]+>", "", main)
    assert not re.search(r"\d{4}-\d\d-\d\dT\d\d:\d\d", visible)  # no raw ISO moment left
    assert f'<code class="sha256">{snapshot.sha256}</code>' in main
    assert '<a href="https://wiki.example.com/runbook" rel="nofollow noopener noreferrer">' in main


# -- dark colours ------------------------------------------------------------------------------


def luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


# Text colour on background, as the stylesheet uses them.
TEXT_ON = [
    ("ink", "bg"), ("ink", "bg-soft"), ("muted", "bg"), ("muted", "bg-soft"),
    ("accent", "bg"), ("accent", "bg-soft"), ("accent-ink", "accent"), ("ok", "bg"),
    ("ok", "ok-bg"), ("warn", "bg"), ("warn", "warn-bg"), ("bad", "bg"), ("bad", "bad-bg"),
    ("ink", "ok-bg"), ("ink", "warn-bg"), ("ink", "bad-bg"), ("accent", "ok-bg"),
    ("muted", "ok-bg"),
]  # fmt: skip


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_text_colours_have_enough_contrast(scheme: str) -> None:
    css = CSS.read_text()
    if scheme == "dark":
        css = css[css.index("@media (prefers-color-scheme: dark)") :]
    block = css[css.index(":root {") : css.index("}", css.index(":root {"))]
    colours = dict(re.findall(r"--([\w-]+):\s*(#[0-9a-fA-F]{6});", block))
    low = {
        f"{text} on {background}": round(contrast(colours[text], colours[background]), 2)
        for text, background in TEXT_ON
        if contrast(colours[text], colours[background]) < 4.5
    }
    assert low == {}

"""The review page's buttons for issue 14: follow-ups, waivers, re-review; the dashboard's flags.

Each action is the service's, taken from the page as a plain form and with htmx, per persona:
the DRI (Dana), a member of SRE (Sam), an outsider (Oscar) and an admin (Ada).
"""

from __future__ import annotations

from datetime import date, timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from prr.reviews.channel import post_message
from prr.reviews.follow_ups import raise_follow_up
from prr.reviews.lifecycle import close_review
from prr.reviews.models import FollowUp, Review, ReviewItem, Waiver
from prr.reviews.rereview import restart_review
from prr.reviews.starting import start_review
from prr.reviews.waivers import expire_waivers, waive_item
from prr.web.review_page import EVENT_CHANGES
from tests.web.conftest import HTMX
from tests.web.pages import item_html, region

IN_A_MONTH = date.today() + timedelta(days=30)


def url(review: Review, tail: str = "") -> str:
    return f"/reviews/{review.number}/{tail}"


def page(client, review: Review) -> str:
    response = client.get(url(review))
    assert response.status_code == 200
    return str(response.content.decode())


def closed(review: Review, admin) -> Review:
    close_review(review, by=admin, force=True, reason="Approved in the launch meeting")
    return Review.objects.get(pk=review.pk)


# -- follow-ups -------------------------------------------------------------------------------


def test_a_reviewer_raises_a_follow_up_without_javascript(as_sre, review) -> None:
    response = as_sre.post(
        url(review, "follow-ups/"),
        {
            "text": "Add the p99 latency panel",
            "owner": "sre",
            "due": IN_A_MONTH.isoformat(),
            "link": "https://issues.example.com/PAY-7",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == f"/reviews/{review.number}/#follow-up-1"
    full = page(as_sre, review)
    assert "Follow-up 1 raised for team SRE." in full  # the banner after the redirect
    html = region(full, "follow-ups")
    assert "Add the p99 latency panel" in html
    assert "Owner team SRE" in html
    assert f'due <time datetime="{IN_A_MONTH:%Y-%m-%d}">' in html
    assert 'href="https://issues.example.com/PAY-7"' in html
    follow_up = FollowUp.objects.get(review=review)
    assert (follow_up.number, follow_up.owner_team.slug) == (1, "sre")
    assert review.timeline.filter(kind="follow_up.raised").exists()


def test_a_follow_up_raised_with_htmx_comes_back_in_its_region(as_sre, review) -> None:
    response = as_sre.post(url(review, "follow-ups/"), {"text": "Document the runbook"}, **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Document the runbook" in region(html, "follow-ups")
    assert "Owner @dana" in html  # the DRI, unless someone is named
    assert "follow-up-1" in response["HX-Trigger-After-Settle"]


def test_an_outsider_may_not_raise_one_and_loses_nothing_typed(as_outsider, review) -> None:
    assert "Raise a follow-up" not in page(as_outsider, review)
    response = as_outsider.post(
        url(review, "follow-ups/"),
        {"text": "Rewrite it in Rust", "owner": "dana", "link": "https://example.com/x"},
    )
    assert response.status_code == 403
    html = response.content.decode()
    assert f"Only a reviewer of {review.ref}, its DRI or an admin can raise a follow-up." in html
    form = region(html, "follow-ups")
    assert ">Rewrite it in Rust</textarea>" in form
    assert 'value="dana"' in form
    assert 'value="https://example.com/x"' in form
    assert not FollowUp.objects.exists()


def test_a_bad_due_date_is_refused_where_it_was_typed(as_sre, review) -> None:
    response = as_sre.post(
        url(review, "follow-ups/"),
        {"text": "Add alerts", "owner": "sre", "due": "next week", "link": ""},
        **HTMX,
    )
    assert response.status_code == 400
    html = region(response.content.decode(), "follow-ups")
    assert "The due date &#x27;next week&#x27; is not a date (YYYY-MM-DD)." in html
    assert ">Add alerts</textarea>" in html
    assert 'value="sre"' in html
    assert 'value="next week"' in html


def test_the_owner_marks_it_done_even_once_closed(as_dri, as_outsider, review, sre_member, admin):
    raise_follow_up(review, "Add the p99 panel", by=sre_member, due=IN_A_MONTH)
    review = closed(review, admin)
    outsiders = region(page(as_outsider, review), "follow-ups")
    assert "Add the p99 panel" in outsiders  # listed on the closed review
    assert "Mark done" not in outsiders
    assert as_outsider.post(url(review, "follow-ups/1/done/")).status_code == 403

    response = as_dri.post(url(review, "follow-ups/1/done/"))
    assert response.status_code == 302
    html = region(page(as_dri, review), "follow-ups")
    assert '<span class="state-badge">done</span>' in html
    assert "Mark done" not in html
    assert FollowUp.objects.get().done_at is not None


def test_an_overdue_follow_up_is_marked(as_dri, review, sre_member) -> None:
    raise_follow_up(review, "Load test at 2x", by=sre_member, due=IN_A_MONTH)
    FollowUp.objects.update(due_on=date.today() - timedelta(days=2))
    html = region(page(as_dri, review), "follow-ups")
    assert 'class="follow-up overdue"' in html
    assert '<span class="due-badge due-overdue">overdue</span>' in html


def test_an_approval_with_open_follow_ups_says_so(as_dri, review, sre_member) -> None:
    raise_follow_up(review, "Add the p99 panel", by=sre_member)
    post_message(review, author=sre_member, body="SRE review is completed")
    html = region(page(as_dri, review), "approval-sre-review")
    assert '<span class="state-badge">approved with follow-ups</span>' in html
    assert "Approved with follow-ups by @sam" in html

    as_dri.post(url(review, "follow-ups/1/done/"))
    html = region(page(as_dri, review), "approval-sre-review")
    assert '<span class="state-badge">approved</span>' in html


def test_follow_up_events_refresh_their_region_live(as_dri, review, sre_member) -> None:
    html = page(as_dri, review)
    token = html.split('data-version="')[1].split('"')[0]
    raise_follow_up(review, "Add the p99 panel", by=sre_member)
    update = as_dri.get(url(review, f"live/?v={token}"), **HTMX).content.decode()
    assert "Add the p99 panel" in region(update, "follow-ups")
    assert 'id="checklist"' not in update


# -- waivers ----------------------------------------------------------------------------------


def test_the_dri_waives_an_item_and_its_card_says_until_when(as_dri, review) -> None:
    html = page(as_dri, review)
    assert '<option value="tracing">Tracing enabled</option>' in region(html, "waive")
    response = as_dri.post(
        url(review, "waivers/"),
        {
            "item": "tracing",
            "reason": "Tracing lands with the next SDK",
            "until": IN_A_MONTH.isoformat(),
            "owner": "sre",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == f"/reviews/{review.number}/#item-tracing"
    card = item_html(page(as_dri, review), "tracing")
    assert '<span class="state-badge">waived</span>' in card
    assert (
        f"Waived until {IN_A_MONTH:%Y-%m-%d} (owner team SRE): Tracing lands with the next SDK"
        in card
    )
    assert Waiver.objects.get().item.key == "tracing"


def test_waiving_with_htmx_answers_with_the_checklist(as_dri, review) -> None:
    response = as_dri.post(
        url(review, "waivers/"),
        {"item": "tracing", "reason": "Next SDK", "until": IN_A_MONTH.isoformat()},
        **HTMX,
    )
    assert response.status_code == 200
    card = item_html(response.content.decode(), "tracing")
    assert "(owner @dana): Next SDK" in card
    assert "item-tracing" in response["HX-Trigger-After-Settle"]


def test_an_outsider_may_not_waive(as_outsider, review) -> None:
    assert 'id="waive"' not in page(as_outsider, review)
    response = as_outsider.post(
        url(review, "waivers/"),
        {"item": "tracing", "reason": "Not needed", "until": IN_A_MONTH.isoformat()},
    )
    assert response.status_code == 403
    html = region(response.content.decode(), "waive")
    assert "can waive &#x27;Tracing enabled&#x27;." in html
    assert ReviewItem.objects.get(review=review, key="tracing").state == "open"


def test_a_waiver_in_the_past_is_refused_with_what_was_typed(as_dri, review) -> None:
    response = as_dri.post(
        url(review, "waivers/"),
        {"item": "tracing", "reason": "Next SDK", "until": "2020-01-01", "owner": "sre"},
    )
    assert response.status_code == 400
    html = region(response.content.decode(), "waive")
    assert "A waiver must end after today" in html
    assert 'value="Next SDK"' in html
    assert 'value="2020-01-01"' in html


# -- re-review --------------------------------------------------------------------------------


def test_the_dri_restarts_a_closed_review_and_the_new_one_links_back(as_dri, review, admin):
    assert "Start the re-review" not in page(as_dri, review)  # open: nothing to restart
    review = closed(review, admin)
    assert "Start the re-review" in region(page(as_dri, review), "rereview")

    response = as_dri.post(url(review, "restart/"))
    new = Review.objects.get(previous=review)
    assert response.status_code == 302
    assert response["Location"] == f"/reviews/{new.number}/"
    html = region(page(as_dri, new), "rereview")
    assert f'Re-review of <a href="/reviews/{review.number}/">{review.ref}</a>' in html
    assert "diff/?previous=1" not in html  # not until the re-review is closed
    old = region(page(as_dri, review), "rereview")
    assert f'Re-reviewed in <a href="/reviews/{new.number}/">{new.ref}</a>.' in old
    assert "Start the re-review" not in old


def test_a_closed_re_review_links_to_what_changed(as_dri, review, admin) -> None:
    new = closed(restart_review(closed(review, admin), by=admin), admin)
    html = region(page(as_dri, new), "rereview")
    assert f'href="/reviews/{new.number}/diff/?previous=1"' in html


def test_a_reviewer_may_not_restart(as_sre, review, admin) -> None:
    review = closed(review, admin)
    assert "Start the re-review" not in page(as_sre, review)
    response = as_sre.post(url(review, "restart/"))
    assert response.status_code == 403
    assert "Only the DRI (@dana) or an admin can restart" in response.content.decode()
    assert not Review.objects.filter(previous=review).exists()


def test_an_admin_asks_for_a_re_review_and_the_page_says_why(as_admin, as_dri, review, admin):
    review = closed(review, admin)
    assert "Ask for a re-review" not in page(as_dri, review)
    response = as_admin.post(url(review, "rereview-request/"), {"reason": "New PCI scope"})
    assert response.status_code == 302
    html = region(page(as_dri, review), "rereview")
    assert "<strong>Re-review due:</strong> an admin asked for a re-review." in html
    assert "Ask for a re-review" not in region(page(as_admin, review), "rereview")


def test_asking_for_a_re_review_needs_a_reason(as_admin, review, admin) -> None:
    review = closed(review, admin)
    response = as_admin.post(url(review, "rereview-request/"), {"reason": ""}, **HTMX)
    assert response.status_code == 400
    assert "A reason is required to ask for a re-review." in response.content.decode()
    assert Review.objects.get(pk=review.pk).rereview_requested_at is None


def test_every_new_kind_refreshes_a_named_region() -> None:
    for kind in (
        "item.waived",
        "waiver.expired",
        "follow_up.raised",
        "follow_up.done",
        "review.restarted",
        "review.rereviewed",
        "review.rereview_requested",
    ):
        assert EVENT_CHANGES[kind], kind


# -- dashboard --------------------------------------------------------------------------------


def test_the_dashboard_flags_an_expired_waiver_and_open_follow_ups(
    as_dri, review, dri, sre_member, admin
) -> None:
    raise_follow_up(review, "Add the p99 panel", by=sre_member)
    raise_follow_up(review, "Document the runbook", by=sre_member)
    waive_item(review, "tracing", by=dri, reason="Next SDK", until=IN_A_MONTH)
    review = closed(review, admin)
    expire_waivers(timezone.now() + timedelta(days=40))

    html = as_dri.get("/?status=all").content.decode()
    row = region(html.replace("<tr data-review", '<tr id="row" data-review'), "row")
    assert "waiver expired — re-review due" in row
    assert "2 open follow-ups" in row
    assert f'href="/reviews/{review.number}/#follow-ups"' in row

    restart_review(review, by=dri)  # re-reviewed: no longer due
    html = as_dri.get("/?status=closed").content.decode()
    assert "waiver expired — re-review due" not in html


def test_the_flags_cost_one_query_for_the_whole_page(as_dri, small_playbook, dri, sre_member):
    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            as_dri.get("/?status=all")
        return len(captured)

    first = start_review(version=small_playbook, title="First service goes live", dri=dri)
    raise_follow_up(first, "Add alerts", by=sre_member)
    few = count()
    for n in range(5):
        more = start_review(version=small_playbook, title=f"Service {n} goes live", dri=dri)
        raise_follow_up(more, "Add alerts", by=sre_member)
    assert count() == few

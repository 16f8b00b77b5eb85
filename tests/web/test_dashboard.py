"""The dashboard lists reviews with their progress, what they wait on, filters and pages."""

from __future__ import annotations

import re

from django.db import connection
from django.test.utils import CaptureQueriesContext

from prr.reviews.channel import post_message
from prr.reviews.lifecycle import cancel_review
from prr.reviews.models import Review
from prr.reviews.starting import start_review


def start(version, dri, title: str, **kw):
    return start_review(version=version, title=title, dri=dri, **kw)


def listed(html: str) -> list[str]:
    return re.findall(r'data-review="(\d+)"', html)


def test_it_lists_open_reviews_with_progress_and_waiting(as_outsider, review, sre_member) -> None:
    post_message(review, author=sre_member, body="SRE review is completed")
    html = as_outsider.get("/").content.decode()
    assert f'href="/reviews/{review.number}/">PRR-{review.number}</a>' in html
    assert "Payments API: move card tokenisation to the vault" in html
    assert "@dana" in html
    # Required: dashboards, load-test, sre-review, security-review; one is done.
    assert '<td class="progress">1 / 4</td>' in html
    assert '<span class="chip">DRI \N{MULTIPLICATION SIGN}2</span>' in html
    assert '<span class="chip">Security</span>' in html
    assert "SRE</span>" not in html


def test_status_filter(as_dri, review, small_playbook, dri) -> None:
    other = start(small_playbook, dri, "Search service: new ranking model rollout")
    cancel_review(other, by=dri, reason="Replaced by a later plan")
    assert listed(as_dri.get("/").content.decode()) == [str(review.number)]
    assert listed(as_dri.get("/?status=cancelled").content.decode()) == [str(other.number)]
    assert listed(as_dri.get("/?status=all").content.decode()) == [
        str(other.number),
        str(review.number),
    ]


def test_kind_text_and_mine_filters(as_dri, review, small_playbook, dri, outsider) -> None:
    feature = start(small_playbook, dri, "Checkout: one-click reorder feature", kind="feature")
    theirs = start(small_playbook, outsider, "Oscar's queue migration to Kafka")
    assert listed(as_dri.get("/?kind=feature").content.decode()) == [str(feature.number)]
    assert listed(as_dri.get("/?q=KAFKA").content.decode()) == [str(theirs.number)]
    assert str(theirs.number) not in listed(as_dri.get("/?mine=on").content.decode())
    assert len(listed(as_dri.get("/?mine=on").content.decode())) == 2


def test_waiting_on_my_teams(as_sre, review, small_playbook, dri, sre_member) -> None:
    approved = start(small_playbook, dri, "Ledger: nightly reconciliation batch job")
    post_message(approved, author=sre_member, body="SRE review is completed")
    assert listed(as_sre.get("/?waiting=on").content.decode()) == [str(review.number)]


def test_the_filter_form_is_labelled(as_dri, db) -> None:
    html = as_dri.get("/").content.decode()
    for label in ("Status", "Kind", "Waiting on my teams", "Mine as DRI", "Search", "Sort"):
        assert f">{label}</label>" in html
    assert '<option value="open" selected>Open</option>' in html


def test_pages_of_25_keep_the_filters(as_dri, small_playbook, dri) -> None:
    for n in range(27):
        start(small_playbook, dri, f"Service number {n} goes to production")
    first = as_dri.get("/?kind=service&q=production").content.decode()
    assert len(listed(first)) == 25
    assert 'href="?kind=service&amp;q=production&amp;page=2"' in first
    second = as_dri.get("/?kind=service&q=production&page=2").content.decode()
    assert len(listed(second)) == 2
    assert "Page 2 of 2" in second


def queries_for_dashboard(client, count: int, version, dri) -> int:
    for n in range(count):
        start(version, dri, f"Queries check review number {n} of {count}")
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/?status=all")
    assert len(listed(response.content.decode())) == count
    return len(captured)


def test_the_number_of_queries_does_not_grow_with_the_reviews(
    as_dri, small_playbook, dri, teams
) -> None:
    few = queries_for_dashboard(as_dri, 3, small_playbook, dri)
    Review.objects.all().delete()
    many = queries_for_dashboard(as_dri, 24, small_playbook, dri)
    assert few == many

"""The dashboard's search (reference, DRI, words in titles and answers), its sortable columns,
its rows of finished reviews, its cells on a phone, and the start form's default playbook."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from prr.accounts.tokens import create_token
from prr.reviews.answers import answer_section
from prr.reviews.items import set_item_state
from prr.reviews.lifecycle import cancel_review, close_review
from prr.reviews.models import Review
from prr.reviews.starting import start_review


def listed(html: str) -> list[str]:
    return re.findall(r'<tr data-review="(\d+)">', html)


def row(html: str, review: Review) -> str:
    found = re.search(rf'<tr data-review="{review.number}">(.*?)</tr>', html, re.S)
    assert found, f"{review.ref} is not listed"
    return found.group(1)


def header(html: str, label: str) -> str:
    found = re.search(rf"<th scope=\"col\"[^>]*>(?:<a [^>]*>)?{label}(?:</a>)?.*?</th>", html)
    assert found, f"no column {label}"
    return unescape(found.group(0))


@pytest.fixture
def three(review, small_playbook, dri, sre_member, admin) -> list[Review]:
    """PRR-1 Payments (service, dana, nothing done), PRR-2 Search ranking (feature, sam,
    Security approved: 1 of 3), PRR-3 Checkout (feature, dana, SRE and Security: 2 of 3);
    PRR-2's summary mentions Elasticsearch."""
    ranking = start_review(
        version=small_playbook,
        title="Search ranking: new model for feeds",
        dri=sre_member,
        kind="feature",
    )
    answer_section(
        ranking, "summary", "Moves the feed ranking to an ELASTICSEARCH cluster.", by=sre_member
    )
    set_item_state(ranking, "security-review", "done", by=admin)
    checkout = start_review(
        version=small_playbook, title="Checkout page redesign for mobile", dri=dri, kind="feature"
    )
    set_item_state(checkout, "sre-review", "done", by=admin)
    set_item_state(checkout, "security-review", "done", by=admin)
    return [review, ranking, checkout]


# -- finished reviews --------------------------------------------------------------------------


def test_a_cancelled_or_closed_review_waits_on_nobody(as_dri, review, small_playbook, dri, admin):
    cancelled = start_review(
        version=small_playbook, title="Billing exports to the data lake", dri=dri
    )
    cancel_review(cancelled, by=admin, reason="Superseded by the lakehouse project")
    close_review(review, by=admin, force=True, reason="Launched under the incident waiver")

    html = as_dri.get("/?status=all").content.decode()

    for finished in (cancelled, review):
        cells = row(html, finished)
        assert '<span class="chip">' not in cells
        assert "overdue" not in cells
        assert re.search(r'<td data-label="Waiting on">— <span class="visually-hidden">', cells)
    assert '<span class="status status-cancelled">cancelled</span>' in row(html, cancelled)
    assert '<span class="status status-closed">closed</span>' in row(html, review)


def test_an_open_review_still_says_what_it_waits_on(as_dri, review):
    cells = row(as_dri.get("/").content.decode(), review)
    assert '<span class="chip">Security</span>' in cells
    assert '<span class="chip">SRE</span>' in cells


# -- search ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("PRR-2", ["2"]),
        ("prr-2", ["2"]),
        ("2", ["2"]),
        ("@sam", ["2"]),
        ("sam", ["2"]),
        ("@DANA", ["3", "1"]),
        ("okafor", ["2"]),  # the DRI's name
        ("@sa", []),  # @ names a DRI exactly
        ("checkout", ["3"]),
        ("REDESIGN mobile", ["3"]),  # every word must match
        ("redesign payments", []),
        ("elasticsearch", ["2"]),  # a word of an answer
        ("Elasticsearch feeds", ["2"]),  # one word in the answer, one in the title
        ("@dana elasticsearch", []),
        ("100%", []),  # LIKE's wildcards are plain characters
    ],
)
def test_search_finds_references_dris_and_words(as_dri, three, q, expected):
    assert listed(as_dri.get("/", {"q": q}).content.decode()) == expected


def test_the_api_searches_the_same_way(three, outsider):
    token = create_token(outsider, "search").secret
    api = Client(headers={"Authorization": f"Bearer {token}"})
    for q, refs in [
        ("prr-2", ["PRR-2"]),
        ("@dana", ["PRR-3", "PRR-1"]),
        ("elasticsearch", ["PRR-2"]),
    ]:
        response = api.get("/api/v1/reviews", {"q": q})
        assert response.status_code == 200, response.content
        assert [r["ref"] for r in response.json()["items"]] == refs


def test_the_search_field_says_what_it_finds(as_dri, db):
    html = as_dri.get("/").content.decode()
    assert '<label for="id_q">Search</label>' in html
    assert 'type="search" name="q"' in html
    assert "PRR-2, @dri, or words in titles and answers." in html


def test_nothing_found_offers_every_status(as_dri, review, admin):
    cancel_review(review, by=admin, reason="Superseded by the lakehouse project")
    html = as_dri.get("/", {"q": "payments"}).content.decode()
    assert "No reviews match these filters." in html
    assert 'href="?q=payments&amp;status=all">Look in all reviews</a>' in html


def queries_of(client: Client, path: str) -> int:
    client.get(path)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200
    return len(captured)


def start_more(count: int, version, dri) -> None:
    first = Review.objects.count()
    for n in range(first, first + count):
        review = start_review(version=version, title=f"Queue service number {n} goes live", dri=dri)
        answer_section(review, "summary", f"Launch {n} of the queue service.", by=dri)


@pytest.mark.parametrize("query", ["?q=queue+launch&status=all", "?sort=-progress&status=all"])
def test_search_and_sort_cost_the_same_queries_for_3_and_24_reviews(
    as_dri, small_playbook, dri, query
):
    start_more(3, small_playbook, dri)
    few = queries_of(as_dri, f"/{query}")
    start_more(21, small_playbook, dri)
    many = queries_of(as_dri, f"/{query}")
    assert len(listed(as_dri.get(f"/{query}").content.decode())) == 24
    assert many == few


# -- sorting -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("", ["3", "2", "1"]),  # newest first
        ("number", ["1", "2", "3"]),
        ("-number", ["3", "2", "1"]),
        ("title", ["3", "1", "2"]),  # Checkout, Payments, Search
        ("-title", ["2", "1", "3"]),
        ("dri", ["3", "1", "2"]),  # dana (newest first among hers), then sam
        ("-dri", ["2", "3", "1"]),
        ("age", ["3", "2", "1"]),  # youngest first
        ("-age", ["1", "2", "3"]),
        ("progress", ["1", "2", "3"]),  # 0 of 4, 1 of 3, 2 of 3
        ("-progress", ["3", "2", "1"]),
    ],
)
def test_columns_sort(as_dri, three, sort, expected):
    assert listed(as_dri.get("/", {"sort": sort}).content.decode()) == expected


def test_the_sorted_header_says_so_and_links_to_the_reverse(as_dri, three):
    html = as_dri.get("/").content.decode()
    assert header(html, "Review").startswith('<th scope="col" aria-sort="descending">')
    assert 'href="?sort=number"' in header(html, "Review")
    assert "aria-sort" not in header(html, "Title")
    assert 'href="?sort=title"' in header(html, "Title")

    by_title = as_dri.get("/", {"sort": "title"}).content.decode()
    assert header(by_title, "Title").startswith('<th scope="col" aria-sort="ascending">')
    assert 'href="?sort=-title"' in header(by_title, "Title")
    assert "aria-sort" not in header(by_title, "Review")
    for label in ("Kind", "Waiting on", "Due"):
        assert "<a " not in header(html, label)


def test_a_header_link_keeps_the_filters_and_the_page(as_dri, three):
    html = as_dri.get("/", {"kind": "feature", "q": "e", "page": "1"}).content.decode()
    assert 'href="?kind=feature&q=e&page=1&sort=progress"' in header(html, "Progress")


def test_the_sort_survives_the_filter_form(as_dri, three):
    html = as_dri.get("/", {"sort": "-progress"}).content.decode()
    assert '<option value="-progress" selected>Progress, most complete first</option>' in html


def test_an_unknown_sort_is_ignored_and_the_other_filters_apply(as_dri, three):
    html = as_dri.get("/", {"sort": "popularity", "kind": "feature"}).content.decode()
    assert listed(html) == ["3", "2"]


def test_the_api_sorts_too_and_refuses_an_unknown_order(three, outsider):
    token = create_token(outsider, "sort").secret
    api = Client(headers={"Authorization": f"Bearer {token}"})
    response = api.get("/api/v1/reviews", {"sort": "title"})
    assert [r["ref"] for r in response.json()["items"]] == ["PRR-3", "PRR-1", "PRR-2"]
    refused = api.get("/api/v1/reviews", {"sort": "popularity"})
    assert refused.status_code == 422
    assert refused.json()["details"][0]["field"] == "query.sort"


# -- phone -------------------------------------------------------------------------------------


def test_every_cell_of_a_row_is_labelled_for_a_phone(as_dri, review):
    cells = row(as_dri.get("/").content.decode(), review)
    labels = re.findall(r'<td data-label="([^"]+)"', cells)
    assert labels == ["Title", "Kind", "DRI", "Age", "Waiting on", "Due"]
    # The progress cell's label comes from layout.css: lists parse its bare markup.
    assert '<td class="progress">0 / 4</td>' in cells


def test_the_site_navigation_folds_behind_a_menu(as_dri, db):
    html = as_dri.get("/").content.decode()
    assert re.search(
        r'<details class="site-menu">\s*<summary>Menu</summary>\s*<nav aria-label="Main">', html
    )
    assert '<link rel="stylesheet" href="/static/web/layout.css">' in html
    assert html.index("/static/web/prr.css") < html.index("/static/web/layout.css")


# -- the start form ----------------------------------------------------------------------------


def test_the_start_form_chooses_the_default_playbook(as_dri, small_playbook, default_playbook):
    html = as_dri.get("/reviews/new/").content.decode()
    assert f'<option value="{default_playbook.pk}" selected>' in html
    assert f'<option value="{small_playbook.pk}">' in html


def test_without_the_default_playbook_none_is_preselected(as_dri, small_playbook):
    html = as_dri.get("/reviews/new/").content.decode()
    assert f'<option value="{small_playbook.pk}">' in html
    assert " selected>" not in html.split('name="playbook"')[1].split("</select>")[0]

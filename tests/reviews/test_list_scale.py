"""The lists of reviews cost the same however many reviews there are, and count right.

The dashboard, `GET /api/v1/reviews` and `prr review list` read a fixed number of queries
for 3 reviews and for 30 (more than a page), never a playbook's spec, and show each review's
progress from its own items. `bench/scale.py` measures the time at 100 and 10,000 reviews.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from click.testing import CliRunner
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from prr.accounts.models import User
from prr.accounts.tokens import create_token
from prr.cli import prr
from prr.playbooks.models import PlaybookVersion
from prr.reviews.items import set_item_state
from prr.reviews.lifecycle import cancel_review
from prr.reviews.models import Review, ReviewItem
from prr.reviews.starting import start_review

Read = Callable[[], str]


def start_many(count: int, version: PlaybookVersion, dri: User, admin: User) -> list[Review]:
    """`count` reviews in every state a list shows: some approved, some cancelled."""
    reviews = []
    first = Review.objects.count()
    for n in range(first, first + count):
        review = start_review(version=version, title=f"Service number {n} goes live", dri=dri)
        if n % 3 == 1:
            set_item_state(review, "sre-review", "done", by=admin)
        if n % 5 == 2:
            cancel_review(review, by=admin, reason="Replaced by a later plan")
        reviews.append(review)
    return reviews


def queries_of(read: Read) -> tuple[int, list[str]]:
    read()  # a first read may write (a token's last use) or fill caches
    with CaptureQueriesContext(connection) as captured:
        read()
    return len(captured), [q["sql"] for q in captured]


@pytest.fixture
def dashboard(dri: User) -> Read:
    client = Client()
    client.force_login(dri)

    def read() -> str:
        response = client.get("/?status=all")
        assert response.status_code == 200
        return str(response.content.decode())

    return read


@pytest.fixture
def api_list(dri: User) -> Read:
    client = Client(headers={"Authorization": f"Bearer {create_token(dri, 'list').secret}"})

    def read() -> str:
        response = client.get("/api/v1/reviews?status=all")
        assert response.status_code == 200, response.content
        return str(response.content.decode())

    return read


@pytest.fixture
def cli_list(db: None, settings: Any) -> Read:
    settings.DEBUG = True
    runner = CliRunner()

    def read() -> str:
        result = runner.invoke(prr, ["review", "list", "--status", "all"], catch_exceptions=False)
        assert result.exit_code == 0, result.stderr
        return result.stdout

    return read


@pytest.mark.parametrize("face", ["dashboard", "api_list", "cli_list"])
def test_a_list_reads_the_same_queries_for_3_and_30_reviews(
    request: pytest.FixtureRequest,
    face: str,
    small_playbook: PlaybookVersion,
    dri: User,
    admin: User,
) -> None:
    read: Read = request.getfixturevalue(face)
    start_many(3, small_playbook, dri, admin)
    few, _ = queries_of(read)
    start_many(27, small_playbook, dri, admin)
    many, sql = queries_of(read)

    assert many == few
    assert not [q for q in sql if "spec_json" in q], "a list read the playbook's spec"


def test_the_dashboard_shows_each_reviews_own_progress_and_due_items(
    dashboard: Read, small_playbook: PlaybookVersion, dri: User, admin: User
) -> None:
    reviews = start_many(30, small_playbook, dri, admin)
    newest, approved = reviews[-1], reviews[-2]  # PRR-30: nothing done; PRR-29: SRE approved
    now = timezone.now()
    ReviewItem.objects.filter(review=newest, key="dashboards").update(due_at=now - timedelta(1))
    ReviewItem.objects.filter(review=newest, key="load-test").update(due_at=now + timedelta(1))

    html = dashboard()

    rows = dict(re.findall(r'<tr data-review="(\d+)">(.*?)</tr>', html, re.S))
    assert len(rows) == 25
    assert "Page 1 of 2" in html
    assert '<td class="progress">0 / 4</td>' in rows[str(newest.number)]
    assert '<span class="chip">SRE</span>' in rows[str(newest.number)]
    assert '<span class="overdue">1 overdue</span>' in rows[str(newest.number)]
    assert '<span class="due-soon">1 due soon</span>' in rows[str(newest.number)]
    assert '<td class="progress">1 / 4</td>' in rows[str(approved.number)]
    assert "SRE</span>" not in rows[str(approved.number)]


def test_the_api_list_counts_each_reviews_required_items(
    api_list: Read, small_playbook: PlaybookVersion, dri: User, admin: User
) -> None:
    reviews = start_many(30, small_playbook, dri, admin)
    newest, approved = reviews[-1], reviews[-2]
    set_item_state(approved, "dashboards", "done", by=dri)

    page = json.loads(api_list())

    assert (page["total"], page["pages"], len(page["items"])) == (30, 2, 25)
    progress = {r["number"]: (r["complete"], r["required"]) for r in page["items"]}
    assert progress[newest.number] == (0, 4)
    assert progress[approved.number] == (2, 4)

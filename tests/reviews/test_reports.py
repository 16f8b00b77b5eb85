"""Reports against a fixture whose answers are known: dates set by hand, a fixed 'now'."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from prr.reviews.models import Review, ReviewItem
from prr.reviews.reports import Scope, build_reports, nearest_rank
from prr.reviews.starting import start_review
from prr.reviews.waivers import waive_item
from tests.api.conftest import api_as
from tests.web.conftest import signed_in

__all__ = ["api_as"]

NOW = datetime(2027, 3, 10, 12, 0, tzinfo=UTC)  # a Wednesday


def started(version, dri, title: str, *, kind: str = "service", days_ago: float) -> Review:
    review = start_review(version=version, title=title, dri=dri, kind=kind)
    Review.objects.filter(pk=review.pk).update(created_at=NOW - timedelta(days=days_ago))
    return Review.objects.get(pk=review.pk)


def closed_after(review: Review, days: float) -> None:
    Review.objects.filter(pk=review.pk).update(
        status="closed", closed_at=review.created_at + timedelta(days=days)
    )


def approved(review: Review, key: str, days: float) -> None:
    review.items.filter(key=key).update(
        state="done", changed_at=review.created_at + timedelta(days=days)
    )


@pytest.fixture
def history(small_playbook, dri, teams):
    """Five reviews: three closed after 2, 4 and 10 days; two open, 3 and 45 days old."""
    a = started(small_playbook, dri, "Search index moves to the new cluster", days_ago=20)
    b = started(small_playbook, dri, "Payments API goes multi-region", days_ago=15)
    c = started(small_playbook, dri, "Queue moves to the managed service", days_ago=12)
    d = started(small_playbook, dri, "Ledger schema migration", kind="feature", days_ago=3)
    e = started(small_playbook, dri, "Billing exports to the warehouse", days_ago=45)
    closed_after(a, 2)
    closed_after(b, 4)
    closed_after(c, 10)
    approved(a, "sre-review", 1)
    approved(b, "sre-review", 3)
    approved(c, "sre-review", 8)
    approved(a, "security-review", 2)
    d.items.filter(key="dashboards").update(due_at=NOW - timedelta(days=1))
    e.items.filter(key="sre-review").update(due_at=NOW - timedelta(days=2))
    return {"a": a, "b": b, "c": c, "d": d, "e": e}


def rows(key: str, scope: Scope | None = None) -> list[list[object]]:
    report = build_reports(scope, NOW).get(key)
    assert report is not None
    return report.rows


def test_nearest_rank() -> None:
    assert nearest_rank([], 0.5) is None
    assert nearest_rank([10.0, 2.0, 4.0], 0.5) == 4.0
    assert nearest_rank([10.0, 2.0, 4.0], 0.9) == 10.0
    assert nearest_rank([float(n) for n in range(1, 11)], 0.9) == 9.0


def test_time_to_close_and_to_approve(history) -> None:
    assert rows("time-to-close") == [[3, 4.0, 10.0]]
    assert rows("time-to-approve") == [["SRE", 3, 3.0, 8.0], ["Security", 1, 2.0, 2.0]]


def test_started_and_closed_per_week(history) -> None:
    weekly = {week: (s, c) for week, s, c in rows("weekly")}
    # NOW is Wednesday 2027-03-10: twelve weeks, from Monday 2026-12-21 to Monday 2027-03-08.
    weeks = list(weekly)
    assert (len(weeks), weeks[0], weeks[-1]) == (12, "2026-12-21", "2027-03-08")
    assert {week: counts for week, counts in weekly.items() if counts != (0, 0)} == {
        "2027-01-18": (1, 0),  # e, started Sunday 2027-01-24
        "2027-02-15": (1, 1),  # a started Thursday the 18th, closed on the 20th
        "2027-02-22": (2, 1),  # b and c started; b closed on the 27th
        "2027-03-01": (1, 0),  # d started Sunday the 7th
        "2027-03-08": (0, 1),  # c closed on Monday the 8th
    }


def test_open_reviews_by_age_and_overdue(history) -> None:
    assert rows("open-by-age") == [
        ["under 7 days", 1],
        ["7 to 30 days", 0],
        ["30 to 90 days", 1],
        ["over 90 days", 0],
    ]
    assert rows("overdue") == [["DRI", 1, 0], ["SRE", 1, 0]]


def test_reports_per_kind_and_playbook(history) -> None:
    assert rows("open-by-age", Scope(kind="feature"))[0] == ["under 7 days", 1]
    assert rows("time-to-close", Scope(kind="feature")) == [[0, None, None]]
    assert rows("time-to-close", Scope(playbook="nope")) == [[0, None, None]]


def test_waivers_expiring_within_30_days(history, dri) -> None:
    e = history["e"]
    waive_item(e, "load-test", by=dri, reason="Rig rebuilt", until=date(2027, 3, 20),
               today=date(2027, 3, 9))  # fmt: skip
    waive_item(e, "dashboards", by=dri, reason="Later", until=date(2027, 6, 1),
               today=date(2027, 3, 9))  # fmt: skip
    assert rows("waivers-expiring") == [
        ["2027-03-20", e.ref, "Load test done", "@dana"],
    ]
    assert ReviewItem.objects.filter(state="waived").count() == 2


def test_the_reports_page_api_and_csv(history, dri, api_as) -> None:
    page = signed_in(dri).get("/reports/").content.decode()
    assert "Time to close (days)" in page
    assert '<svg class="chart" role="img"' in page
    assert "Download as CSV" in page
    download = signed_in(dri).get("/reports/time-to-approve.csv?kind=service")
    assert download["Content-Type"] == "text/csv; charset=utf-8"
    assert download.content.decode().splitlines()[0] == "team,approvals,median,p90"
    assert signed_in(dri).get("/reports/nothing.csv").status_code == 404
    answer = api_as(dri).get("/reports?kind=service").json()
    assert [r["key"] for r in answer["reports"]] == [
        "weekly",
        "time-to-close",
        "time-to-approve",
        "open-by-age",
        "overdue",
        "waivers-expiring",
    ]


def test_the_reports_from_the_cli(history) -> None:
    from click.testing import CliRunner

    from prr.cli import prr

    result = CliRunner().invoke(prr, ["report", "--kind", "service"], catch_exceptions=False)
    assert result.exit_code == 0
    assert (
        "Time to close (days)\n  reviews closed  median  p90\n  3               4.0     10.0\n"
        in (result.output)
    )
    as_json = CliRunner().invoke(prr, ["report", "--json"], catch_exceptions=False)
    assert '"key": "time-to-approve"' in as_json.output

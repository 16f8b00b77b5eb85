"""Reports: how the review process is going, per playbook and kind.

Each report is a small table (a title, column names, rows) so that every face shows the same
numbers: the reports page draws them and offers each as CSV, the API returns them as JSON.
Durations are in days (one decimal); medians and p90 use the nearest-rank method, so a value
is always one that was measured.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from prr.reviews.models import FollowUp, Review, ReviewItem, Waiver

WEEKS = 12
AGE_BUCKETS = ((7, "under 7 days"), (30, "7 to 30 days"), (90, "30 to 90 days"))
OLDEST_BUCKET = "over 90 days"
EXPIRING_DAYS = 30


@dataclass(frozen=True)
class Report:
    key: str
    title: str
    columns: list[str]
    rows: list[list[Any]]
    chart: str = ""  # "bars": the last column drawn as bars, labelled by the first
    note: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "title": self.title,
            "columns": self.columns,
            "rows": self.rows,
            "note": self.note,
        }


@dataclass(frozen=True)
class Scope:
    playbook: str | None = None
    kind: str | None = None

    def reviews(self) -> QuerySet[Review]:
        found = Review.objects.all()
        if self.playbook:
            found = found.filter(playbook_version__playbook__slug=self.playbook)
        if self.kind:
            found = found.filter(kind=self.kind)
        return found


def nearest_rank(values: list[float], share: float) -> float | None:
    """The value at `share` (0.5: the median) by the nearest-rank method; None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def days(delta: timedelta) -> float:
    return round(delta.total_seconds() / 86400, 1)


def week_of(moment: datetime) -> date:
    local = moment.date()
    return local - timedelta(days=local.weekday())  # the Monday


def started_and_closed(scope: Scope, now: datetime) -> Report:
    first = week_of(now) - timedelta(weeks=WEEKS - 1)
    started: Counter[date] = Counter()
    closed: Counter[date] = Counter()
    reviews = scope.reviews()
    for created in reviews.filter(created_at__date__gte=first).values_list("created_at", flat=True):
        started[week_of(created)] += 1
    finished = reviews.filter(closed_at__date__gte=first, status=Review.Status.CLOSED)
    for ended in finished.values_list("closed_at", flat=True):
        if ended is not None:
            closed[week_of(ended)] += 1
    weeks = [first + timedelta(weeks=n) for n in range(WEEKS)]
    return Report(
        "weekly",
        "Reviews started and closed per week",
        ["week", "started", "closed"],
        [[w.isoformat(), started[w], closed[w]] for w in weeks],
        chart="bars",
    )


def time_to_close(scope: Scope) -> Report:
    durations = [
        days(closed - created)
        for created, closed in scope.reviews()
        .filter(status=Review.Status.CLOSED, closed_at__isnull=False)
        .values_list("created_at", "closed_at")
        if closed is not None
    ]
    return Report(
        "time-to-close",
        "Time to close (days)",
        ["reviews closed", "median", "p90"],
        [[len(durations), nearest_rank(durations, 0.5), nearest_rank(durations, 0.9)]],
    )


def time_to_approve(scope: Scope) -> Report:
    by_team: dict[str, list[float]] = defaultdict(list)
    approvals = ReviewItem.objects.filter(
        review__in=scope.reviews(),
        owner_team__isnull=False,
        state=ReviewItem.State.DONE,
        changed_at__isnull=False,
    ).values_list("owner_team__name", "review__created_at", "changed_at")
    for team, created, approved in approvals:
        if approved is not None:
            by_team[team].append(days(approved - created))
    return Report(
        "time-to-approve",
        "Time to approve, per team (days since the review started)",
        ["team", "approvals", "median", "p90"],
        [
            [team, len(values), nearest_rank(values, 0.5), nearest_rank(values, 0.9)]
            for team, values in sorted(by_team.items())
        ],
    )


def open_by_age(scope: Scope, now: datetime) -> Report:
    counts: Counter[str] = Counter()
    for created in (
        scope.reviews().filter(status=Review.Status.OPEN).values_list("created_at", flat=True)
    ):
        age = (now - created).total_seconds() / 86400
        label = next((name for limit, name in AGE_BUCKETS if age < limit), OLDEST_BUCKET)
        counts[label] += 1
    labels = [name for _, name in AGE_BUCKETS] + [OLDEST_BUCKET]
    return Report(
        "open-by-age",
        "Open reviews by age",
        ["age", "open reviews"],
        [[label, counts[label]] for label in labels],
        chart="bars",
    )


def overdue_by_team(scope: Scope, now: datetime) -> Report:
    items: Counter[str] = Counter()
    follow_ups: Counter[str] = Counter()
    for team in ReviewItem.objects.filter(
        review__in=scope.reviews().filter(status=Review.Status.OPEN),
        state=ReviewItem.State.OPEN,
        required=True,
        due_at__lt=now,
    ).values_list("owner_team__name", flat=True):
        items[team or "DRI"] += 1
    late = FollowUp.objects.filter(
        review__in=scope.reviews(), done_at__isnull=True, due_on__lt=now.date()
    ).select_related("owner_team", "owner_user")
    for follow_up in late:
        follow_ups[follow_up.owner_team.name if follow_up.owner_team else "people"] += 1
    owners = sorted(set(items) | set(follow_ups))
    return Report(
        "overdue",
        "Overdue items and follow-ups, by owner",
        ["owner", "overdue items", "overdue follow-ups"],
        [[owner, items[owner], follow_ups[owner]] for owner in owners],
        note="Follow-ups owned by a person are counted under 'people'.",
    )


def waivers_expiring(scope: Scope, now: datetime) -> Report:
    waivers = (
        Waiver.objects.filter(
            item__review__in=scope.reviews(),
            expired_at__isnull=True,
            lifted_at__isnull=True,
            expires_on__lte=now.date() + timedelta(days=EXPIRING_DAYS),
        )
        .select_related("item__review", "owner_user", "owner_team")
        .order_by("expires_on", "pk")
    )
    return Report(
        "waivers-expiring",
        f"Waivers ending within {EXPIRING_DAYS} days",
        ["ends", "review", "item", "owner"],
        [
            [w.expires_on.isoformat(), w.item.review.ref, w.item.title, w.owner_label]
            for w in waivers
        ],
    )


@dataclass(frozen=True)
class Reports:
    scope: Scope
    generated_at: datetime
    reports: list[Report] = field(default_factory=list)

    def get(self, key: str) -> Report | None:
        return next((r for r in self.reports if r.key == key), None)


def build_reports(scope: Scope | None = None, now: datetime | None = None) -> Reports:
    scope = scope or Scope()
    now = now or timezone.now()
    return Reports(
        scope,
        now,
        [
            started_and_closed(scope, now),
            time_to_close(scope),
            time_to_approve(scope),
            open_by_age(scope, now),
            overdue_by_team(scope, now),
            waivers_expiring(scope, now),
        ],
    )


def bar_chart(report: Report, width: int = 640, bar_height: int = 22) -> dict[str, Any]:
    """A horizontal bar chart of the report's last column (labels: its first), as numbers a
    template draws as SVG rectangles: no script, no style, nothing the CSP refuses."""
    values = [float(row[-1] or 0) for row in report.rows]
    top = max(values, default=0) or 1
    label_width = 160
    usable = width - label_width - 60
    bars = [
        {
            "label": str(row[0]),
            "value": row[-1],
            "y": index * (bar_height + 6),
            "width": round(usable * value / top, 1),
            "text_x": label_width + round(usable * value / top, 1) + 6,
        }
        for index, (row, value) in enumerate(zip(report.rows, values, strict=True))
    ]
    return {
        "width": width,
        "height": len(bars) * (bar_height + 6),
        "bar_height": bar_height,
        "label_width": label_width,
        "bars": bars,
        "label": f"{report.title}: {report.columns[-1]} by {report.columns[0]}",
    }

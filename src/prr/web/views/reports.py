"""The reports page: the process at a glance, per playbook and kind, each table as CSV."""

from __future__ import annotations

import csv
import io

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from prr.playbooks.models import Playbook
from prr.reviews.models import Review
from prr.reviews.reports import Report, Scope, bar_chart, build_reports


def scope_of(request: HttpRequest) -> Scope:
    return Scope(
        playbook=request.GET.get("playbook", "").strip() or None,
        kind=request.GET.get("kind", "").strip() or None,
    )


@login_required
@require_GET
def reports(request: HttpRequest) -> HttpResponse:
    built = build_reports(scope_of(request))
    shown = [(r, bar_chart(r) if r.chart else None) for r in built.reports]
    return render(
        request,
        "web/reports.html",
        {
            "built": built,
            "shown": shown,
            "playbooks": Playbook.objects.order_by("slug").values_list("slug", flat=True),
            "kinds": Review.objects.order_by("kind").values_list("kind", flat=True).distinct(),
            "query": request.GET.urlencode(),
        },
    )


def csv_text(report: Report) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(report.columns)
    writer.writerows(["" if value is None else value for value in row] for row in report.rows)
    return out.getvalue()


@login_required
@require_GET
def report_csv(request: HttpRequest, key: str) -> HttpResponse:
    report = build_reports(scope_of(request)).get(key)
    if report is None:
        raise Http404(f"No report '{key}'.")
    response = HttpResponse(csv_text(report), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="prr-{key}.csv"'
    return response

"""Two snapshots of a review side by side: what changed in the document and the checklist."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from prr.errors import PrrError
from prr.reviews.snapshot_diff import against_previous, diff_snapshots, pick_snapshots
from prr.web.views.common import http_error
from prr.web.views.reviews import load_review


def _version(request: HttpRequest, name: str) -> int | None:
    raw = request.GET.get(name, "").strip()
    return int(raw) if raw.isdigit() and 0 < int(raw) < 2**31 else None


@login_required
@require_GET
def snapshot_diff(request: HttpRequest, number: int) -> HttpResponse:
    review = load_review(number)
    try:
        if request.GET.get("previous"):
            before, after = against_previous(review)
        else:
            before, after = pick_snapshots(
                review, _version(request, "from"), _version(request, "to")
            )
    except PrrError as error:
        raise http_error(error) from error
    diff = diff_snapshots(review, before, after)
    versions = list(review.snapshots.order_by("version").values_list("version", flat=True))
    return render(
        request,
        "web/snapshot_diff.html",
        {"review": review, "diff": diff, "versions": versions},
    )

"""The dashboard: reviews with their progress and what they wait on, filtered, sorted, paged."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from prr.reviews.queries import (
    DEFAULT_SORT,
    AfterClose,
    ReviewFilter,
    after_close_of,
    filter_reviews,
    progress_of,
)
from prr.web.forms import DashboardFilter
from prr.web.views.common import acting_user

PER_PAGE = 25


@dataclass(frozen=True)
class Column:
    """A header of the table: its label and, for a column that sorts, the order a click on
    it asks for and how the table is sorted by it now (`aria-sort`)."""

    label: str
    sort: str | None = None
    aria_sort: str | None = None


def columns(sort: str) -> list[Column]:
    """The headers, for a table sorted by `sort`: a click sorts ascending, a second click on
    the same header reverses it."""
    headers: list[Column] = []
    for label, key in (
        ("Review", "number"),
        ("Title", "title"),
        ("Kind", None),
        ("DRI", "dri"),
        ("Age", "age"),
        ("Progress", "progress"),
        ("Waiting on", None),
        ("Due", None),
    ):
        if key is None:
            headers.append(Column(label))
        elif sort == key:
            headers.append(Column(label, f"-{key}", "ascending"))
        elif sort == f"-{key}":
            headers.append(Column(label, key, "descending"))
        else:
            headers.append(Column(label, key))
    return headers


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    form = DashboardFilter(request.GET or None, initial={"status": "open"})
    form.is_valid()  # a field typed wrong is left out; the others still apply
    data = getattr(form, "cleaned_data", {})
    chosen = ReviewFilter(
        status=data.get("status") or "open",
        kind=data.get("kind") or None,
        dri=user.username if data.get("mine") else None,
        awaiting_user=user if data.get("waiting") else None,
        text=data.get("q") or None,
        sort=data.get("sort") or DEFAULT_SORT,
    )
    page = Paginator(filter_reviews(chosen), PER_PAGE).get_page(request.GET.get("page"))
    progress = progress_of(page.object_list)
    after_close = after_close_of(page.object_list)
    rows = [
        (review, progress[review.pk], after_close.get(review.pk, AfterClose()))
        for review in page.object_list
    ]
    context = {
        "form": form,
        "page": page,
        "rows": rows,
        "status": chosen.status,
        "columns": columns(chosen.sort),
    }
    return render(request, "web/dashboard.html", context)

"""The dashboard: reviews with their progress and what they wait on, filtered and paged."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from prr.reviews.queries import ReviewFilter, filter_reviews, progress_of
from prr.web.forms import DashboardFilter
from prr.web.views.common import acting_user

PER_PAGE = 25


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    form = DashboardFilter(request.GET or None, initial={"status": "open"})
    data = form.cleaned_data if form.is_valid() else {}
    chosen = ReviewFilter(
        status=data.get("status") or "open",
        kind=data.get("kind") or None,
        dri=user.username if data.get("mine") else None,
        awaiting_user=user if data.get("waiting") else None,
        text=data.get("q") or None,
    )
    page = Paginator(filter_reviews(chosen), PER_PAGE).get_page(request.GET.get("page"))
    progress = progress_of(page.object_list)
    rows = [(review, progress[review.pk]) for review in page.object_list]
    return render(
        request,
        "web/dashboard.html",
        {"form": form, "page": page, "rows": rows, "status": chosen.status},
    )

"""Waivers across reviews: those in force (soonest to end first), those ending soon, and the
closed reviews whose waiver expired (a re-review is due)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from prr.reviews.waivers import EXPIRING_DAYS, active_waivers, expired_on_closed_reviews


@login_required
@require_GET
def waivers(request: HttpRequest) -> HttpResponse:
    expiring = request.GET.get("show") == "expiring"
    return render(
        request,
        "web/waivers.html",
        {
            "waivers": active_waivers(expiring_within=EXPIRING_DAYS if expiring else None),
            "expiring": expiring,
            "expiring_days": EXPIRING_DAYS,
            "rereview_due": expired_on_closed_reviews().order_by("-number"),
        },
    )

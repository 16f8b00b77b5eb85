"""A review's chat channels: which are linked, and linking or unlinking one (DRI or admin)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from prr.errors import PrrError
from prr.integrations.chat.services import link_channel, may_link, unlink_channel
from prr.web.forms import LinkChannelForm
from prr.web.views.common import acting_user, status_for
from prr.web.views.reviews import load_review


@login_required
@require_http_methods(["GET", "POST"])
def channels(request: HttpRequest, number: int) -> HttpResponse:
    review = load_review(number)
    user = acting_user(request)
    form = LinkChannelForm(request.POST if request.method == "POST" else None)
    status = 200
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            link = link_channel(review, by=user, **form.cleaned_data)
        except PrrError as exc:
            error, status = exc.message, status_for(exc)
        else:
            messages.success(request, f"Linked {link.get_platform_display()} channel {link.label}.")
            return redirect("web:review_channels", number=review.number)
    elif request.method == "POST":
        status = 400
    context = {
        "review": review,
        "links": list(review.channel_links.select_related("created_by")),
        "form": form,
        "error": error,
        "can_link": may_link(user, review),
    }
    return render(request, "web/review_channels.html", context, status=status)


@login_required
@require_POST
def unlink(request: HttpRequest, number: int, platform: str) -> HttpResponse:
    review = load_review(number)
    try:
        link = unlink_channel(review, platform=platform, by=acting_user(request))
    except PrrError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Unlinked {link.get_platform_display()} channel {link.label}.")
    return redirect("web:review_channels", number=review.number)

"""Your inbox: what concerns you in reviews, newest first; and the link that stops email."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from prr.errors import PrrError
from prr.notifications import services
from prr.web.views.common import acting_user, http_error

PER_PAGE = 50


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    unread_only = request.GET.get("show") == "unread"
    found = services.inbox(user, unread_only=unread_only)
    page = Paginator(found, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "web/inbox.html",
        {"page": page, "unread_only": unread_only, "unread": services.unread_count(user)},
    )


@login_required
@require_POST
def read(request: HttpRequest, notification_id: int) -> HttpResponse:
    """Mark one read; with `open`, go where it points (the link in the inbox)."""
    try:
        notification = services.mark_read(acting_user(request), notification_id)
    except PrrError as error:
        raise http_error(error) from error
    if request.POST.get("open") and url_has_allowed_host_and_scheme(notification.link, None):
        return redirect(notification.link)
    return redirect("web:inbox")


@login_required
@require_POST
def read_all(request: HttpRequest) -> HttpResponse:
    marked = services.mark_all_read(acting_user(request))
    messages.success(request, f"Marked {marked} notification{'s' if marked != 1 else ''} read.")
    return redirect("web:inbox")


@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """The link in every email: a page that asks, then stops the emails (no sign-in needed:
    the token is the person's; a GET alone changes nothing, as mail scanners follow links)."""
    if request.method == "GET":
        return render(request, "web/unsubscribe.html", {"token": token, "done": False})
    try:
        chosen = services.unsubscribe(token)
    except PrrError as error:
        raise http_error(error) from error
    return render(request, "web/unsubscribe.html", {"done": True, "user": chosen.user})

"""What every page shares: the signed-in user, and turning a service's refusal into HTTP."""

from __future__ import annotations

from typing import cast

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from prr.accounts.models import User
from prr.errors import InvalidInput, NotFound, PermissionDenied, PrrError, RuleViolation

STATUS_FOR = {InvalidInput: 400, PermissionDenied: 403, NotFound: 404, RuleViolation: 409}


def acting_user(request: HttpRequest) -> User:
    """The signed-in user (every view but sign-in is behind login_required)."""
    return cast(User, request.user)


def is_htmx(request: HttpRequest) -> bool:
    """Sent by htmx (django-htmx's middleware sets `request.htmx`)."""
    return bool(getattr(request, "htmx", False))


def status_for(error: PrrError) -> int:
    for kind, status in STATUS_FOR.items():
        if isinstance(error, kind):
            return status
    return 400


def http_error(error: PrrError) -> Exception:
    """For reads, in the service's words: a refusal is a 403 page; anything else (an unknown
    object, a malformed reference) means there is nothing at this address, a 404 page.

    Use as `raise http_error(error) from error`.
    """
    if isinstance(error, PermissionDenied):
        return DjangoPermissionDenied(error.message)
    return Http404(error.message)


def _said(exception: Exception | None) -> str:
    """The message a view raised (a service's words); Django's own 404s carry none to show."""
    if exception is None or not exception.args:
        return ""
    first = exception.args[0]
    return first if isinstance(first, str) else ""


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", {"message": _said(exception)}, status=404)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "403.html", {"message": _said(exception)}, status=403)

"""Sign-in throttling: repeated wrong passwords are refused for a while (django-axes).

Two counts are kept, each over the last `PRR_LOGIN_COOLOFF_MINUTES`: the failures for one
username (from anywhere) and the failures from one client address (for any username). An
account is refused after `PRR_LOGIN_FAILURE_LIMIT` failures, an address after
`PRR_LOGIN_IP_FAILURE_LIMIT` (higher: an office behind one NAT address shares it). While
refused, even the right password does not sign in; the page says why and for how long, with
HTTP 429. The lock ends by itself at the end of the cool-off, counted from the last failure
before it (attempts during the lock do not extend it), or at once with `prr user unlock` or by
deleting the access attempt in the admin.

Only passwords are counted: the web sign-in page and the admin's, including break-glass
accounts when single sign-on is on. An OIDC sign-in carries no password, and its failures
are the provider's to throttle; API tokens never go through `authenticate()`.
"""

from __future__ import annotations

import ipaddress
import math
from datetime import datetime, timedelta
from typing import Any

from axes.backends import AxesStandaloneBackend
from axes.handlers.database import AxesDatabaseHandler
from axes.handlers.proxy import AxesProxyHandler
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from prr.errors import InvalidInput

# The order of django-axes' AXES_LOCKOUT_PARAMETERS (separate counts, not a combination).
LOCKOUT_PARAMETERS = ["username", "ip_address"]


def cool_off(request: HttpRequest | None = None) -> timedelta:
    """AXES_COOLOFF_TIME: read at each request, so a changed setting applies at once."""
    return timedelta(minutes=settings.LOGIN_COOLOFF_MINUTES)


def failure_limit(request: HttpRequest | None = None, credentials: Any = None) -> int:
    """AXES_FAILURE_LIMIT: the account's limit; the address's is applied by the handler."""
    return int(settings.LOGIN_FAILURE_LIMIT)


def username_of(request: HttpRequest, credentials: dict[str, Any] | None) -> str | None:
    """AXES_USERNAME_CALLABLE: the handle as prr spells it, so `Dana` and `@dana` count as
    `dana`."""
    raw = (credentials or {}).get("username")
    if raw is None:
        raw = request.POST.get("username") if request.method == "POST" else None
    if not isinstance(raw, str):
        return None
    return raw.strip().lstrip("@").lower() or None


def _is_password_attempt(credentials: dict[str, Any] | None) -> bool:
    return bool(credentials) and "password" in (credentials or {})


class PasswordThrottleBackend(AxesStandaloneBackend):  # type: ignore[misc]
    """First in AUTHENTICATION_BACKENDS: refuses a locked-out password sign-in before any
    password is checked; lets everything else (OIDC) through to the next backends."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> None:
        if password is None or request is None:
            # Not a password, or not a request (code calling authenticate() directly, such as
            # the test client's login): nothing to count or refuse here.
            return None
        super().authenticate(request, username=username, password=password, **kwargs)
        return None


class PasswordThrottleHandler(AxesDatabaseHandler):  # type: ignore[misc]
    """django-axes' database handler with prr's two limits, counting password failures only."""

    def user_login_failed(
        self, sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any
    ) -> None:
        if _is_password_attempt(credentials):
            super().user_login_failed(sender, credentials, request, **kwargs)

    def get_failures(self, request: Any, credentials: dict[str, Any] | None = None) -> int:
        # django-axes compares one count with one limit; prr has a limit per parameter, so
        # the count returned is the account limit as soon as either is reached.
        limit = failure_limit()
        counts = [_failures(attempts) for attempts in self.get_user_attempts(request, credentials)]
        if any(count >= lim for count, lim in zip(counts, _limits(), strict=True)):
            return limit
        return min(max(counts, default=0), limit - 1)


def _limits() -> list[int]:
    return [int(settings.LOGIN_FAILURE_LIMIT), int(settings.LOGIN_IP_FAILURE_LIMIT)]


def _failures(attempts: QuerySet[AccessAttempt]) -> int:
    return sum(attempts.values_list("failures_since_start", flat=True))


def _lock_ends(attempts: QuerySet[AccessAttempt], limit: int, now: datetime) -> datetime | None:
    """When this count drops below its limit again, or None when it is not locked: the
    newest attempts that together reach the limit expire with the oldest of them."""
    total = 0
    for failures, attempt_time in (
        attempts.filter(attempt_time__gte=now - cool_off())
        .order_by("-attempt_time")
        .values_list("failures_since_start", "attempt_time")
    ):
        total += failures
        if total >= limit:
            ends: datetime = attempt_time + cool_off()
            return ends
    return None


def lockout_message(request: HttpRequest, credentials: dict[str, Any] | None) -> str:
    """What the sign-in page says to a locked-out person: why, for how long, what to do."""
    now = timezone.now()
    attempts = AxesProxyHandler.get_implementation().filter_user_attempts(request, credentials)
    ends = [_lock_ends(qs, lim, now) for qs, lim in zip(attempts, _limits(), strict=True)]
    by_account, by_address = ends
    until = by_account or by_address or now + cool_off()
    minutes = max(1, math.ceil((until - now).total_seconds() / 60))
    wait = f"{minutes} minute" + ("" if minutes == 1 else "s")
    if by_account is not None or by_address is None:
        return (
            f"Too many failed sign-ins for this account; try again in {wait} or ask an "
            "administrator to unlock it."
        )
    return (
        f"Too many failed sign-ins from your network address; try again in {wait} or ask an "
        "administrator to unlock it."
    )


def is_locked_out(request: HttpRequest) -> bool:
    return bool(getattr(request, "axes_locked_out", False))


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None, credentials: Any = None
) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE. The sign-in forms (prr's and the admin's) already show the
    message (`ThrottledSignInForm`): their page is kept, as a 429. Anything else gets a page
    of its own."""
    login_paths = {reverse("web:login"), reverse("admin:login")}
    if (
        original_response is not None
        and original_response.status_code == 200
        and request.path in login_paths
    ):
        original_response.status_code = 429
        original_response.reason_phrase = "Too Many Requests"
        return original_response
    context = {
        "title": "Too many failed sign-ins",
        "message": lockout_message(request, credentials),
        "oidc_name": settings.OIDC_NAME,
    }
    return render(request, "accounts/sign_in_failed.html", context, status=429)


def unlock_sign_in(username: str | None = None, *, address: str | None = None) -> int:
    """Lift the lock on an account and/or a client address at once: the failures counted
    for them are forgotten. Returns how many attempt records were removed."""
    handle = (username or "").strip().lstrip("@").lower()
    ip = (address or "").strip()
    if not handle and not ip:
        raise InvalidInput("Name the account or the address to unlock.")
    if ip:
        try:
            ip = str(ipaddress.ip_address(ip.strip("[]")))
        except ValueError:
            raise InvalidInput(f"{address!r} is not an IP address.") from None
    removed = 0
    if handle:
        removed += AxesProxyHandler.reset_attempts(username=handle)
    if ip:
        removed += AxesProxyHandler.reset_attempts(ip_address=ip)
    return removed

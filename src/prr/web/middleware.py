"""Every response's security headers (a strict Content-Security-Policy: no inline scripts),
a busy database's 503 page, and times in the reader's time zone."""

from __future__ import annotations

import functools
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        return response


class BusyDatabaseMiddleware:
    """A database that stayed locked past its timeout is a 503 page that says so (and the
    request's transaction has rolled back), not a 500."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        from django.template.loader import render_to_string

        from prr.errors import is_database_busy

        if not is_database_busy(exception):
            return None
        if request.path.startswith("/integrations/"):
            # Mattermost and Slack show a JSON answer's `text` to the person who wrote.
            response: HttpResponse = JsonResponse(
                {"text": "prr is busy, try again in a moment."}, status=503
            )
        else:
            response = HttpResponse(render_to_string("503.html"), status=503)
        response["Retry-After"] = "1"
        return response


TIME_ZONE_COOKIE = "prr_tz"  # set by static/web/timezone.js: the browser's IANA zone
# Machines read these: their times stay in UTC whatever a browser's cookie says.
MACHINE_PATHS = ("/api/", "/integrations/", "/scim/", "/metrics", "/healthz", "/readyz")


@functools.cache
def known_time_zones() -> frozenset[str]:
    """The IANA names this system's zone database knows (read once: it lists files)."""
    return frozenset(zoneinfo.available_timezones())


def known_time_zone(name: str) -> str:
    """`name` when it is a known IANA zone, else "" (a cookie or an old setting may hold
    anything; ZoneInfo would open files for some of it)."""
    return name if name in known_time_zones() else ""


@dataclass(frozen=True)
class ReaderTimeZone:
    """The zone a page shows times in, and where it comes from."""

    name: str
    source: str  # "account" (the user's setting), "browser" (detected) or "server"
    detected: str  # the browser's zone, "" when not (yet) known


def reader_time_zone(request: HttpRequest) -> ReaderTimeZone:
    """The signed-in user's chosen zone, else the browser's, else the server's (UTC)."""
    detected = known_time_zone(request.COOKIES.get(TIME_ZONE_COOKIE, ""))
    user = getattr(request, "user", None)
    chosen = known_time_zone(getattr(user, "time_zone", "") or "")
    if chosen:
        return ReaderTimeZone(chosen, "account", detected)
    if detected:
        return ReaderTimeZone(detected, "browser", detected)
    return ReaderTimeZone(settings.TIME_ZONE, "server", "")


class ReaderTimeZoneMiddleware:
    """Pages show times in the reader's zone (`request.reader_time_zone` says which); after
    the authentication middleware, which gives the user."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith(MACHINE_PATHS):
            return self.get_response(request)
        zone = reader_time_zone(request)
        request.reader_time_zone = zone  # type: ignore[attr-defined]
        timezone.activate(zone.name)
        try:
            return self.get_response(request)
        finally:
            # The zone is the thread's: the next request on this thread starts from UTC.
            timezone.deactivate()

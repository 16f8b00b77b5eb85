"""One POST over HTTP(S) with the standard library, described whatever happens."""

from __future__ import annotations

import http.client
import socket
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from prr.integrations import outgoing_guard

EXCERPT_CHARS = 500


@dataclass(frozen=True)
class Response:
    """What a receiver answered; `status_code` is None when no answer came.

    `permanent`: asking again will not help (a deleted webhook, a channel the bot is not in), so
    the outbox fails it at once. `retry_after`: the receiver said when to come back (seconds).
    """

    status_code: int | None
    duration_ms: int
    error: str = ""
    excerpt: str = ""
    permanent: bool = False
    retry_after: float | None = None

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300

    def for_good(self, why: str) -> Response:
        """This refusal as a permanent one, with `why` (what is wrong, what to do) added."""
        return replace(self, permanent=True, error=f"{self.error}: {why}" if self.error else why)


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    # A redirect is not a delivery: the signed body must reach the subscribed URL itself,
    # and urllib would turn the POST into a GET. The 3xx is reported as a failed attempt.
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_opener = outgoing_guard.opener(_NoRedirects)


def _excerpt(raw: bytes) -> str:
    return raw.decode("utf-8", errors="replace")[:EXCERPT_CHARS]


def post(url: str, body: bytes, headers: dict[str, str], *, timeout: float) -> Response:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    started = time.monotonic()

    def elapsed() -> int:
        return round((time.monotonic() - started) * 1000)

    try:
        with _opener.open(request, timeout=timeout) as reply:
            raw = reply.read(EXCERPT_CHARS * 4)
            return Response(reply.status, elapsed(), excerpt=_excerpt(raw))
    except urllib.error.HTTPError as exc:
        try:
            raw = exc.read(EXCERPT_CHARS * 4)
        except (OSError, http.client.HTTPException):
            raw = b""
        error = f"HTTP {exc.code} {exc.reason}".rstrip()
        wait = retry_after_seconds(exc.headers.get("Retry-After")) if exc.code == 429 else None
        return Response(exc.code, elapsed(), error=error, excerpt=_excerpt(raw), retry_after=wait)
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, outgoing_guard.BlockedDestination):
            # The address will not become allowed by trying again: only an admin's setting can.
            return Response(None, elapsed(), error=str(exc.reason), permanent=True)
        return Response(None, elapsed(), error=_describe(exc.reason, timeout))
    except (OSError, http.client.HTTPException, ValueError) as exc:
        return Response(None, elapsed(), error=_describe(exc, timeout))


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """A `Retry-After` header as seconds to wait (RFC 9110: delay-seconds or an HTTP-date)."""
    text = (value or "").strip()
    if not text:
        return None
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None  # unreadable: the caller's own back-off applies
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max((when - (now or datetime.now(UTC))).total_seconds(), 0.0)


def _describe(reason: object, timeout: float) -> str:
    if isinstance(reason, TimeoutError | socket.timeout):
        return f"No answer within {timeout:g} s (timed out)."
    if isinstance(reason, ConnectionRefusedError):
        return "Connection refused."
    if isinstance(reason, BaseException):
        return f"{type(reason).__name__}: {reason}" if str(reason) else type(reason).__name__
    return str(reason)

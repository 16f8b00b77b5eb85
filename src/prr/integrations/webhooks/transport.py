"""One POST over HTTP(S) with the standard library, described whatever happens."""

from __future__ import annotations

import http.client
import socket
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

EXCERPT_CHARS = 500


@dataclass(frozen=True)
class Response:
    """What a receiver answered; `status_code` is None when no answer came."""

    status_code: int | None
    duration_ms: int
    error: str = ""
    excerpt: str = ""

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    # A redirect is not a delivery: the signed body must reach the subscribed URL itself,
    # and urllib would turn the POST into a GET. The 3xx is reported as a failed attempt.
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_opener = urllib.request.build_opener(_NoRedirects)


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
        return Response(exc.code, elapsed(), error=error, excerpt=_excerpt(raw))
    except urllib.error.URLError as exc:
        return Response(None, elapsed(), error=_describe(exc.reason, timeout))
    except (OSError, http.client.HTTPException, ValueError) as exc:
        return Response(None, elapsed(), error=_describe(exc, timeout))


def _describe(reason: object, timeout: float) -> str:
    if isinstance(reason, TimeoutError | socket.timeout):
        return f"No answer within {timeout:g} s (timed out)."
    if isinstance(reason, ConnectionRefusedError):
        return "Connection refused."
    if isinstance(reason, BaseException):
        return f"{type(reason).__name__}: {reason}" if str(reason) else type(reason).__name__
    return str(reason)

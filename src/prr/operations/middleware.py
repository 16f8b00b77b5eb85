"""Every request gets an id (returned in `X-Request-ID`), is counted and timed for /metrics,
and, with PRR_LOG_FORMAT=json, logged as one line."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponseBase
from django.utils.functional import empty

from prr.operations import metrics
from prr.operations.logs import current_request_id, request_id_from

logger = logging.getLogger("prr.requests")

REQUEST_ID_HEADER = "X-Request-ID"


class RequestObservationMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        request_id = request_id_from(request.headers.get(REQUEST_ID_HEADER))
        token = current_request_id.set(request_id)
        started = time.perf_counter()
        try:
            # Django turns an exception in a view or a later middleware into a 500 response
            # (and logs it, with this request's id) before it gets here.
            response = self.get_response(request)
            seconds = time.perf_counter() - started
            response[REQUEST_ID_HEADER] = request_id
            metrics.observe_request(request, response.status_code, seconds)
            if logger.isEnabledFor(logging.INFO):
                log_request(request, response.status_code, seconds)
            return response
        finally:
            current_request_id.reset(token)


def log_request(request: HttpRequest, status: int, seconds: float) -> None:
    match = getattr(request, "resolver_match", None)
    route = (match.route or match.view_name) if match else metrics.UNMATCHED_ROUTE
    logger.info(
        "%s %s %s",
        request.method,
        request.path,
        status,
        extra={
            "user": username(request),
            "method": request.method,
            "route": route,
            "path": request.path,
            "status": status,
            "duration_ms": round(seconds * 1000, 1),
        },
    )


def username(request: HttpRequest) -> str:
    """Who made the request, if the request found out (no query just for the log)."""
    user = request.__dict__.get("user")
    if user is None or getattr(user, "_wrapped", None) is empty:
        return ""
    return str(user.username) if user.is_authenticated else ""

"""Keeps the API's error shape for errors raised before a request reaches the API's views.

Django itself answers some requests under /api/ (a method the path does not allow, a bad
Host header, an unexpected failure in a middleware); their HTML pages become the API's JSON
error shape here.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from prr.api.errors import error_response

API_PREFIX = "/api/"

MESSAGES = {
    400: ("malformed", "The request is malformed."),
    403: ("permission_denied", "The request was refused."),
    404: ("not_found", "Not found."),
    405: ("method_not_allowed", "{method} is not allowed here; allowed: {allow}."),
    413: ("too_large", "The request body is too large."),
    500: ("internal", "Something went wrong on the server; it has been logged."),
}


class ApiErrorShapeMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            request.path.startswith(API_PREFIX)
            and response.status_code >= 400
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            code, template = MESSAGES.get(
                response.status_code, ("error", f"The request failed ({response.status_code}).")
            )
            message = template.format(method=request.method, allow=response.get("Allow", ""))
            shaped = error_response(response.status_code, code, message)
            if "Allow" in response:
                shaped["Allow"] = response["Allow"]
            return shaped
        return response

"""Input no view should meet: NUL characters, JSON nested too deep, numbers too long.

PostgreSQL cannot store a NUL character in text (every such form post was a 500); Python's
JSON parser recurses once per level (10,000 levels: RecursionError) and refuses integers of more
than 4,300 digits with a ValueError most callers do not expect. `RequestGuardMiddleware` refuses
such requests with a 400 and a message, in the shape of the part of prr that was asked (an
HTML page, the API's or SCIM's JSON error).

The chat endpoints (/integrations/) are left to their views, which check the token or the
signature first and then call `check_fields` / `parse_json` themselves: an unauthenticated
request is not parsed.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

from django.core.exceptions import BadRequest, RequestDataTooBig, SuspiciousOperation
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError

MAX_JSON_DEPTH = 64
MAX_NUMBER_DIGITS = 100
CHAT_PREFIX = "/integrations/"
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")

NUL_MESSAGE = (
    "The request contains a NUL character (\\x00 or %00), which prr cannot store; remove it "
    "and send the request again."
)


class UnsafeInput(Exception):
    """The request is refused before any view reads it; `message` says why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def check_fields(values: Iterable[str]) -> None:
    """Raise UnsafeInput if any of the texts (field names and values) holds a NUL."""
    if any("\x00" in value for value in values):
        raise UnsafeInput(NUL_MESSAGE)


def _bounded_int(digits: str) -> int:
    if len(digits.lstrip("-")) > MAX_NUMBER_DIGITS:
        raise UnsafeInput(
            f"The JSON body has a number of {len(digits.lstrip('-')):,} digits; prr reads "
            f"numbers of at most {MAX_NUMBER_DIGITS} digits."
        )
    return int(digits)


def _bounded_float(text: str) -> float:
    if len(text) > MAX_NUMBER_DIGITS * 4:
        raise UnsafeInput(f"The JSON body has a number of {len(text):,} characters.")
    return float(text)


def parse_json(raw: bytes | str) -> Any:
    """The decoded JSON, refused (UnsafeInput) when nested deeper than MAX_JSON_DEPTH, with a
    number too long or a NUL in a string; ValueError when it is not JSON at all."""
    try:
        data = json.loads(raw, parse_int=_bounded_int, parse_float=_bounded_float)
    except RecursionError:
        raise UnsafeInput(_too_deep()) from None
    _walk(data)
    return data


def _too_deep() -> str:
    return f"The JSON body is nested more than {MAX_JSON_DEPTH} levels deep."


def _walk(data: Any) -> None:
    """Depth and NUL characters, without recursion (the data may be deep)."""
    pending: list[tuple[Any, int]] = [(data, 1)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, str):
            check_fields([value])
            continue
        if not isinstance(value, dict | list):
            continue
        if depth > MAX_JSON_DEPTH:
            raise UnsafeInput(_too_deep())
        if isinstance(value, dict):
            check_fields(value)
            pending.extend((child, depth + 1) for child in value.values())
        else:
            pending.extend((child, depth + 1) for child in value)


def is_json(content_type: str) -> bool:
    return content_type == "application/json" or content_type.endswith("+json")


def check_request(request: HttpRequest, *, body: bool = True) -> None:
    """The path, the query string and (`body`) the form or JSON body of `request`."""
    check_fields([request.path])
    check_fields(key for key in request.GET)
    check_fields(value for values in request.GET.lists() for value in values[1])
    if not body or request.method in ("GET", "HEAD", "OPTIONS"):
        return
    content_type = request.content_type or ""
    try:
        if is_json(content_type) and request.body.strip():
            try:
                parse_json(request.body)
            except (ValueError, UnicodeDecodeError):
                return  # not JSON: the view says so in its own words
        elif content_type in FORM_TYPES:
            check_fields(key for key in request.POST)
            check_fields(value for values in request.POST.lists() for value in values[1])
            check_fields(f.name or "" for files in request.FILES.lists() for f in files[1])
    except (RequestDataTooBig, SuspiciousOperation, BadRequest, MultiPartParserError, OSError):
        return  # too large, too many fields, malformed: the view's own refusal applies


def refusal(request: HttpRequest, message: str) -> HttpResponse:
    """A 400 in the shape of the part of prr that was asked."""
    path = request.path
    if path.startswith("/api/"):
        from prr.api.errors import error_response

        return error_response(400, "malformed", message)
    if path.startswith("/scim/"):
        from prr.integrations.scim.protocol import error_response as scim_error
        from prr.integrations.scim.protocol import invalid_value

        return scim_error(invalid_value(message))
    if path.startswith(CHAT_PREFIX):
        return JsonResponse({"text": message}, status=400)
    from django.template.loader import render_to_string

    page = render_to_string("400.html", {"message": message})
    return HttpResponse(page, status=400)


class RequestGuardMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            check_request(request, body=not request.path.startswith(CHAT_PREFIX))
        except UnsafeInput as exc:
            return refusal(request, exc.message)
        return self.get_response(request)

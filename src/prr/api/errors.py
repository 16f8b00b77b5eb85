"""One error shape for every API response: `{"error": code, "message": text, "details": …}`.

Domain errors map to statuses by kind: NotFound 404, PermissionDenied 403, RuleViolation 409,
InvalidInput 422. Malformed bodies are 400, bad or missing credentials 401, oversized bodies
413, a briefly locked database 503 (with Retry-After). Anything unexpected is logged and
answered with a 500 in the same shape, never a traceback.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.db import DataError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, ValidationError

from prr.errors import (
    InvalidInput,
    NotFound,
    PermissionDenied,
    PrrError,
    RuleViolation,
    is_database_busy,
)

logger = logging.getLogger("prr.api")


class ErrorOut(Schema):
    error: str
    message: str
    details: Any = None

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "error": "rule_violation",
                    "message": "PRR-12 cannot be closed yet: ...",
                    "details": [{"item": "sre-review", "reason": "SRE review is still open"}],
                }
            ]
        }
    }


STATUS_OF: list[tuple[type[PrrError], int, str]] = [
    (NotFound, 404, "not_found"),
    (PermissionDenied, 403, "permission_denied"),
    (RuleViolation, 409, "rule_violation"),
    (InvalidInput, 422, "invalid_input"),
]

# Every operation may answer with these (documented once per operation in the OpenAPI).
COMMON_ERRORS: dict[int, type[Schema]] = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    413: ErrorOut,
    422: ErrorOut,
    503: ErrorOut,
}


def error_response(
    status: int, error: str, message: str, details: Any = None, **headers: str
) -> HttpResponse:
    response = JsonResponse(
        {"error": error, "message": message, "details": details},
        status=status,
        json_dumps_params={"ensure_ascii": False},
    )
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


def describe_validation(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Ninja's validation errors as `{"field": "body.title", "message": …}`, one per field."""
    described = []
    for err in errors:
        loc = [str(part) for part in err.get("loc", ())]
        if len(loc) > 2 and loc[0] == "body":
            # Ninja puts the view's parameter name after "body"; clients never see it.
            del loc[1]
        described.append({"field": ".".join(loc), "message": str(err.get("msg", "invalid"))})
    return described


def install(api: NinjaAPI) -> None:
    @api.exception_handler(PrrError)
    def domain_error(request: HttpRequest, exc: PrrError) -> HttpResponse:
        for kind, status, code in STATUS_OF:
            if isinstance(exc, kind):
                return error_response(status, code, exc.message, exc.details)
        return error_response(409, "refused", exc.message, exc.details)

    @api.exception_handler(ValidationError)
    def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        fields = describe_validation(exc.errors)
        names = ", ".join(f["field"] for f in fields)
        return error_response(422, "invalid_fields", f"Invalid fields: {names}.", fields)

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return error_response(
            401,
            "unauthorized",
            "Send a valid API token as 'Authorization: Bearer <token>' (create one with "
            "`prr token create`), or sign in to the web UI.",
            WWW_Authenticate='Bearer realm="prr"',
        )

    @api.exception_handler(AuthorizationError)
    def forbidden(request: HttpRequest, exc: AuthorizationError) -> HttpResponse:
        return error_response(403, "permission_denied", str(exc.message))

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        if exc.status_code == 403 and "csrf" in str(exc.message).lower():
            return error_response(
                403,
                "csrf_failed",
                "A signed-in browser request that changes something must carry the CSRF "
                "token (the csrftoken cookie's value in the X-CSRFToken header); scripts "
                "should use an API token instead.",
            )
        code = {
            400: "malformed",
            403: "permission_denied",
            405: "method_not_allowed",
            413: "too_large",
        }.get(exc.status_code, "error")
        return error_response(exc.status_code, code, str(exc.message))

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return error_response(404, "not_found", "Not found.")

    @api.exception_handler(RequestDataTooBig)
    def too_large(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
        return body_too_large()

    @api.exception_handler(DataError)
    def unstorable(request: HttpRequest, exc: DataError) -> HttpResponse:
        # A value the database cannot hold: NUL characters (PostgreSQL), an out-of-range number.
        text = str(exc)
        if "NUL" in text or "0x00" in text:
            message = "Text may not contain NUL (\\u0000) characters."
        else:
            message = "A value does not fit the database: " + text.splitlines()[0]
        return error_response(422, "invalid_input", message)

    @api.exception_handler(Exception)
    def unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
        if is_database_busy(exc):
            return error_response(
                503,
                "busy",
                "The database is busy (another process holds its lock); try again.",
                Retry_After="1",
            )
        logger.exception("Unexpected error in %s %s", request.method, request.path)
        return error_response(
            500, "internal", "Something went wrong on the server; it has been logged."
        )


def body_too_large() -> HttpResponse:
    from django.conf import settings

    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return error_response(
        413, "too_large", f"The request body is larger than {limit:,} bytes.", {"limit": limit}
    )

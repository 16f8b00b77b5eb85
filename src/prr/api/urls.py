from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import path, re_path

from prr.api.app import api
from prr.api.errors import error_response


def unknown(request: HttpRequest, rest: str = "") -> HttpResponse:
    return error_response(
        404, "not_found", f"No API endpoint {request.path}; see /api/v1/docs for the list."
    )


urlpatterns = [
    path("", api.urls),
    re_path(r"^(?P<rest>.*)$", unknown),
]

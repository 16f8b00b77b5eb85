"""prr's URLs and one view that fails, to see how an error is logged."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import include, path


def boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("the view failed")


urlpatterns = [path("boom", boom, name="boom"), path("", include("prr.urls"))]

"""A closed review's snapshots: read in the page, or downloaded as Markdown or JSON."""

from __future__ import annotations

import json

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from prr.errors import PrrError
from prr.reviews.models import Snapshot
from prr.reviews.queries import get_snapshot
from prr.web import pdf
from prr.web.views.common import http_error
from prr.web.views.reviews import load_review


def load_snapshot(number: int, version: int) -> Snapshot:
    review = load_review(number)
    try:
        return get_snapshot(review, version)
    except PrrError as error:
        raise http_error(error) from error


@login_required
@require_GET
def snapshot_page(request: HttpRequest, number: int, version: int) -> HttpResponse:
    snapshot = load_snapshot(number, version)
    return render(request, "web/snapshot.html", {"snapshot": snapshot, "review": snapshot.review})


def attachment(body: str, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_GET
def snapshot_markdown(request: HttpRequest, number: int, version: int) -> HttpResponse:
    snapshot = load_snapshot(number, version)
    name = f"{snapshot.review.ref}-v{snapshot.version}.md"
    return attachment(snapshot.markdown, "text/markdown; charset=utf-8", name)


@login_required
@require_GET
def snapshot_pdf(request: HttpRequest, number: int, version: int) -> HttpResponse:
    snapshot = load_snapshot(number, version)
    response = HttpResponse(pdf.snapshot_pdf(snapshot), content_type="application/pdf")
    name = f"{snapshot.review.ref}-v{snapshot.version}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@require_GET
def snapshot_json(request: HttpRequest, number: int, version: int) -> HttpResponse:
    snapshot = load_snapshot(number, version)
    body = json.dumps(
        {"sha256": snapshot.sha256, "content": snapshot.content}, indent=2, ensure_ascii=False
    )
    name = f"{snapshot.review.ref}-v{snapshot.version}.json"
    return attachment(body, "application/json; charset=utf-8", name)

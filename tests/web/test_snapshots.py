"""Snapshots: readable in the page, downloadable as Markdown and JSON."""

from __future__ import annotations

import json

import pytest

from prr.reviews.answers import answer_section
from prr.reviews.lifecycle import close_review
from prr.reviews.snapshot import content_sha256


@pytest.fixture
def closed(review, dri, admin):
    answer_section(review, "summary", "Tokens move.\n\n<script>alert(1)</script>", by=dri)
    close_review(review, by=admin, force=True, reason="Approved in the meeting")
    return review


def test_the_snapshot_page_renders_its_markdown(as_sre, closed) -> None:
    response = as_sre.get(f"/reviews/{closed.number}/snapshots/1/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Tokens move." in html
    assert "<script>alert" not in html
    assert f'href="/reviews/{closed.number}/snapshots/1.md"' in html


def test_markdown_download(as_sre, closed) -> None:
    response = as_sre.get(f"/reviews/{closed.number}/snapshots/1.md")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/markdown; charset=utf-8"
    assert response["Content-Disposition"] == (f'attachment; filename="PRR-{closed.number}-v1.md"')
    assert closed.snapshots.get().markdown == response.content.decode()


def test_json_download_carries_a_verifiable_sha256(as_sre, closed) -> None:
    response = as_sre.get(f"/reviews/{closed.number}/snapshots/1.json")
    assert response["Content-Disposition"] == (
        f'attachment; filename="PRR-{closed.number}-v1.json"'
    )
    data = json.loads(response.content)
    assert data["sha256"] == content_sha256(data["content"])
    assert data["content"]["review"]["ref"] == f"PRR-{closed.number}"


def test_an_unknown_snapshot_is_a_404(as_sre, closed, review) -> None:
    response = as_sre.get(f"/reviews/{closed.number}/snapshots/2/")
    assert response.status_code == 404
    assert f"PRR-{closed.number} has no snapshot v2." in response.content.decode()
    assert as_sre.get(f"/reviews/{closed.number}/snapshots/2.json").status_code == 404


def test_pdf_download_reads_as_the_document(as_sre, closed) -> None:
    import io

    from pypdf import PdfReader

    response = as_sre.get(f"/reviews/{closed.number}/snapshots/1.pdf")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{closed.ref}-v1.pdf"'
    document = PdfReader(io.BytesIO(response.content))
    text = " ".join(" ".join(page.extract_text().split()) for page in document.pages)
    snapshot = closed.snapshots.get()
    assert f"{closed.ref}: Payments API" in text
    assert "Review document" in text
    assert "Approvals" in text
    assert snapshot.sha256[:32] in text.replace(" ", "")
    page = as_sre.get(f"/reviews/{closed.number}/snapshots/1/").content.decode()
    assert "Download PDF" in page

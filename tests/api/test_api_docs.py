"""docs/api.md keeps up with the API: every path of the OpenAPI document is documented."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from prr.api.app import api

DOC = Path(__file__).resolve().parents[2] / "docs" / "api.md"


def api_paths() -> list[str]:
    document = api.get_openapi_schema(path_prefix="/api/v1")
    return sorted(path.removeprefix("/api/v1") for path in document["paths"])


def test_the_openapi_document_is_served_without_a_token(client: Any) -> None:
    document = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/reviews/{ref}/readiness" in document["paths"]
    assert len(document["paths"]) == len(api_paths())


@pytest.mark.parametrize("path", api_paths())
def test_every_path_is_in_docs_api_md(path: str) -> None:
    documented = DOC.read_text()
    # `GET`/`POST /reviews/{ref}/messages`: a path is documented when it appears whole.
    assert re.search(re.escape(path) + r"[`?\s]", documented), f"{path} is not in docs/api.md"

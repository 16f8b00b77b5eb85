"""One error shape for everything that goes wrong at the HTTP level."""

from __future__ import annotations

import pytest

from prr.reviews.models import Message
from tests.api.conftest import error_of


def test_malformed_json_is_400(api_as, dri, review):
    response = api_as(dri).post("/reviews/PRR-1/messages", '{"body": "unfinished')
    assert error_of(response) == (400, "malformed")
    assert not Message.objects.exists()


def test_a_body_that_is_not_an_object_is_refused(api_as, dri, review):
    response = api_as(dri).post("/reviews/PRR-1/messages", "[1, 2]")
    assert error_of(response) == (422, "invalid_fields")
    assert not Message.objects.exists()


def test_an_oversized_body_is_413(api_as, dri, review, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 20_000
    response = api_as(dri).post("/reviews/PRR-1/messages", {"body": "x" * 30_000})
    assert error_of(response) == (413, "too_large")
    assert response.json()["details"] == {"limit": 20_000}
    assert "20,000 bytes" in response.json()["message"]
    assert not Message.objects.exists()


def test_an_oversized_playbook_import_is_413(api_as, admin, teams, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 20_000
    response = api_as(admin).post("/playbooks", "#" * 30_000, content_type="application/yaml")
    assert error_of(response) == (413, "too_large")


@pytest.mark.parametrize("path", ["/nothing-here", "/reviews/PRR-1/nothing"])
def test_an_unknown_path_is_404_in_the_shape(api_as, dri, review, path):
    response = api_as(dri).get(path)
    assert error_of(response) == (404, "not_found")
    assert "/api/v1/docs" in response.json()["message"]


def test_the_api_root_is_404_in_the_shape(api_as, dri):
    assert error_of(api_as(dri).get("/")) == (404, "not_found")


def test_an_unknown_path_is_404_without_a_token_too(api_as):
    assert error_of(api_as(None).get("/nothing-here")) == (404, "not_found")


def test_a_wrong_method_is_405_in_the_shape(api_as, dri, review):
    response = api_as(dri).delete("/reviews")
    assert error_of(response) == (405, "method_not_allowed")
    assert set(response["Allow"].replace(" ", "").split(",")) == {"GET", "POST"}
    assert "DELETE is not allowed here" in response.json()["message"]


def test_an_invalid_field_is_named_by_its_documented_path(api_as, dri, small_playbook):
    response = api_as(dri).post("/reviews", {"playbook": "small"})
    assert error_of(response) == (422, "invalid_fields")
    assert response.json()["details"] == [{"field": "body.title", "message": "Field required"}]


def test_invalid_fields_are_each_listed(api_as, dri, small_playbook):
    response = api_as(dri).post("/reviews", {"playbook": "small", "reviewers": "dana"})
    assert error_of(response) == (422, "invalid_fields")
    fields = [d["field"] for d in response.json()["details"]]
    assert len(fields) == 2
    assert fields[0].endswith("title")
    assert fields[1].endswith("reviewers")
    assert response.json()["message"] == f"Invalid fields: {', '.join(fields)}."


def test_the_openapi_document_is_served(api_as, dri):
    response = api_as(dri).get("/openapi.json")
    assert response.status_code == 200
    assert "/api/v1/reviews/{ref}/items/{key}/state" in response.json()["paths"]


@pytest.mark.parametrize(
    "path",
    [
        "/playbooks/small/versions/99999999999",
        "/playbooks/small/export?version=99999999999",
        "/reviews/PRR-1/snapshots/99999999999",
        "/reviews/PRR-999999999",
    ],
)
def test_out_of_range_numbers_in_paths_are_refused_not_crashed(api_as, dri, review, path):
    status, _ = error_of(api_as(dri).get(path))
    assert status in (404, 422)


def test_an_out_of_range_playbook_version_is_refused_not_crashed(api_as, dri, small_playbook):
    response = api_as(dri).post(
        "/reviews",
        {"playbook": "small", "title": "Ledger service: new write path", "version": 99999999999},
    )
    status, _ = error_of(response)
    assert status in (404, 422)


def test_a_locked_database_is_503_with_retry_after(api_as, dri, review, monkeypatch):
    from django.db import OperationalError

    from prr.api import reviews as review_routes

    def locked(*args, **kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr(review_routes, "post_message", locked)
    response = api_as(dri).post("/reviews/PRR-1/messages", {"body": "hello"})
    assert error_of(response) == (503, "busy")
    assert response["Retry-After"] == "1"
    assert "try again" in response.json()["message"]


def test_an_unexpected_failure_is_500_in_the_shape_without_internals(
    api_as, dri, review, monkeypatch, caplog
):
    from prr.api import reviews as review_routes

    def broken(*args, **kwargs):
        raise KeyError("secret internal detail")

    monkeypatch.setattr(review_routes, "post_message", broken)
    response = api_as(dri).post("/reviews/PRR-1/messages", {"body": "hello"})
    assert error_of(response) == (500, "internal")
    assert "secret internal detail" not in response.content.decode()
    assert "Traceback" not in response.content.decode()
    assert "secret internal detail" in caplog.text  # logged for the operator


def test_text_with_a_nul_character_is_refused_on_every_database(api_as, dri, review):
    response = api_as(dri).post("/reviews/PRR-1/messages", {"body": "before\u0000after"})
    # PostgreSQL cannot store NUL characters, so no database gets them: a clear 400.
    assert error_of(response) == (400, "malformed")
    assert "NUL" in response.json()["message"]
    assert api_as(dri).get("/reviews/PRR-1/messages").json()["items"] == []


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/webhooks/99999999999"),
        ("get", "/webhooks/deliveries/99999999999"),
        ("post", "/webhooks/deliveries/99999999999/retry"),
        ("delete", "/webhooks/99999999999"),
        ("delete", "/tokens/99999999999"),
    ],
)
def test_out_of_range_ids_are_not_found_not_crashed(api_as, admin, method, path):
    assert error_of(getattr(api_as(admin), method)(path)) == (404, "not_found")

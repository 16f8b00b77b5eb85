"""`/healthz` and `/readyz`: what a load balancer and monitoring ask, without signing in."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import DatabaseError
from django.test import Client
from django.utils import timezone

from prr.operations import heartbeats, views
from prr.operations.models import WorkerHeartbeat

pytestmark = pytest.mark.django_db


def test_healthz_answers_without_signing_in(client: Client) -> None:
    response = client.get("/healthz")

    assert (response.status_code, response.json()) == (200, {"status": "ok"})
    assert "no-cache" in response["Cache-Control"]


def test_readyz_is_ready_with_the_database_the_schema_and_a_live_worker(client: Client) -> None:
    heartbeats.beat("host-a-1234", timezone.now())

    response = client.get("/readyz")

    assert response.status_code == 200
    assert response.json() == {
        "status": "ready",
        "checks": {"database": "ok", "migrations": "ok", "worker": "ok"},
    }


def test_readyz_is_not_ready_when_no_worker_was_seen_lately(client: Client) -> None:
    heartbeats.beat("host-a-1234", timezone.now() - timedelta(hours=1))
    WorkerHeartbeat.objects.update(seen_at=timezone.now() - timedelta(minutes=6))

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["checks"]["worker"] == "no `prr worker` seen in the last 5 minutes"


def test_a_worker_that_stops_is_no_longer_counted(client: Client) -> None:
    heartbeats.beat("host-a-1234", timezone.now())
    heartbeats.stop("host-a-1234")

    assert client.get("/readyz").status_code == 503


def test_readyz_says_the_database_is_unreachable_and_nothing_more(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    def unreachable(self: object, *args: object) -> None:
        raise DatabaseError("could not connect to server at db.internal:5432")

    monkeypatch.setattr("django.db.backends.utils.CursorWrapper.execute", unreachable)

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json() == {"status": "not ready", "checks": {"database": "unreachable"}}
    assert b"db.internal" not in response.content


def test_readyz_reports_pending_migrations(client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    heartbeats.beat("host-a-1234", timezone.now())
    monkeypatch.setattr(views, "_migrated", False)
    monkeypatch.setattr(
        "django.db.migrations.executor.MigrationExecutor.migration_plan", lambda self, t: ["x"]
    )

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["checks"]["migrations"] == "pending: run `prr init`"

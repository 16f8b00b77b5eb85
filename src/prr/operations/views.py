"""`/healthz` (the process answers) and `/readyz` (it can do its work), for load balancers and
monitoring. No authentication, and nothing of the internals: no host names, no errors' text.
"""

from __future__ import annotations

import logging

from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST

from prr.operations import metrics
from prr.operations.heartbeats import live_workers, worker_window

logger = logging.getLogger(__name__)

_migrated = False  # once the schema is up to date it stays so until the next deploy restarts us


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


def schema_is_current() -> bool:
    global _migrated
    if not _migrated:
        executor = MigrationExecutor(connection)
        _migrated = not executor.migration_plan(executor.loader.graph.leaf_nodes())
    return _migrated


@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    checks: dict[str, str] = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except DatabaseError as exc:
        logger.warning("readyz: the database is not reachable: %s", exc)
        checks["database"] = "unreachable"
    if checks["database"] == "ok":
        try:
            checks["migrations"] = "ok" if schema_is_current() else "pending: run `prr init`"
            minutes = round(worker_window().total_seconds() / 60)
            checks["worker"] = (
                "ok" if live_workers() else f"no `prr worker` seen in the last {minutes} minutes"
            )
        except DatabaseError as exc:
            logger.warning("readyz: a check failed: %s", exc)
            checks.setdefault("migrations", "unknown")
            checks.setdefault("worker", "unknown")
    ready = all(value == "ok" for value in checks.values())
    return JsonResponse(
        {"status": "ready" if ready else "not ready", "checks": checks},
        status=200 if ready else 503,
    )


@never_cache
@require_GET
def metrics_view(request: HttpRequest) -> HttpResponse:
    """Prometheus metrics, for a token or the allowed networks only (docs/monitoring.md)."""
    refusal = metrics.scrape_refusal(request)
    if refusal == 403:
        return HttpResponse(
            "A valid metrics token is needed: Authorization: Bearer <PRR_METRICS_TOKEN>.\n",
            status=403,
            content_type="text/plain; charset=utf-8",
        )
    if refusal is not None:
        return HttpResponse("Not found.\n", status=404, content_type="text/plain; charset=utf-8")
    return HttpResponse(metrics.scrape(), content_type=CONTENT_TYPE_LATEST)

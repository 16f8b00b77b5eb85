"""Worker heartbeats: how `/readyz` knows background work is being done."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from prr.operations.models import WorkerHeartbeat

HEARTBEAT_EVERY = 30.0  # seconds between two heartbeats of one worker
FORGET_AFTER = timedelta(days=1)  # a worker gone this long is no longer listed


def beat(worker_id: str, started_at: datetime) -> None:
    now = timezone.now()
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id, defaults={"seen_at": now, "started_at": started_at}
    )
    WorkerHeartbeat.objects.filter(seen_at__lt=now - FORGET_AFTER).delete()


def stop(worker_id: str) -> None:
    """A worker that stops cleanly says so at once."""
    WorkerHeartbeat.objects.filter(worker_id=worker_id).delete()


def worker_window() -> timedelta:
    return timedelta(seconds=float(getattr(settings, "READY_WORKER_WINDOW", 300)))


def live_workers() -> int:
    """Workers seen within the readiness window."""
    return WorkerHeartbeat.objects.filter(seen_at__gte=timezone.now() - worker_window()).count()

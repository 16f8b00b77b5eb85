"""What operating prr needs to know about its own processes."""

from __future__ import annotations

from django.db import models


class WorkerHeartbeat(models.Model):
    """`prr worker` is alive: each worker writes its row every HEARTBEAT_EVERY seconds."""

    worker_id = models.CharField(max_length=64, unique=True)
    started_at = models.DateTimeField()
    seen_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-seen_at"]

    def __str__(self) -> str:
        return f"worker {self.worker_id} seen {self.seen_at:%Y-%m-%d %H:%M:%S}"

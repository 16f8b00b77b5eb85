"""Pruning: what is only kept for a while (`prr prune`, and `prr worker` every hour).

Deleted, when older than PRR_PRUNE_AFTER_DAYS: finished task results (succeeded or failed:
a task that will run again is a new, queued result), delivered webhook deliveries (with their
attempts' log) and delivered chat posts; and prr's remembered chat posts once their echo
window is over. Never deleted: anything still to send or waiting for a retry by hand (pending,
sending, retrying, failed), queued or running tasks, and the audit trail: no timeline event,
message or snapshot refers to a delivery, a chat post or a task result.

Rows go in batches of BATCH, each its own short transaction, so a first prune of a large
backlog never holds a long lock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Model, QuerySet
from django.utils import timezone

BATCH = 1000
PRUNE_EVERY = 3600.0  # seconds between two prunes by one worker
DEFAULT_AFTER_DAYS = 30


@dataclass(frozen=True)
class Pruned:
    task_results: int
    deliveries: int
    chat_posts: int
    own_posts: int

    @property
    def total(self) -> int:
        return self.task_results + self.deliveries + self.chat_posts + self.own_posts

    def summary(self) -> str:
        return (
            f"{self.task_results} finished task results, {self.deliveries} delivered webhook "
            f"deliveries, {self.chat_posts} sent chat posts, {self.own_posts} expired chat "
            "echo records"
        )


def after_days() -> int:
    return int(getattr(settings, "PRUNE_AFTER_DAYS", DEFAULT_AFTER_DAYS))


def prunable(now: datetime | None = None) -> dict[str, QuerySet[Model]]:
    """What a prune at `now` deletes, by kind (the names of `Pruned`'s fields)."""
    from django_tasks_db.models import DBTaskResult

    from prr.integrations.chat.models import ChatPost, OwnPost
    from prr.integrations.chat.own_posts import ECHO_WINDOW
    from prr.integrations.webhooks.models import Delivery

    now = now or timezone.now()
    cutoff = now - timedelta(days=after_days())
    return {
        "task_results": DBTaskResult.objects.filter(
            status__in=["SUCCESSFUL", "FAILED"], finished_at__lt=cutoff
        ),
        "deliveries": Delivery.objects.filter(
            status=Delivery.Status.DELIVERED, delivered_at__lt=cutoff
        ),
        "chat_posts": ChatPost.objects.filter(
            status=ChatPost.Status.DELIVERED, delivered_at__lt=cutoff
        ),
        "own_posts": OwnPost.objects.filter(created_at__lt=now - ECHO_WINDOW),
    }


def prune(*, now: datetime | None = None, dry_run: bool = False) -> Pruned:
    """Delete (or, with `dry_run`, count) what has been kept long enough."""
    from prr.operations import metrics

    counts: dict[str, int] = {}
    for kind, rows in prunable(now).items():
        counts[kind] = rows.count() if dry_run else delete_in_batches(rows)
        if counts[kind] and not dry_run:
            metrics.PRUNED.labels(kind).inc(counts[kind])
    return Pruned(**counts)


def delete_in_batches(rows: QuerySet[Model]) -> int:
    deleted = 0
    manager = rows.model._default_manager
    while True:
        batch = list(rows.order_by("pk").values_list("pk", flat=True)[:BATCH])
        if not batch:
            return deleted
        # Counted by the kind's own rows, not the attempts' log deleted with them.
        _, by_model = manager.filter(pk__in=batch).delete()
        deleted += by_model.get(rows.model._meta.label, 0)
        if len(batch) < BATCH:
            return deleted

"""What webhook deliveries and chat posts share: one attempt at a time, retries with back-off.

A row to send (a `Delivery`, a `ChatPost`) is claimed with one conditional UPDATE before
anything is sent, so however many workers run (and even if its task ran twice) it is sent by
one of them at a time, once per attempt. A worker that dies while sending loses its claim when
the lease ends, and `rescue_abandoned` queues it again.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Model, Q
from django.utils import timezone

# Django settings read at each use (so tests can make them tiny); the defaults suit production.
DEFAULT_TIMEOUT = 10.0  # WEBHOOK_TIMEOUT: seconds to wait for a receiver's answer
DEFAULT_MAX_ATTEMPTS = 8  # WEBHOOK_MAX_ATTEMPTS: attempts before a delivery is failed
DEFAULT_RETRY_DELAY = 10.0  # WEBHOOK_RETRY_DELAY: seconds before the 2nd attempt, then doubled
DEFAULT_RETRY_MAX_DELAY = 3600.0  # WEBHOOK_RETRY_MAX_DELAY: the longest wait between attempts
LEASE_MARGIN = 60.0  # a claim outlives the timeout by this much before another worker may take it

PENDING, SENDING, RETRYING = "pending", "sending", "retrying"


class OutboxRow(models.Model):
    """What a row sent by a worker keeps (chat posts, emails): its state, its attempts and the
    claim of the worker sending it now."""

    class Status(models.TextChoices):
        PENDING = PENDING, "pending (queued, not tried yet)"
        SENDING = SENDING, "sending (a worker holds it)"
        RETRYING = RETRYING, "retrying (waiting for the next attempt)"
        DELIVERED = "delivered"
        FAILED = "failed", "failed (gave up)"

    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claim_token = models.CharField(max_length=32, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["-pk"]
        indexes = [models.Index(fields=["status", "-id"])]


def timeout() -> float:
    return float(getattr(settings, "WEBHOOK_TIMEOUT", DEFAULT_TIMEOUT))


def max_attempts() -> int:
    return int(getattr(settings, "WEBHOOK_MAX_ATTEMPTS", DEFAULT_MAX_ATTEMPTS))


def retry_delay(attempts_made: int, retry_after: float | None = None) -> timedelta:
    """The wait after the `attempts_made`-th failed attempt of a round: 10 s, 20 s, 40 s, …,
    or what the receiver asked for (`Retry-After`); never more than WEBHOOK_RETRY_MAX_DELAY."""
    base = float(getattr(settings, "WEBHOOK_RETRY_DELAY", DEFAULT_RETRY_DELAY))
    cap = float(getattr(settings, "WEBHOOK_RETRY_MAX_DELAY", DEFAULT_RETRY_MAX_DELAY))
    if retry_after is not None:
        return timedelta(seconds=min(max(retry_after, 0.0), cap))
    return timedelta(seconds=min(base * 2 ** max(attempts_made - 1, 0), cap))


def claim(model: type[Model], pk: int, token: str) -> bool:
    """Take the row for one attempt, if it is due and nobody else holds it."""
    now = timezone.now()
    due = Q(status__in=[PENDING, RETRYING]) & (
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    )
    abandoned = Q(status=SENDING, lease_until__lt=now)
    claimed: int = model._default_manager.filter(due | abandoned, pk=pk).update(
        status=SENDING,
        claim_token=token,
        lease_until=now + timedelta(seconds=timeout() + LEASE_MARGIN),
        attempts=F("attempts") + 1,
    )
    return claimed == 1


def abandoned(model: type[Model], limit: int = 1000) -> list[Any]:
    """Ids of rows whose worker died while sending (their lease ran out)."""
    return list(
        model._default_manager.filter(status=SENDING, lease_until__lt=timezone.now()).values_list(
            "pk", flat=True
        )[:limit]
    )

"""Sending a delivery: claim it, POST it once, log the attempt, then settle or schedule a retry.

Each delivery is claimed before anything is sent (see `prr.integrations.outbox`). Failures
are retried with exponential back-off, by enqueueing the task again to run later, up to a
limit; then the delivery is failed and waits for a retry by hand.
"""

from __future__ import annotations

import json
import logging
import secrets
import time
from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django_tasks import task

from prr.integrations import outbox
from prr.integrations.outbox import max_attempts, retry_delay, timeout
from prr.integrations.webhooks import transport
from prr.integrations.webhooks.models import Delivery, DeliveryAttempt
from prr.integrations.webhooks.signing import signed_headers
from prr.operations import metrics

logger = logging.getLogger(__name__)


def encode_payload(payload: object) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


@task()
def deliver_webhook(delivery_id: int) -> str:
    """Make the next attempt at a delivery; returns what became of it."""
    outcome = deliver(delivery_id)
    metrics.WEBHOOK_DELIVERIES.labels(outcome).inc()
    return outcome


def enqueue_delivery(delivery_id: int, *, run_after: datetime | None = None) -> None:
    """Queue an attempt (in the caller's transaction: it is queued only if that commits)."""
    the_task = deliver_webhook if run_after is None else deliver_webhook.using(run_after=run_after)
    the_task.enqueue(delivery_id)


def claim(delivery_id: int, token: str) -> bool:
    """Take the delivery for one attempt, if it is due and nobody else holds it."""
    return outbox.claim(Delivery, delivery_id, token)


def deliver(delivery_id: int) -> str:
    token = secrets.token_hex(16)
    if not claim(delivery_id, token):
        # Delivered, failed, held by another worker, not due yet, or removed: nothing to do.
        return "skipped"
    delivery = Delivery.objects.select_related("subscription").filter(pk=delivery_id).first()
    if delivery is None:  # its subscription was removed a moment ago
        return "skipped"
    held = Delivery.objects.filter(pk=delivery_id, claim_token=token)
    subscription = delivery.subscription
    if not subscription.active:
        held.update(
            status=Delivery.Status.FAILED,
            attempts=F("attempts") - 1,
            lease_until=None,
            claim_token="",
            last_error=f"Not sent: webhook #{subscription.pk} is inactive.",
        )
        return str(Delivery.Status.FAILED)

    body = encode_payload(delivery.payload)
    started_at = timezone.now()
    headers = signed_headers(
        secret=subscription.secret,
        body=body,
        event_type=delivery.event_type,
        delivery_id=delivery.pk,
        timestamp=int(time.time()),
    )
    response = transport.post(subscription.url, body, headers, timeout=timeout())
    return settle(delivery, token, started_at, response)


def settle(
    delivery: Delivery, token: str, started_at: datetime, response: transport.Response
) -> str:
    """Log the attempt and decide what comes next, in one transaction."""
    held = Delivery.objects.filter(pk=delivery.pk, claim_token=token)
    try:
        with transaction.atomic():
            outcome, applied = record_outcome(delivery, held, started_at, response)
    except IntegrityError:
        if Delivery.objects.filter(pk=delivery.pk).exists():
            raise
        return "removed"  # its subscription was removed while it was being sent
    if not applied:
        logger.warning(
            "Delivery %s: attempt %s ended after its claim was taken over; its outcome (%s) "
            "is logged but not applied.",
            delivery.pk,
            delivery.attempts,
            outcome,
        )
        return "superseded"
    return str(outcome)


def record_outcome(
    delivery: Delivery,
    held: QuerySet[Delivery],
    started_at: datetime,
    response: transport.Response,
) -> tuple[Delivery.Status, bool]:
    """Write the attempt and the delivery's next state, if this worker still holds it."""
    now = timezone.now()
    DeliveryAttempt.objects.create(
        delivery=delivery,
        number=delivery.attempts,
        started_at=started_at,
        duration_ms=response.duration_ms,
        status_code=response.status_code,
        error=response.error,
        response_excerpt=response.excerpt,
    )
    release = {"lease_until": None, "claim_token": ""}
    if response.ok:
        outcome = Delivery.Status.DELIVERED
        changed = held.update(status=outcome, delivered_at=now, last_error="", **release)
    elif delivery.attempts_in_round >= max_attempts():
        outcome = Delivery.Status.FAILED
        changed = held.update(status=outcome, last_error=response.error, **release)
    else:
        outcome = Delivery.Status.RETRYING
        next_attempt_at = now + retry_delay(delivery.attempts_in_round, response.retry_after)
        changed = held.update(
            status=outcome, next_attempt_at=next_attempt_at, last_error=response.error, **release
        )
        if changed:
            enqueue_delivery(delivery.pk, run_after=next_attempt_at)
    return outcome, changed == 1


def rescue_abandoned() -> int:
    """Queue a new attempt for deliveries whose worker died while sending (lease expired).

    Any worker may run this at any time: `claim` lets only one attempt through per delivery.
    """
    stalled = outbox.abandoned(Delivery)
    for delivery_id in stalled:
        enqueue_delivery(delivery_id)
    if stalled:
        logger.warning("Re-queued %d webhook deliveries abandoned by a worker.", len(stalled))
    return len(stalled)

"""Sending a delivery: one signed POST per attempt, each logged, through the outbox.

Each delivery is claimed before anything is sent, and failures are retried with exponential
back-off up to PRR_WEBHOOK_MAX_ATTEMPTS, then the delivery is failed and waits for a retry by
hand (see `prr.integrations.outbox`). What is the webhooks' own is here: the request, the
attempt log, and that an inactive subscription's deliveries are not sent.
"""

from __future__ import annotations

import json
import logging
import time
from datetime import datetime

from django.utils import timezone
from django_tasks import task

from prr.errors import RuleViolation
from prr.integrations import outbox
from prr.integrations.webhooks import transport
from prr.integrations.webhooks.models import Delivery, DeliveryAttempt
from prr.integrations.webhooks.queries import delivery_not_found
from prr.integrations.webhooks.signing import signed_headers
from prr.operations import metrics

LIMITS = outbox.Limits("WEBHOOK")


def encode_payload(payload: object) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


@task()
def deliver_webhook(delivery_id: int) -> str:
    """Make the next attempt at a delivery; returns what became of it."""
    outcome = deliver(delivery_id)
    metrics.WEBHOOK_DELIVERIES.labels(outcome).inc()
    return outcome


def enqueue_delivery(delivery_id: int, run_after: datetime | None = None) -> None:
    """Queue an attempt (in the caller's transaction: it is queued only if that commits)."""
    the_task = deliver_webhook if run_after is None else deliver_webhook.using(run_after=run_after)
    the_task.enqueue(delivery_id)


def post_delivery(delivery: Delivery) -> transport.Response:
    body = encode_payload(delivery.payload)
    headers = signed_headers(
        secret=delivery.subscription.secret,
        body=body,
        event_type=delivery.event_type,
        delivery_id=delivery.pk,
        timestamp=int(time.time()),
    )
    return transport.post(delivery.subscription.url, body, headers, timeout=LIMITS.timeout())


def log_attempt(delivery: Delivery, started_at: datetime, answer: outbox.Answer) -> None:
    if not isinstance(answer, transport.Response):  # the sender broke before any request
        elapsed = (timezone.now() - started_at).total_seconds()
        answer = transport.Response(None, round(elapsed * 1000), error=answer.error)
    DeliveryAttempt.objects.create(
        delivery=delivery,
        number=delivery.attempts_in_all,
        started_at=started_at,
        duration_ms=answer.duration_ms,
        status_code=answer.status_code,
        error=answer.error,
        response_excerpt=answer.excerpt,
    )


def inactive_subscription(delivery: Delivery) -> str:
    if delivery.subscription.active:
        return ""
    return f"Not sent: webhook #{delivery.subscription.pk} is inactive."


def refuse_retry_while_inactive(delivery: Delivery) -> None:
    if not delivery.subscription.active:
        raise RuleViolation(
            f"Webhook #{delivery.subscription.pk} is inactive; activate it before retrying "
            f"delivery #{delivery.pk}."
        )


DELIVERIES = outbox.Outbox(
    model=Delivery,
    limits=LIMITS,
    send=post_delivery,
    enqueue=enqueue_delivery,
    noun="delivery",
    logger=logging.getLogger(__name__),
    retry_command="prr webhook retry",
    related=("subscription",),
    cannot_send=inactive_subscription,
    check_retry=refuse_retry_while_inactive,
    log_attempt=log_attempt,
    not_found=delivery_not_found,
)


def claim(delivery_id: int, token: str) -> bool:
    """Take the delivery for one attempt, if it is due and nobody else holds it."""
    return outbox.claim(DELIVERIES, delivery_id, token)


def deliver(delivery_id: int) -> str:
    return outbox.attempt(DELIVERIES, delivery_id)


def settle(
    delivery: Delivery, token: str, started_at: datetime, response: transport.Response
) -> str:
    """Log the attempt and decide what comes next, in one transaction."""
    return outbox.settle(DELIVERIES, delivery, token, started_at, response)


def rescue_abandoned() -> int:
    """Queue a new attempt for deliveries whose worker died while sending (lease expired)."""
    return outbox.rescue_abandoned(DELIVERIES)

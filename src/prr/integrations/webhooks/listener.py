"""Turns each review event into one delivery per matching subscription, queued for a worker."""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction

from prr.integrations.webhooks.models import Delivery, Subscription
from prr.integrations.webhooks.tasks import enqueue_delivery
from prr.representation import as_json
from prr.reviews.events import Event
from prr.reviews.models import Review
from prr.reviews.per_request import once_per_request
from prr.reviews.schemas import EventPayloadOut, ReviewEventOut

logger = logging.getLogger(__name__)


@once_per_request
def active_subscriptions() -> list[Subscription]:
    # One query per request, however many events it publishes; the subscriptions are few, so
    # they are matched by event type here rather than with JSON lookups that SQLite lacks.
    return list(Subscription.objects.filter(active=True))


def on_review_event(event: Event) -> None:
    subscriptions = [s for s in active_subscriptions() if s.wants(event.type)]
    if not subscriptions:
        return
    try:
        review = Review.objects.select_related("dri", "playbook_version__playbook").get(
            pk=event.review_id
        )
    except Review.DoesNotExist:
        logger.warning("Event %s (%s): review %s is gone.", event.id, event.type, event.review_id)
        return
    payload = build_payload(event, review)
    with transaction.atomic():
        deliveries = Delivery.objects.bulk_create(
            Delivery(
                subscription=subscription,
                event_id=event.id,
                event_type=event.type,
                review=review,
                payload=payload,
            )
            for subscription in subscriptions
        )
        for delivery in deliveries:
            enqueue_delivery(delivery.pk)


def build_payload(event: Event, review: Review) -> dict[str, Any]:
    """The JSON body receivers get; frozen when the event happens, identical on every retry."""
    payload: dict[str, Any] = as_json(
        EventPayloadOut(
            id=event.id,
            type=event.type,
            occurred_at=event.occurred_at,
            actor=event.actor,
            review=ReviewEventOut.of(review),
            change=event.change,
        )
    )
    return payload

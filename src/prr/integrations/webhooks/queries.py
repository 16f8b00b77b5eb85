"""Reads of subscriptions and deliveries; a fixed number of queries whatever the row count."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from prr.errors import InvalidInput, NotFound
from prr.integrations.webhooks.models import Delivery, Subscription

DELIVERY_STATUSES = tuple(Delivery.Status.values)


def subscriptions() -> QuerySet[Subscription]:
    """Every subscription, oldest first, with `failed_count` and `pending_count` annotated."""
    waiting = [Delivery.Status.PENDING, Delivery.Status.SENDING, Delivery.Status.RETRYING]
    return (
        Subscription.objects.select_related("created_by")
        .annotate(
            failed_count=Count("deliveries", filter=Q(deliveries__status=Delivery.Status.FAILED)),
            pending_count=Count("deliveries", filter=Q(deliveries__status__in=waiting)),
        )
        .order_by("pk")
    )


def find_subscription(subscription_id: int) -> Subscription:
    try:
        return Subscription.objects.select_related("created_by").get(pk=subscription_id)
    except Subscription.DoesNotExist:
        raise NotFound(f"No webhook #{subscription_id}; `prr webhook list` shows them.") from None


def deliveries(
    *, status: str | None = None, subscription_id: int | None = None
) -> QuerySet[Delivery]:
    """Deliveries, newest first, narrowed by status and subscription."""
    found = Delivery.objects.select_related("subscription", "review").order_by("-pk")
    if status:
        if status not in DELIVERY_STATUSES:
            raise InvalidInput(
                f"Unknown delivery status '{status}'; use {', '.join(DELIVERY_STATUSES)}."
            )
        found = found.filter(status=status)
    if subscription_id is not None:
        found = found.filter(subscription_id=subscription_id)
    return found


def find_delivery(delivery_id: int) -> Delivery:
    """A delivery with its attempts (`attempt_log`) prefetched, oldest first."""
    try:
        return (
            Delivery.objects.select_related("subscription", "review")
            .prefetch_related("attempt_log")
            .get(pk=delivery_id)
        )
    except Delivery.DoesNotExist:
        raise delivery_not_found(delivery_id) from None


def delivery_not_found(delivery_id: int) -> NotFound:
    return NotFound(f"No webhook delivery #{delivery_id}; `prr webhook deliveries` lists them.")

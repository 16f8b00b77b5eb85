"""Webhook subscriptions and their deliveries: admins only.

`by=None` is the operator at the server's command line, who is trusted (as in
`prr.teams.services`); any other caller must be an active admin.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from prr.accounts.models import User
from prr.errors import PermissionDenied, RuleViolation
from prr.integrations.webhooks import queries
from prr.integrations.webhooks.models import Delivery, Subscription, generate_secret
from prr.integrations.webhooks.tasks import enqueue_delivery
from prr.integrations.webhooks.validation import validate_events, validate_secret, validate_url

DEFAULT_DELIVERY_LIMIT = 50


def _ensure_admin(by: User | None, action: str) -> None:
    if by is not None and not (by.is_active and by.is_superuser):
        raise PermissionDenied(f"Only an admin can {action}.")


def add_subscription(
    url: str, events: Iterable[str] | str, secret: str | None = None, *, by: User | None
) -> Subscription:
    """Subscribe a URL to event types (`*` for all); the secret is generated when not given."""
    _ensure_admin(by, "add webhooks")
    return Subscription.objects.create(
        url=validate_url(url),
        events=validate_events(events),
        secret=generate_secret() if secret is None else validate_secret(secret),
        created_by=by,
    )


def set_subscription_active(subscription_id: int, active: bool, *, by: User | None) -> Subscription:
    """Pause or resume a subscription; while inactive it gets no new deliveries."""
    _ensure_admin(by, "change webhooks")
    subscription = queries.find_subscription(subscription_id)
    subscription.active = active
    subscription.save(update_fields=["active"])
    return subscription


def remove_subscription(subscription_id: int, *, by: User | None) -> Subscription:
    """Delete a subscription with its deliveries; those not sent yet are never sent."""
    _ensure_admin(by, "remove webhooks")
    subscription = queries.find_subscription(subscription_id)
    subscription.delete()
    subscription.pk = subscription_id
    return subscription


def list_subscriptions(*, by: User | None) -> QuerySet[Subscription]:
    _ensure_admin(by, "see webhooks")
    return queries.subscriptions()


def get_subscription(subscription_id: int, *, by: User | None) -> Subscription:
    _ensure_admin(by, "see webhooks")
    return queries.find_subscription(subscription_id)


def list_deliveries(
    *,
    by: User | None,
    status: str | None = None,
    subscription_id: int | None = None,
    limit: int = DEFAULT_DELIVERY_LIMIT,
) -> list[Delivery]:
    """The latest `limit` deliveries (newest first), narrowed by status and subscription."""
    _ensure_admin(by, "see webhook deliveries")
    if subscription_id is not None:
        queries.find_subscription(subscription_id)
    return list(queries.deliveries(status=status, subscription_id=subscription_id)[:limit])


def get_delivery(delivery_id: int, *, by: User | None) -> Delivery:
    """A delivery with its attempts (`delivery.attempt_log.all()`, oldest first)."""
    _ensure_admin(by, "see webhook deliveries")
    return queries.find_delivery(delivery_id)


def retry_delivery(delivery_id: int, *, by: User | None) -> Delivery:
    """Queue a delivery's next attempt now.

    A failed delivery gets a fresh round of attempts (with the usual back-off); one waiting
    for its next attempt is tried at once. A delivered one, or one being sent, is refused.
    """
    _ensure_admin(by, "retry webhook deliveries")
    now = timezone.now()
    with transaction.atomic():
        try:
            delivery = (
                Delivery.objects.select_for_update()
                .select_related("subscription")
                .get(pk=delivery_id)
            )
        except Delivery.DoesNotExist:
            raise queries.delivery_not_found(delivery_id) from None
        if delivery.status == Delivery.Status.DELIVERED:
            raise RuleViolation(f"Delivery #{delivery.pk} was already delivered; nothing to retry.")
        abandoned = delivery.lease_until is not None and delivery.lease_until < now
        if delivery.status == Delivery.Status.SENDING and not abandoned:
            raise RuleViolation(
                f"Delivery #{delivery.pk} is being sent right now; look again in a moment."
            )
        if not delivery.subscription.active:
            raise RuleViolation(
                f"Webhook #{delivery.subscription.pk} is inactive; activate it before retrying "
                f"delivery #{delivery.pk}."
            )
        if delivery.status in (Delivery.Status.FAILED, Delivery.Status.SENDING):
            delivery.round_start = delivery.attempts
        delivery.status = Delivery.Status.PENDING
        delivery.next_attempt_at = now
        delivery.claim_token = ""
        delivery.lease_until = None
        delivery.save(
            update_fields=["status", "next_attempt_at", "claim_token", "lease_until", "round_start"]
        )
        enqueue_delivery(delivery.pk)
    return delivery

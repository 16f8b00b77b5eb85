"""Webhook subscriptions and their deliveries: admins only.

`by=None` is the operator at the server's command line, who is trusted (as in
`prr.teams.services`); any other caller must be an active admin.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet

from prr.accounts.models import User
from prr.accounts.services import ensure_admin
from prr.integrations import outbox
from prr.integrations.webhooks import queries
from prr.integrations.webhooks.models import Delivery, Subscription, generate_secret
from prr.integrations.webhooks.tasks import DELIVERIES
from prr.integrations.webhooks.validation import validate_events, validate_secret, validate_url

DEFAULT_DELIVERY_LIMIT = 50


def add_subscription(
    url: str, events: Iterable[str] | str, secret: str | None = None, *, by: User | None
) -> Subscription:
    """Subscribe a URL to event types (`*` for all); the secret is generated when not given."""
    ensure_admin(by, "add webhooks")
    return Subscription.objects.create(
        url=validate_url(url),
        events=validate_events(events),
        secret=generate_secret() if secret is None else validate_secret(secret),
        created_by=by,
    )


def set_subscription_active(subscription_id: int, active: bool, *, by: User | None) -> Subscription:
    """Pause or resume a subscription; while inactive it gets no new deliveries."""
    ensure_admin(by, "change webhooks")
    subscription = queries.find_subscription(subscription_id)
    subscription.active = active
    subscription.save(update_fields=["active"])
    return subscription


def remove_subscription(subscription_id: int, *, by: User | None) -> Subscription:
    """Delete a subscription with its deliveries; those not sent yet are never sent."""
    ensure_admin(by, "remove webhooks")
    subscription = queries.find_subscription(subscription_id)
    subscription.delete()
    subscription.pk = subscription_id
    return subscription


def list_subscriptions(*, by: User | None) -> QuerySet[Subscription]:
    ensure_admin(by, "see webhooks")
    return queries.subscriptions()


def get_subscription(subscription_id: int, *, by: User | None) -> Subscription:
    ensure_admin(by, "see webhooks")
    return queries.find_subscription(subscription_id)


def list_deliveries(
    *,
    by: User | None,
    status: str | None = None,
    subscription_id: int | None = None,
    limit: int = DEFAULT_DELIVERY_LIMIT,
) -> list[Delivery]:
    """The latest `limit` deliveries (newest first), narrowed by status and subscription."""
    ensure_admin(by, "see webhook deliveries")
    if subscription_id is not None:
        queries.find_subscription(subscription_id)
    return list(queries.deliveries(status=status, subscription_id=subscription_id)[:limit])


def get_delivery(delivery_id: int, *, by: User | None) -> Delivery:
    """A delivery with its attempts (`delivery.attempt_log.all()`, oldest first)."""
    ensure_admin(by, "see webhook deliveries")
    return queries.find_delivery(delivery_id)


def retry_delivery(delivery_id: int, *, by: User | None) -> Delivery:
    """Queue a delivery's next attempt now, in a fresh round of attempts (with the usual
    back-off). A delivered one, one being sent or not tried yet, or one whose subscription is
    inactive, is refused (see `prr.integrations.outbox.retry`)."""
    ensure_admin(by, "retry webhook deliveries")
    return outbox.retry(DELIVERIES, delivery_id)

"""/api/v1/webhooks: outgoing webhook subscriptions and their deliveries (admins)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from django.http import HttpRequest
from django.views.decorators.cache import never_cache
from ninja import Field, Query, Router, Schema, Status
from ninja.decorators import decorate_view

from prr.api.reviews import caller, responses
from prr.integrations.webhooks import services
from prr.integrations.webhooks.models import Delivery, DeliveryAttempt, Subscription
from prr.reviews.events import EVENT_TYPES

router = Router(tags=["webhooks"])

MAX_ID = 2**31 - 1


class SubscriptionOut(Schema):
    id: int
    url: str = Field(examples=["https://ci.example.com/hooks/prr"])
    events: list[str] = Field(examples=[["review.closed", "review.ready"]])
    active: bool
    created_by: str | None
    created_at: datetime


class SubscriptionCreatedOut(SubscriptionOut):
    secret: str = Field(description="Signs every delivery; shown here once.")


class SubscriptionIn(Schema):
    url: str = Field(min_length=1, max_length=2000, examples=["https://ci.example.com/hooks/prr"])
    events: list[str] = Field(
        min_length=1,
        max_length=len(EVENT_TYPES) + 1,
        description=f"Event types ({', '.join(EVENT_TYPES)}), or ['*'] for all.",
        examples=[["review.closed", "review.ready"]],
    )
    secret: str | None = Field(None, max_length=128, description="Default: generated.")


class ActiveIn(Schema):
    active: bool


class AttemptOut(Schema):
    number: int
    started_at: datetime
    duration_ms: int
    status_code: int | None
    error: str
    response_excerpt: str


class DeliveryOut(Schema):
    id: int
    subscription: int
    event_id: str
    event_type: str
    status: str = Field(examples=["delivered"])
    attempts: int
    next_attempt_at: datetime | None
    last_error: str
    created_at: datetime
    delivered_at: datetime | None


class DeliveryDetailOut(DeliveryOut):
    payload: dict[str, Any]
    attempt_log: list[AttemptOut]


class DeliveryListParams(Schema):
    status: Literal["pending", "sending", "retrying", "delivered", "failed"] | None = None
    subscription: int | None = Field(None, ge=1, le=MAX_ID)
    limit: int = Field(50, ge=1, le=200)


def subscription_data(subscription: Subscription) -> dict[str, Any]:
    return {
        "id": subscription.pk,
        "url": subscription.url,
        "events": list(subscription.events),
        "active": subscription.active,
        "created_by": subscription.created_by.username if subscription.created_by else None,
        "created_at": subscription.created_at,
    }


def delivery_data(delivery: Delivery) -> dict[str, Any]:
    return {
        "id": delivery.pk,
        "subscription": delivery.subscription_id,
        "event_id": delivery.event_id,
        "event_type": delivery.event_type,
        "status": delivery.status,
        "attempts": delivery.attempts,
        "next_attempt_at": delivery.next_attempt_at,
        "last_error": delivery.last_error,
        "created_at": delivery.created_at,
        "delivered_at": delivery.delivered_at,
    }


def attempt_data(attempt: DeliveryAttempt) -> dict[str, Any]:
    return {
        "number": attempt.number,
        "started_at": attempt.started_at,
        "duration_ms": attempt.duration_ms,
        "status_code": attempt.status_code,
        "error": attempt.error,
        "response_excerpt": attempt.response_excerpt,
    }


@router.get("/webhooks", response=responses(200, list[SubscriptionOut]), summary="List")
def list_subscriptions(request: HttpRequest) -> Any:
    return [
        subscription_data(s)
        for s in services.list_subscriptions(by=caller(request)).select_related("created_by")
    ]


@router.post("/webhooks", response=responses(201, SubscriptionCreatedOut), summary="Subscribe")
@decorate_view(never_cache)  # the secret is in the response: not to be kept by a cache
def add(request: HttpRequest, body: SubscriptionIn) -> Any:
    """Subscribe a URL to review events; the response shows the signing secret once."""
    subscription = services.add_subscription(body.url, body.events, body.secret, by=caller(request))
    return Status(201, {**subscription_data(subscription), "secret": subscription.secret})


@router.get("/webhooks/deliveries", response=responses(200, list[DeliveryOut]), summary="Log")
def deliveries(request: HttpRequest, params: Query[DeliveryListParams]) -> Any:
    """The latest deliveries, newest first."""
    found = services.list_deliveries(
        by=caller(request),
        status=params.status,
        subscription_id=params.subscription,
        limit=params.limit,
    )
    return [delivery_data(d) for d in found]


@router.get(
    "/webhooks/deliveries/{delivery_id}",
    response=responses(200, DeliveryDetailOut),
    summary="A delivery and its attempts",
)
def delivery(request: HttpRequest, delivery_id: int) -> Any:
    found = services.get_delivery(delivery_id, by=caller(request))
    return {
        **delivery_data(found),
        "payload": found.payload,
        "attempt_log": [attempt_data(a) for a in found.attempt_log.all()],
    }


@router.post(
    "/webhooks/deliveries/{delivery_id}/retry",
    response=responses(200, DeliveryOut),
    summary="Retry a delivery by hand",
)
def retry(request: HttpRequest, delivery_id: int) -> Any:
    return delivery_data(services.retry_delivery(delivery_id, by=caller(request)))


@router.get("/webhooks/{subscription_id}", response=responses(200, SubscriptionOut), summary="Get")
def get_one(request: HttpRequest, subscription_id: int) -> Any:
    return subscription_data(services.get_subscription(subscription_id, by=caller(request)))


@router.put(
    "/webhooks/{subscription_id}/active",
    response=responses(200, SubscriptionOut),
    summary="Pause or resume",
)
def set_active(request: HttpRequest, subscription_id: int, body: ActiveIn) -> Any:
    return subscription_data(
        services.set_subscription_active(subscription_id, body.active, by=caller(request))
    )


@router.delete(
    "/webhooks/{subscription_id}", response=responses(200, SubscriptionOut), summary="Remove"
)
def remove(request: HttpRequest, subscription_id: int) -> Any:
    """Delete a subscription; its deliveries not sent yet are never sent."""
    return subscription_data(services.remove_subscription(subscription_id, by=caller(request)))

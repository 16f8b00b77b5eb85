"""/api/v1/webhooks: outgoing webhook subscriptions and their deliveries (admins)."""

from __future__ import annotations

from typing import Literal

from django.http import HttpRequest
from django.views.decorators.cache import never_cache
from ninja import Field, Query, Router, Schema, Status
from ninja.decorators import decorate_view

from prr.api.reviews import caller, responses
from prr.integrations.webhooks import services
from prr.integrations.webhooks.schemas import (
    DeliveryDetailOut,
    DeliveryOut,
    SubscriptionCreatedOut,
    SubscriptionOut,
)
from prr.reviews.events import EVENT_TYPES

router = Router(tags=["webhooks"])

MAX_ID = 2**31 - 1


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


class DeliveryListParams(Schema):
    status: Literal["pending", "sending", "retrying", "delivered", "failed"] | None = None
    subscription: int | None = Field(None, ge=1, le=MAX_ID)
    limit: int = Field(50, ge=1, le=200)


@router.get("/webhooks", response=responses(200, list[SubscriptionOut]), summary="List")
def list_subscriptions(request: HttpRequest) -> list[SubscriptionOut]:
    return [SubscriptionOut.of(s) for s in services.list_subscriptions(by=caller(request))]


@router.post("/webhooks", response=responses(201, SubscriptionCreatedOut), summary="Subscribe")
@decorate_view(never_cache)  # the secret is in the response: not to be kept by a cache
def add(request: HttpRequest, body: SubscriptionIn) -> Status[SubscriptionCreatedOut]:
    """Subscribe a URL to review events; the response shows the signing secret once."""
    subscription = services.add_subscription(body.url, body.events, body.secret, by=caller(request))
    created = SubscriptionCreatedOut(
        **SubscriptionOut.fields_of(subscription), secret=subscription.secret
    )
    return Status(201, created)


@router.get("/webhooks/deliveries", response=responses(200, list[DeliveryOut]), summary="Log")
def deliveries(request: HttpRequest, params: Query[DeliveryListParams]) -> list[DeliveryOut]:
    """The latest deliveries, newest first."""
    found = services.list_deliveries(
        by=caller(request),
        status=params.status,
        subscription_id=params.subscription,
        limit=params.limit,
    )
    return [DeliveryOut.of(d) for d in found]


@router.get(
    "/webhooks/deliveries/{delivery_id}",
    response=responses(200, DeliveryDetailOut),
    summary="A delivery and its attempts",
)
def delivery(request: HttpRequest, delivery_id: int) -> DeliveryDetailOut:
    return DeliveryDetailOut.of(services.get_delivery(delivery_id, by=caller(request)))


@router.post(
    "/webhooks/deliveries/{delivery_id}/retry",
    response=responses(200, DeliveryOut),
    summary="Retry a delivery by hand",
)
def retry(request: HttpRequest, delivery_id: int) -> DeliveryOut:
    return DeliveryOut.of(services.retry_delivery(delivery_id, by=caller(request)))


@router.get("/webhooks/{subscription_id}", response=responses(200, SubscriptionOut), summary="Get")
def get_one(request: HttpRequest, subscription_id: int) -> SubscriptionOut:
    return SubscriptionOut.of(services.get_subscription(subscription_id, by=caller(request)))


@router.put(
    "/webhooks/{subscription_id}/active",
    response=responses(200, SubscriptionOut),
    summary="Pause or resume",
)
def set_active(request: HttpRequest, subscription_id: int, body: ActiveIn) -> SubscriptionOut:
    return SubscriptionOut.of(
        services.set_subscription_active(subscription_id, body.active, by=caller(request))
    )


@router.delete(
    "/webhooks/{subscription_id}", response=responses(200, SubscriptionOut), summary="Remove"
)
def remove(request: HttpRequest, subscription_id: int) -> SubscriptionOut:
    """Delete a subscription; its deliveries not sent yet are never sent."""
    return SubscriptionOut.of(services.remove_subscription(subscription_id, by=caller(request)))

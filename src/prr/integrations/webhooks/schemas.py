"""One representation of a webhook subscription and of a delivery: the REST API's and `prr
webhook list|deliveries --json`'s."""

from __future__ import annotations

from typing import Any, Self

from ninja import Field, Schema

from prr.integrations.webhooks.models import Delivery, DeliveryAttempt, Subscription
from prr.representation import Timestamp


class SubscriptionOut(Schema):
    id: int
    url: str = Field(examples=["https://ci.example.com/hooks/prr"])
    events: list[str] = Field(examples=[["review.closed", "review.ready"]])
    active: bool
    created_by: str | None
    created_at: Timestamp
    pending_deliveries: int | None = Field(
        description="Deliveries still to send (in lists; null for one subscription)."
    )
    failed_deliveries: int | None = Field(
        description="Deliveries that gave up (in lists; null for one subscription)."
    )

    @classmethod
    def of(cls, subscription: Subscription) -> Self:
        return cls(**cls.fields_of(subscription))

    @staticmethod
    def fields_of(subscription: Subscription) -> dict[str, Any]:
        """Counts where read with `queries.subscriptions` (annotated)."""
        return {
            "id": subscription.pk,
            "url": subscription.url,
            "events": list(subscription.events),
            "active": subscription.active,
            "created_by": subscription.created_by.username if subscription.created_by else None,
            "created_at": subscription.created_at,
            "pending_deliveries": getattr(subscription, "pending_count", None),
            "failed_deliveries": getattr(subscription, "failed_count", None),
        }


class SubscriptionCreatedOut(SubscriptionOut):
    secret: str = Field(description="Signs every delivery; shown here once.")


class AttemptOut(Schema):
    number: int
    started_at: Timestamp
    duration_ms: int
    status_code: int | None
    error: str
    response_excerpt: str

    @classmethod
    def of(cls, attempt: DeliveryAttempt) -> AttemptOut:
        return cls(
            number=attempt.number,
            started_at=attempt.started_at,
            duration_ms=attempt.duration_ms,
            status_code=attempt.status_code,
            error=attempt.error,
            response_excerpt=attempt.response_excerpt,
        )


class DeliveryOut(Schema):
    id: int
    subscription: int
    url: str = Field(description="Where it is sent: its subscription's URL.")
    event_id: str
    event_type: str
    review: str | None = Field(examples=["PRR-12"])
    status: str = Field(examples=["delivered"])
    round: int = Field(description="1, then one more for each retry by hand.")
    attempts: int = Field(description="Attempts made in this round.")
    attempts_in_all: int = Field(description="Attempts made in all rounds.")
    next_attempt_at: Timestamp | None = Field(description="Null once delivered.")
    last_error: str
    created_at: Timestamp
    delivered_at: Timestamp | None

    @classmethod
    def of(cls, delivery: Delivery) -> Self:
        return cls(**cls.fields_of(delivery))

    @staticmethod
    def fields_of(delivery: Delivery) -> dict[str, Any]:
        """A delivery read with its subscription and review (`queries.deliveries`)."""
        return {
            "id": delivery.pk,
            "subscription": delivery.subscription_id,
            "url": delivery.subscription.url,
            "event_id": delivery.event_id,
            "event_type": delivery.event_type,
            "review": delivery.review.ref if delivery.review else None,
            "status": delivery.status,
            "round": delivery.round,
            "attempts": delivery.attempts,
            "attempts_in_all": delivery.attempts_in_all,
            "next_attempt_at": delivery.next_attempt_at
            if delivery.status != Delivery.Status.DELIVERED
            else None,
            "last_error": delivery.last_error,
            "created_at": delivery.created_at,
            "delivered_at": delivery.delivered_at,
        }


class DeliveryDetailOut(DeliveryOut):
    payload: dict[str, Any] = Field(description="The body sent (docs/webhooks.md).")
    attempt_log: list[AttemptOut]

    @classmethod
    def of(cls, delivery: Delivery) -> Self:
        """A delivery read with `queries.find_delivery` (its attempts prefetched)."""
        return cls(
            **cls.fields_of(delivery),
            payload=delivery.payload,
            attempt_log=[AttemptOut.of(a) for a in delivery.attempt_log.all()],
        )

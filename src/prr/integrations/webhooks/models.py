"""Webhook subscriptions, the deliveries made for them and every attempt at sending one."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

from prr.errors import PrrError
from prr.integrations.outbox import OutboxRow
from prr.integrations.webhooks.validation import validate_events, validate_url
from prr.reviews.events import ALL_EVENTS, EVENT_TYPES


def generate_secret() -> str:
    return secrets.token_urlsafe(32)


class Subscription(models.Model):
    """Where to POST the events an admin chose, signed with `secret`."""

    url = models.URLField(max_length=2000)
    events = models.JSONField(
        default=list, help_text=f"Event types, or ['{ALL_EVENTS}'] for every one."
    )
    secret = models.CharField(
        max_length=128,
        default=generate_secret,
        help_text="Signs every request (HMAC-SHA256); the receiver checks it.",
    )
    active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Empty: the operator at the server's command line.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.url}"

    def wants(self, event_type: str) -> bool:
        return ALL_EVENTS in self.events or event_type in self.events

    def clean(self) -> None:
        # The admin's form comes through here; the services validate with the same functions.
        try:
            self.url = validate_url(self.url)
        except PrrError as exc:
            raise ValidationError({"url": exc.message}) from None
        try:
            self.events = validate_events(self.events)
        except PrrError as exc:
            raise ValidationError({"events": exc.message}) from None


class Delivery(OutboxRow):
    """One event for one subscription: its frozen payload and where its sending stands (sent
    by a worker through prr.integrations.outbox, as chat posts and emails are)."""

    Status = OutboxRow.Status

    subscription = models.ForeignKey(
        Subscription, on_delete=models.CASCADE, related_name="deliveries"
    )
    event_id = models.CharField(max_length=36)
    event_type = models.CharField(max_length=64, choices=[(t, t) for t in EVENT_TYPES])
    review = models.ForeignKey(
        "reviews.Review", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    payload = models.JSONField(encoder=DjangoJSONEncoder)

    class Meta(OutboxRow.Meta):
        verbose_name_plural = "deliveries"
        constraints = [
            # An event reaches each subscription once, even if it were handed over twice.
            models.UniqueConstraint(
                fields=["subscription", "event_id"], name="one_delivery_per_event"
            )
        ]

    def __str__(self) -> str:
        return f"delivery #{self.pk} ({self.event_type}, {self.status})"


class DeliveryAttempt(models.Model):
    """One POST of a delivery and what came back."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_log")
    number = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    duration_ms = models.PositiveIntegerField()
    status_code = models.PositiveIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    response_excerpt = models.TextField(blank=True)

    class Meta:
        ordering = ["delivery", "number"]
        constraints = [
            models.UniqueConstraint(fields=["delivery", "number"], name="one_attempt_per_number")
        ]

    def __str__(self) -> str:
        return f"attempt {self.number} of delivery #{self.delivery_id}"

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300

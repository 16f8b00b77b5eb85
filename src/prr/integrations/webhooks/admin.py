from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest

from prr.errors import PrrError
from prr.integrations.webhooks.models import Delivery, DeliveryAttempt, Subscription
from prr.integrations.webhooks.services import retry_delivery


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("id", "url", "events", "active", "created_by", "created_at")
    list_filter = ("active",)
    search_fields = ("url",)
    readonly_fields = ("created_by", "created_at")
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def save_model(self, request: HttpRequest, obj: Subscription, form: Any, change: bool) -> None:
        if not change:
            obj.created_by = request.user  # type: ignore[assignment]
        super().save_model(request, obj, form, change)


class DeliveryAttemptInline(admin.TabularInline):  # type: ignore[type-arg]
    model = DeliveryAttempt
    extra = 0
    can_delete = False
    fields = ("number", "started_at", "duration_ms", "status_code", "error", "response_excerpt")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """What was sent where, and how it went; a retry goes through the service."""

    list_display = (
        "id",
        "event_type",
        "review",
        "subscription",
        "status",
        "attempts",
        "next_attempt_at",
        "created_at",
        "delivered_at",
    )
    list_filter = ("status", "event_type")
    list_select_related = ("review", "subscription")
    readonly_fields = (
        "subscription",
        "event_id",
        "event_type",
        "review",
        "payload",
        "status",
        "round",
        "attempts",
        "attempts_in_all",
        "next_attempt_at",
        "lease_until",
        "last_error",
        "created_at",
        "delivered_at",
    )
    exclude = ("claim_token",)
    inlines = [DeliveryAttemptInline]
    actions = ["retry_selected"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description="Retry selected deliveries", permissions=["view"])
    def retry_selected(self, request: HttpRequest, queryset: QuerySet[Delivery]) -> None:
        queued = 0
        for delivery_id in queryset.values_list("pk", flat=True):
            try:
                retry_delivery(delivery_id, by=request.user)  # type: ignore[arg-type]
            except PrrError as exc:
                self.message_user(request, exc.message, messages.WARNING)
            else:
                queued += 1
        if queued:
            self.message_user(request, f"Queued {queued} deliveries for another attempt.")

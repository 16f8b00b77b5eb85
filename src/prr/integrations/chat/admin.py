from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from prr.errors import PrrError
from prr.integrations.chat.models import ChannelLink, ChatIdentity, ChatPost
from prr.integrations.chat.outgoing import retry_post


@admin.register(ChannelLink)
class ChannelLinkAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Links are made and removed through the services (web page, API, CLI, `/prr link`)."""

    list_display = ("review", "platform", "channel_id", "channel_name", "created_by", "created_at")
    list_filter = ("platform",)
    search_fields = ("channel_id", "channel_name")
    list_select_related = ("review", "created_by")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ChatIdentity)
class ChatIdentityAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("user", "platform", "external_id", "created_at")
    list_filter = ("platform",)
    search_fields = ("external_id", "user__username")
    list_select_related = ("user",)
    raw_id_fields = ("user",)


@admin.register(ChatPost)
class ChatPostAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """What prr posted to chat and how it went; failed posts can be sent again."""

    list_display = ("id", "platform", "event_type", "review", "status", "attempts", "created_at")
    list_filter = ("platform", "status", "event_type")
    list_select_related = ("review",)
    readonly_fields = [f.name for f in ChatPost._meta.fields]
    actions = ["send_again"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description="Send the selected failed posts again")
    def send_again(self, request: HttpRequest, queryset: QuerySet[ChatPost]) -> None:
        queued = 0
        for post in queryset:
            try:
                retry_post(post)
            except PrrError as exc:
                self.message_user(request, exc.message, messages.WARNING)
            else:
                queued += 1
        self.message_user(request, f"Queued {queued} posts again.", messages.SUCCESS)

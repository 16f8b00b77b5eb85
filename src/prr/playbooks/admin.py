from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from prr.playbooks.models import Playbook, PlaybookVersion


@admin.register(Playbook)
class PlaybookAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("slug", "title", "created_at")
    search_fields = ("slug", "title")


@admin.register(PlaybookVersion)
class PlaybookVersionAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Versions are immutable: import a new one with `prr playbook import`."""

    list_display = ("playbook", "number", "digest", "created_at", "created_by")
    list_filter = ("playbook",)
    readonly_fields = ("playbook", "number", "spec_json", "digest", "created_at", "created_by")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

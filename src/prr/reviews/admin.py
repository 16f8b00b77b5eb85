from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from prr.readonly_admin import ReadOnlyMixin
from prr.reviews.models import Answer, Message, Review, ReviewItem, Snapshot, TimelineEvent


class ReadOnlyAdmin(ReadOnlyMixin, admin.ModelAdmin):  # type: ignore[type-arg]
    """Records that must never change after they are written (audit trail, snapshots)."""


class ReviewItemInline(admin.TabularInline):  # type: ignore[type-arg]
    model = ReviewItem
    extra = 0
    can_delete = False
    fields = ("key", "title", "owner_team", "required", "state", "changed_by", "changed_via")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Changes go through `prr review …` so that the process rules apply; this is a view."""

    list_display = ("number", "title", "kind", "status", "dri", "created_at", "closed_at")
    list_filter = ("status", "kind")
    search_fields = ("title",)
    readonly_fields = (
        "number",
        "title",
        "kind",
        "playbook_version",
        "dri",
        "status",
        "created_at",
        "created_by",
        "closed_at",
        "reviewer_teams",
        "reviewers",
    )
    inlines = [ReviewItemInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Deleting a review would delete its timeline and messages: cancel it instead.
        return False


@admin.register(Answer)
class AnswerAdmin(ReadOnlyAdmin):
    list_display = ("review", "section_key", "updated_by", "updated_at")


@admin.register(Message)
class MessageAdmin(ReadOnlyAdmin):
    list_display = ("review", "author", "source", "created_at", "body")
    list_filter = ("source",)


@admin.register(TimelineEvent)
class TimelineEventAdmin(ReadOnlyAdmin):
    list_display = ("review", "created_at", "kind", "actor", "summary")
    list_filter = ("kind",)


@admin.register(Snapshot)
class SnapshotAdmin(ReadOnlyAdmin):
    list_display = ("review", "version", "sha256", "created_at", "created_by")

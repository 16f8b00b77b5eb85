from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from prr.readonly_admin import ReadOnlyMixin
from prr.teams.models import Membership, Team


class MembershipInline(ReadOnlyMixin, admin.TabularInline):  # type: ignore[type-arg]
    """Memberships are history ("was @sam in SRE at 14:02?"): shown, never edited here.
    They change through `prr team add-member` / `remove-member`, the team page or the
    directory sync, which end a membership instead of rewriting it."""

    model = Membership
    extra = 0
    can_delete = False
    fields = ("user", "source", "group", "added_at", "removed_at", "removed_by_source")
    readonly_fields = fields


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("slug", "name", "created_at")
    search_fields = ("slug", "name")
    inlines = [MembershipInline]

    def has_delete_permission(self, request: HttpRequest, obj: Team | None = None) -> bool:
        # Deleting a team would delete its memberships, past ones included.
        if obj is not None and obj.memberships.exists():
            return False
        return super().has_delete_permission(request, obj)

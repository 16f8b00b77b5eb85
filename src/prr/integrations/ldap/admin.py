from __future__ import annotations

from django.contrib import admin

from prr.integrations.ldap.models import SyncLease


@admin.register(SyncLease)
class SyncLeaseAdmin(admin.ModelAdmin[SyncLease]):
    list_display = ["name", "holder", "expires_at", "ran_at", "outcome"]
    readonly_fields = ["name", "holder", "expires_at", "ran_at", "outcome"]

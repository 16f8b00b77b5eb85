from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from prr.accounts.models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):  # type: ignore[type-arg]
    list_display = ("username", "display_name", "email", "is_superuser", "is_bot", "is_active")
    fieldsets = (
        *(BaseUserAdmin.fieldsets or ()),
        ("prr", {"fields": ("display_name", "is_bot")}),
    )

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.http import HttpRequest

from prr.accounts.forms import ThrottledAdminSignInForm
from prr.accounts.models import ApiToken, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):  # type: ignore[type-arg]
    list_display = ("username", "display_name", "email", "is_superuser", "is_bot", "is_active")
    fieldsets = (
        *(BaseUserAdmin.fieldsets or ()),
        ("prr", {"fields": ("display_name", "is_bot")}),
    )

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Deleting a user would delete their memberships, past ones included (the record of
        # who could approve when): deactivate the account instead.
        if obj is not None and obj.memberships.exists():
            return False
        return super().has_delete_permission(request, obj)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Tokens are created with `prr token create` (the secret is shown once); here they are
    listed and can be deleted. When a token was revoked stays as recorded: revoking and its
    time go through `prr token revoke` or the account page."""

    list_display = ("name", "user", "prefix", "created_at", "last_used_at", "revoked_at")
    list_filter = ("revoked_at",)
    search_fields = ("name", "user__username", "prefix")
    readonly_fields = (
        "user",
        "name",
        "prefix",
        "digest",
        "created_at",
        "last_used_at",
        "revoked_at",
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


# The admin's sign-in is throttled like the web's (prr.accounts.throttling), with the message.
admin.site.login_form = ThrottledAdminSignInForm

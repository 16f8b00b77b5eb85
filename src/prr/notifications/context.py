"""The unread count in every page's header."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def unread_notifications(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from prr.notifications.services import unread_count

    # Lazy: a page that does not show the header (a partial) costs no query.
    return {"unread_notifications": lambda: unread_count(user)}

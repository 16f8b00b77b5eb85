from __future__ import annotations

from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "prr.notifications"
    label = "notifications"
    verbose_name = "Notifications"

    def ready(self) -> None:
        from prr.notifications.listener import on_review_event
        from prr.reviews import events

        events.subscribe(on_review_event)

from __future__ import annotations

from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "prr.integrations.webhooks"
    label = "webhooks"
    verbose_name = "Outgoing webhooks"

    def ready(self) -> None:
        from prr.integrations.webhooks.listener import on_review_event
        from prr.reviews import events

        events.subscribe(on_review_event)

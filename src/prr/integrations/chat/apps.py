from __future__ import annotations

from django.apps import AppConfig


class ChatConfig(AppConfig):
    name = "prr.integrations.chat"
    label = "chat"
    verbose_name = "Chat (Mattermost, Slack)"

    def ready(self) -> None:
        from prr.integrations.chat.notify import on_review_event
        from prr.reviews import events

        events.subscribe(on_review_event)

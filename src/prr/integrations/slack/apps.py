from __future__ import annotations

from django.apps import AppConfig


class SlackConfig(AppConfig):
    name = "prr.integrations.slack"
    label = "slack"
    verbose_name = "Slack"

    def ready(self) -> None:
        from prr.integrations.chat.outgoing import register_sender
        from prr.integrations.slack.client import post_message

        register_sender("slack", post_message)

from __future__ import annotations

from django.apps import AppConfig


class MattermostConfig(AppConfig):
    name = "prr.integrations.mattermost"
    label = "mattermost"
    verbose_name = "Mattermost"

    def ready(self) -> None:
        from prr.integrations.chat.commands import register_channel_check, register_channel_opener
        from prr.integrations.chat.outgoing import register_sender
        from prr.integrations.mattermost.bot import review_channel_opener
        from prr.integrations.mattermost.channels import unheard_channel
        from prr.integrations.mattermost.replies import send_post

        register_sender("mattermost", send_post)
        # Asked at each `/prr start`, so settings changed at run time (and in tests) count.
        register_channel_opener("mattermost", review_channel_opener)
        register_channel_check("mattermost", unheard_channel)

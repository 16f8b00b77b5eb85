from __future__ import annotations

from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "prr.integrations.webhooks"
    label = "webhooks"
    verbose_name = "Outgoing webhooks"

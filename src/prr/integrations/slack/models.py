"""What the Slack app keeps of Slack's requests: the slash commands it has run, for a while."""

from __future__ import annotations

from django.db import models


class CommandReceipt(models.Model):
    """A slash command request prr ran, kept while its signature is still accepted, so that the
    same signed request sent again (a replay) does not run a second time."""

    key = models.CharField(
        max_length=64, unique=True, help_text="SHA-256 of the request's timestamp and signature."
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-pk"]

    def __str__(self) -> str:
        return f"Slack command {self.key[:12]}… at {self.created_at:%Y-%m-%d %H:%M:%S}"

"""What ties prr to chat: linked channels, linked chat accounts, and posts waiting to go out."""

from __future__ import annotations

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

from prr.integrations.outbox import OutboxRow


class Platform(models.TextChoices):
    MATTERMOST = "mattermost", "Mattermost"
    SLACK = "slack", "Slack"


class ChannelLink(models.Model):
    """A chat channel whose messages go to a review, and where its news is posted."""

    platform = models.CharField(max_length=16, choices=Platform.choices)
    channel_id = models.CharField(max_length=100)
    channel_name = models.CharField(max_length=200, blank=True)
    team_id = models.CharField(
        max_length=100, blank=True, help_text="The Mattermost team or Slack workspace."
    )
    review = models.ForeignKey(
        "reviews.Review", on_delete=models.CASCADE, related_name="channel_links"
    )
    notify_url = models.URLField(
        max_length=2000,
        blank=True,
        help_text="Mattermost: this channel's incoming webhook (empty: the default one).",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["platform", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["platform", "channel_id"], name="one_review_per_channel"
            ),
            models.UniqueConstraint(fields=["review", "platform"], name="one_channel_per_platform"),
        ]

    def __str__(self) -> str:
        return f"{self.get_platform_display()} {self.label} → review #{self.review_id}"

    @property
    def label(self) -> str:
        return f"~{self.channel_name}" if self.channel_name else self.channel_id


class ChatIdentity(models.Model):
    """A chat account that speaks as a prr user (when its username differs from theirs)."""

    platform = models.CharField(max_length=16, choices=Platform.choices)
    external_id = models.CharField(max_length=100, help_text="The user id in the chat.")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="chat_identities"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["platform", "pk"]
        verbose_name_plural = "chat identities"
        constraints = [
            models.UniqueConstraint(
                fields=["platform", "external_id"], name="one_user_per_account"
            ),
            models.UniqueConstraint(fields=["platform", "user"], name="one_account_per_platform"),
        ]

    def __str__(self) -> str:
        return f"{self.get_platform_display()} {self.external_id} → user #{self.user_id}"


class ChatPost(OutboxRow):
    """A message prr sends to a chat (a reply or a notification), sent by a worker."""

    Status = OutboxRow.Status

    platform = models.CharField(max_length=16, choices=Platform.choices)
    target = models.CharField(
        max_length=2000, help_text="Mattermost: the incoming webhook URL; Slack: the channel id."
    )
    payload = models.JSONField(encoder=DjangoJSONEncoder)
    review = models.ForeignKey(
        "reviews.Review", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    event_type = models.CharField(max_length=64, blank=True)

    class Meta(OutboxRow.Meta):
        pass

    def __str__(self) -> str:
        return f"chat post #{self.pk} to {self.platform} ({self.status})"


class OwnPost(models.Model):
    """A post prr wrote in a chat channel, kept a while so prr knows it when the chat echoes it.

    Mattermost sends an outgoing webhook for a slash command's in-channel answer (posted as the
    user who ran the command) and for the bot's posts, as if a person had written them.
    """

    platform = models.CharField(max_length=16, choices=Platform.choices)
    channel_id = models.CharField(max_length=100)
    digest = models.CharField(max_length=64, help_text="SHA-256 of the text, whitespace folded.")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-pk"]
        indexes = [models.Index(fields=["platform", "channel_id", "digest"])]

    def __str__(self) -> str:
        return f"prr's post in {self.platform} channel {self.channel_id}"

"""What prr tells people outside chat: an inbox of notifications, and email about them."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone

from prr.integrations.outbox import OutboxRow

USER = settings.AUTH_USER_MODEL


def new_unsubscribe_token() -> str:
    return secrets.token_urlsafe(24)


class Notification(models.Model):
    """One thing a person should know about a review, shown in their inbox until read."""

    class Kind(models.TextChoices):
        REVIEWER = "reviewer", "you are a reviewer"
        MENTION = "mention", "you were mentioned"
        ASSIGNED = "assigned", "assigned to you"
        APPROVAL = "approval", "an approval on your review"
        READY = "ready", "your review is ready to close"
        CLOSED = "closed", "your review was closed"
        REMINDER = "reminder", "a reminder"

    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="notifications")
    review = models.ForeignKey(
        "reviews.Review", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    text = models.TextField()
    link = models.CharField(max_length=500, help_text="Where in prr it points, a path.")
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "read_at", "-created_at"])]

    def __str__(self) -> str:
        return f"to @{self.user_id}: {self.text[:60]}"


class EmailChoice(models.TextChoices):
    EACH = "each", "an email for each notification"
    DAILY = "daily", "one email a day with what is new"
    NONE = "none", "no email (the inbox only)"


class NotificationSettings(models.Model):
    """A person's choice of email, and the token of the unsubscribe link in every email."""

    user = models.OneToOneField(
        USER, on_delete=models.CASCADE, primary_key=True, related_name="notification_settings"
    )
    email = models.CharField(max_length=8, choices=EmailChoice.choices, default=EmailChoice.EACH)
    unsubscribe_token = models.CharField(max_length=64, unique=True, default=new_unsubscribe_token)
    digest_sent_at = models.DateTimeField(
        null=True, blank=True, help_text="When the last daily digest covered notifications up to."
    )

    def __str__(self) -> str:
        return f"email {self.email} for user #{self.user_id}"


class Email(OutboxRow):
    """An email prr sends (one notification, or a digest), sent by a worker with retries.

    Claimed for each attempt with prr.integrations.outbox, as webhook deliveries and chat
    posts are: sent by one worker at a time, however many run.
    """

    Status = OutboxRow.Status

    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    to = models.EmailField()
    subject = models.CharField(max_length=300)
    text = models.TextField()
    html = models.TextField()
    notifications = models.ManyToManyField(Notification, blank=True, related_name="emails")

    class Meta(OutboxRow.Meta):
        pass

    def __str__(self) -> str:
        return f"email #{self.pk} to {self.to} ({self.status})"


class Reminded(models.Model):
    """When a reminder last went to a person (`user:ID`) or a review's channels (`review:ID`):
    written in the reminder's own transaction, so none is sent twice in a day."""

    key = models.CharField(max_length=40, unique=True)
    sent_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.key} reminded at {self.sent_at:%Y-%m-%d %H:%M}"


class Snooze(models.Model):
    """No reminders about this item until `until`."""

    item = models.OneToOneField(
        "reviews.ReviewItem", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    until = models.DateTimeField()
    by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")

    def __str__(self) -> str:
        return f"item #{self.item_id} snoozed until {self.until:%Y-%m-%d}"

"""The inbox: what is written there, read from it, and each person's choice of email."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from prr.accounts.models import User
from prr.errors import InvalidInput, NotFound
from prr.notifications.models import EmailChoice, Notification, NotificationSettings
from prr.reviews.models import Review

TEXT_MAX = 500


def notify(
    users: Iterable[User],
    *,
    review: Review | None,
    kind: str,
    text: str,
    link: str,
    actor: User | str | None = None,
) -> list[Notification]:
    """Write one notification to each active user named (once each, never to `actor`), and
    queue the email of those who want one for each."""
    from prr.notifications import email

    actor_name = actor.username if isinstance(actor, User) else actor
    recipients = {
        user.pk: user
        for user in users
        if user.is_active and not user.is_bot and user.username != actor_name
    }
    if not recipients:
        return []
    if len(text) > TEXT_MAX:
        text = text[: TEXT_MAX - 1] + "…"
    now = timezone.now()
    with transaction.atomic():
        written = Notification.objects.bulk_create(
            Notification(user=user, review=review, kind=kind, text=text, link=link, created_at=now)
            for user in recipients.values()
        )
        if written and written[0].pk is None:  # a database that gives no ids back
            written = list(Notification.objects.filter(created_at=now, user__in=recipients))
        email.queue_each(written)
    return written


def inbox(user: User, *, unread_only: bool = False) -> QuerySet[Notification]:
    """The user's notifications, newest first."""
    found = Notification.objects.filter(user=user).select_related("review")
    return found.filter(read_at__isnull=True) if unread_only else found


def unread_count(user: User) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def get_notification(user: User, notification_id: int) -> Notification:
    """One of the user's own notifications; anyone else's is not found."""
    try:
        return Notification.objects.get(pk=notification_id, user=user)
    except Notification.DoesNotExist:
        raise NotFound(f"You have no notification #{notification_id}.") from None


def mark_read(user: User, notification_id: int) -> Notification:
    notification = get_notification(user, notification_id)
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def mark_all_read(user: User) -> int:
    """Mark every unread notification of the user read; how many there were."""
    marked: int = Notification.objects.filter(user=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    return marked


def settings_of(user: User) -> NotificationSettings:
    found, _ = NotificationSettings.objects.get_or_create(user=user)
    return found


def set_email_choice(user: User, choice: str) -> NotificationSettings:
    if choice not in EmailChoice.values:
        raise InvalidInput(
            f"Unknown email choice '{choice}'; use one of: {', '.join(EmailChoice.values)}."
        )
    chosen = settings_of(user)
    if chosen.email != choice:
        chosen.email = choice
        chosen.save(update_fields=["email"])
    return chosen


def unsubscribe(token: str) -> NotificationSettings:
    """Stop every email to the person whose unsubscribe link this is."""
    try:
        chosen = NotificationSettings.objects.select_related("user").get(unsubscribe_token=token)
    except NotificationSettings.DoesNotExist:
        raise NotFound(
            "This unsubscribe link is not known (it may be from an older email); sign in and "
            "choose your email on your account page."
        ) from None
    if chosen.email != EmailChoice.NONE:
        chosen.email = EmailChoice.NONE
        chosen.save(update_fields=["email"])
    return chosen

"""Email about notifications: one for each, or a daily digest, sent by the worker.

Off until `PRR_SMTP_HOST` is set. Each email is a row (`Email`) sent by a task through
Django's email backend (SMTP), claimed for each attempt (prr.integrations.outbox) so that
several workers never send it twice, retried with back-off (PRR_EMAIL_*) on a failure the
server may get over (a refused connection, a 4xx answer), given up on a permanent refusal (5xx).
Every email carries the person's unsubscribe link, in the text and as `List-Unsubscribe`.
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django_tasks import task

from prr.accounts.models import User
from prr.integrations import outbox
from prr.notifications.models import Email, EmailChoice, Notification, NotificationSettings

DIGEST_EVERY = timedelta(days=1)
# Email's own settings: PRR_SMTP_TIMEOUT (Django's EMAIL_TIMEOUT), PRR_EMAIL_MAX_ATTEMPTS, …
LIMITS = outbox.Limits("EMAIL")


def enabled() -> bool:
    return bool(getattr(settings, "EMAIL_HOST", ""))


def unsubscribe_url(chosen: NotificationSettings) -> str:
    return f"{settings.BASE_URL}/inbox/unsubscribe/{chosen.unsubscribe_token}/"


def queue_each(notifications: Iterable[Notification]) -> list[Email]:
    """An email for each notification whose person wants one (inside the caller's
    transaction: the emails are queued when it commits)."""
    if not enabled():
        return []
    written = list(notifications)
    users = {n.user_id for n in written}
    wanting = {
        s.user_id: s
        for s in NotificationSettings.objects.filter(user_id__in=users).select_related("user")
    }
    for user in User.objects.filter(pk__in=users - set(wanting)):  # never chose: each (default)
        wanting[user.pk] = NotificationSettings.objects.create(user=user)
    queued = []
    for notification in written:
        chosen = wanting[notification.user_id]
        if chosen.email != EmailChoice.EACH or not chosen.user.email:
            continue
        subject = f"[prr] {notification.text}"
        queued.append(compose(chosen, subject, [notification]))
    return queued


def compose(chosen: NotificationSettings, subject: str, notes: list[Notification]) -> Email:
    context = {
        "user": chosen.user,
        "notifications": [(n, f"{settings.BASE_URL}{n.link}") for n in notes],
        "inbox_url": f"{settings.BASE_URL}/inbox/",
        "unsubscribe_url": unsubscribe_url(chosen),
        "digest": len(notes) > 1 or chosen.email == EmailChoice.DAILY,
    }
    email = Email.objects.create(
        user=chosen.user,
        to=chosen.user.email,
        subject=" ".join(subject.split())[:300],
        text=render_to_string("notifications/email.txt", context),
        html=render_to_string("notifications/email.html", context),
    )
    email.notifications.set(notes)
    transaction.on_commit(lambda: enqueue(email.pk))
    return email


@task()
def send_email(email_id: int) -> str:
    """Make the next attempt at sending an email; returns what became of it."""
    return send(email_id)


def enqueue(email_id: int, run_after: datetime | None = None) -> None:
    the_task = send_email if run_after is None else send_email.using(run_after=run_after)
    the_task.enqueue(email_id)


def send_over_smtp(email: Email) -> outbox.Reply:
    chosen, _ = NotificationSettings.objects.get_or_create(user_id=email.user_id)
    message = EmailMultiAlternatives(
        subject=email.subject,
        body=email.text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[email.to],
        headers={
            "List-Unsubscribe": f"<{unsubscribe_url(chosen)}>",
            "Auto-Submitted": "auto-generated",
        },
    )
    message.attach_alternative(email.html, "text/html")
    try:
        with get_connection(timeout=LIMITS.timeout()) as connection:
            connection.send_messages([message])
    except (smtplib.SMTPException, OSError) as exc:
        # 4xx: the server may get over it (greylisting, a full queue); 5xx: it never will.
        permanent = isinstance(exc, smtplib.SMTPResponseException) and exc.smtp_code >= 500
        return outbox.Reply(ok=False, error=f"{type(exc).__name__}: {exc}", permanent=permanent)
    return outbox.Reply(ok=True)


EMAILS = outbox.Outbox(
    model=Email,
    limits=LIMITS,
    send=send_over_smtp,
    enqueue=enqueue,
    noun="email",
    logger=logging.getLogger(__name__),
)


def send(email_id: int) -> str:
    return outbox.attempt(EMAILS, email_id)


def send_digests(now: datetime | None = None) -> int:
    """One email for each person who chose a daily digest and has unread notifications that
    no digest covered, at most once per DIGEST_EVERY; how many were queued. Safe to run from
    several workers at once: each person's settings row is locked while their digest is made."""
    if not enabled():
        return 0
    now = now or timezone.now()
    due = NotificationSettings.objects.filter(email=EmailChoice.DAILY).exclude(
        digest_sent_at__gt=now - DIGEST_EVERY
    )
    queued = 0
    for user_id in due.values_list("user_id", flat=True):
        with transaction.atomic():
            chosen = (
                NotificationSettings.objects.select_for_update()
                .select_related("user")
                .filter(user_id=user_id, email=EmailChoice.DAILY)
                .exclude(digest_sent_at__gt=now - DIGEST_EVERY)
                .first()
            )
            if chosen is None:
                continue  # another worker made it a moment ago
            notes = Notification.objects.filter(
                user_id=user_id, read_at__isnull=True, created_at__lte=now
            )
            if chosen.digest_sent_at is not None:
                notes = notes.filter(created_at__gt=chosen.digest_sent_at)
            found = list(notes.select_related("review").order_by("created_at", "pk")[:100])
            chosen.digest_sent_at = now
            chosen.save(update_fields=["digest_sent_at"])
            if not found or not chosen.user.email or not chosen.user.is_active:
                continue
            count = len(found)
            subject = f"[prr] {count} new notification{'s' if count > 1 else ''} for you"
            compose(chosen, subject, found)
            queued += 1
    return queued


def rescue_abandoned() -> int:
    return outbox.rescue_abandoned(EMAILS)

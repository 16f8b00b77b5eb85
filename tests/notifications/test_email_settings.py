"""Email follows its own settings (PRR_EMAIL_*, PRR_SMTP_TIMEOUT), not the webhooks' or the
chat's (set far apart here, so that following the wrong one shows), through a real SMTP server."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import override_settings
from django.utils import timezone

from prr.integrations import outbox
from prr.notifications import email
from prr.notifications.models import Email
from prr.reviews.channel import post_message
from tests.integrations.conftest import run_until_settled

pytestmark = pytest.mark.django_db(transaction=True)

OTHERS = {
    "WEBHOOK_TIMEOUT": 100,
    "WEBHOOK_MAX_ATTEMPTS": 6,
    "WEBHOOK_RETRY_DELAY": 600,
    "WEBHOOK_RETRY_MAX_DELAY": 3600,
    "CHAT_TIMEOUT": 100,
    "CHAT_MAX_ATTEMPTS": 6,
    "CHAT_RETRY_DELAY": 600,
    "CHAT_RETRY_MAX_DELAY": 3600,
}


@pytest.fixture
def mentioned(review: Any, dri: Any, outsider: Any, smtp: Any, committing: Any) -> Any:
    """Queue one email: @oscar (with an address) is mentioned."""

    def mention() -> Email:
        outsider.email = "oscar@example.com"
        outsider.save()
        with committing():
            post_message(review, author=dri, body="@oscar can you check the dashboards?")
        return Email.objects.get()

    return mention


@override_settings(EMAIL_MAX_ATTEMPTS=2, EMAIL_RETRY_DELAY=0.01, **OTHERS)
def test_an_email_gives_up_after_the_email_max_attempts(smtp: Any, mentioned: Any) -> None:
    smtp.refuse = 10
    mentioned()
    [sent] = run_until_settled(Email)
    assert (sent.status, sent.attempts) == ("failed", 2)
    assert sent.last_error.startswith("SMTPDataError: (451, ")
    assert smtp.received == []


@override_settings(EMAIL_RETRY_DELAY=30, EMAIL_RETRY_MAX_DELAY=45, **OTHERS)
def test_an_email_waits_as_the_email_settings_say(smtp: Any, mentioned: Any) -> None:
    smtp.refuse = 1
    queued = mentioned()
    before = timezone.now()
    assert email.send(queued.pk) == "retrying"
    queued.refresh_from_db()
    assert queued.next_attempt_at is not None
    assert 29 <= (queued.next_attempt_at - before).total_seconds() <= 31
    assert email.LIMITS.retry_delay(3).total_seconds() == 45


@override_settings(EMAIL_TIMEOUT=4, **OTHERS)
def test_an_emails_claim_lasts_the_smtp_timeout_and_a_margin(smtp: Any, mentioned: Any) -> None:
    queued = mentioned()
    before = timezone.now()
    assert outbox.claim(email.EMAILS, queued.pk, "worker-a")
    queued.refresh_from_db()
    assert queued.lease_until is not None
    lease = (queued.lease_until - before).total_seconds()
    assert 4 + outbox.LEASE_MARGIN - 1 <= lease <= 4 + outbox.LEASE_MARGIN + 1


@override_settings(**OTHERS)
def test_a_permanent_refusal_fails_an_email_at_once(smtp: Any, mentioned: Any) -> None:
    smtp.refuse, smtp.refusal = 1, "550 5.1.1 No such mailbox"
    queued = mentioned()
    assert email.send(queued.pk) == "failed"
    queued.refresh_from_db()
    assert (queued.status, queued.attempts) == ("failed", 1)
    assert queued.last_error == (
        "SMTPDataError: (550, b'5.1.1 No such mailbox'). Not retried: sending it again as it "
        "is cannot succeed."
    )

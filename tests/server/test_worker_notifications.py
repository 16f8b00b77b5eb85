"""Email and reminders end to end: the real `prr worker` process, a real SMTP server."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from prr.notifications.models import Notification
from prr.reviews.channel import post_message
from tests.integrations.conftest import quick_retries
from tests.notifications.conftest import Mailbox, smtp
from tests.server.conftest import PRR, server_env

__all__ = ["quick_retries", "smtp"]

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def worker(tmp_path: Path, smtp: Mailbox) -> Iterator[Callable[[], subprocess.Popen[str]]]:
    """`worker()` starts `prr worker` sending through the test's SMTP server."""
    started: list[subprocess.Popen[str]] = []

    def start() -> subprocess.Popen[str]:
        env = server_env(tmp_path) | {
            "PRR_SMTP_HOST": smtp.host,
            "PRR_SMTP_PORT": str(smtp.port),
            "PRR_SMTP_TLS": "none",
            "PRR_EMAIL_FROM": "prr <prr@example.com>",
            "PRR_BASE_URL": "https://prr.example.com",
            "PRR_REMINDER_INTERVAL": "1",
        }
        log = (tmp_path / f"worker-{len(started)}.log").open("w")
        process = subprocess.Popen(
            [*PRR, "worker", "--interval", "0.2"], env=env, stdout=log, stderr=log, text=True
        )
        started.append(process)
        return process

    yield start
    for process in started:
        process.terminate()
        process.wait(timeout=20)


def wait_for(check: Callable[[], Any], what: str, timeout: float = 30) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.2)
    pytest.fail(f"no {what} within {timeout} s")


def test_the_worker_emails_a_mention_and_reminds_once_a_day(
    review, dri, outsider, sre_member, smtp: Mailbox, worker
) -> None:
    outsider.email = "oscar@example.com"
    outsider.save()
    sre_member.email = "sam@example.com"
    sre_member.save()
    review.items.filter(key="sre-review").update(due_at=timezone.now() - timedelta(days=2))
    worker()

    post_message(review, author=dri, body="@oscar could you read the capacity section?")

    def subjects() -> list[str]:
        return [str(message["Subject"]) for _, message in smtp.received]

    wait_for(lambda: any("mentioned you" in s for s in subjects()), "mention email")
    wait_for(lambda: any("Reminder" in s for s in subjects()), "reminder email")
    assert [to for to, message in smtp.received if "Reminder" in str(message["Subject"])] == [
        ["sam@example.com"]
    ]
    # A second worker (a restart, another host) does not remind again today.
    worker()
    time.sleep(3)
    reminders = Notification.objects.filter(kind="reminder")
    assert [n.user.username for n in reminders] == ["sam"]
    assert sum("Reminder" in s for s in subjects()) == 1

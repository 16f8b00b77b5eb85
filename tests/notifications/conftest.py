"""A real SMTP server on 127.0.0.1 (aiosmtpd), and events delivered as soon as they commit."""

from __future__ import annotations

import email
import email.policy
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from tests.integrations.conftest import quick_retries

__all__ = ["quick_retries"]


@dataclass
class Mailbox:
    """Every message the SMTP server accepted, parsed; `refuse` makes it answer `refusal`
    (451, try later) to that many messages first."""

    host: str = "127.0.0.1"
    port: int = 0
    received: list[tuple[list[str], EmailMessage]] = field(default_factory=list)
    refuse: int = 0
    refusal: str = "451 4.3.0 Mailbox busy, try again later"
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            if self.refuse > 0:
                self.refuse -= 1
                return self.refusal
            parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
            assert isinstance(parsed, EmailMessage)
            self.received.append((list(envelope.rcpt_tos), parsed))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp(settings: Any, quick_retries: None) -> Iterator[Mailbox]:
    """prr configured to send through a real SMTP server started for the test."""
    mailbox = Mailbox()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        mailbox.port = probe.getsockname()[1]
    controller = Controller(mailbox, hostname=mailbox.host, port=mailbox.port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = mailbox.host
    settings.EMAIL_PORT = mailbox.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.DEFAULT_FROM_EMAIL = "prr <prr@example.com>"
    settings.BASE_URL = "https://prr.example.com"
    yield mailbox
    controller.stop()


@pytest.fixture
def committing(django_capture_on_commit_callbacks: Any) -> Any:
    """`with committing(): …`: what is said in the block is heard by the listeners at its end,
    as it would be when it commits (the test's own transaction never does)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)

"""Chat posts, the chat clients and the Mattermost bot follow the PRR_CHAT_* settings, not the
webhooks' PRR_WEBHOOK_* ones (set far apart here, so that following the wrong one shows)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from prr.integrations import outbox
from prr.integrations.chat import outgoing
from prr.integrations.chat.models import ChatPost
from prr.integrations.chat.outgoing import queue_post, register_sender
from prr.integrations.mattermost import bot, client
from prr.integrations.slack import client as slack_client
from prr.integrations.webhooks import transport
from prr.integrations.webhooks.transport import Response

from ..conftest import run_until_settled

pytestmark = pytest.mark.django_db(transaction=True)

PLAYED = "played"
QUICK_CHAT = {"CHAT_RETRY_DELAY": 0.01, "CHAT_RETRY_MAX_DELAY": 0.05}
SLOW_WEBHOOKS = {
    "WEBHOOK_TIMEOUT": 100,
    "WEBHOOK_MAX_ATTEMPTS": 6,
    "WEBHOOK_RETRY_DELAY": 600,
    "WEBHOOK_RETRY_MAX_DELAY": 3600,
}


@pytest.fixture
def down() -> Iterator[list[str]]:
    """A played chat that answers 503 to every post; the targets it was asked for."""
    calls: list[str] = []

    def refuse(target: str, payload: dict[str, Any]) -> Response:
        calls.append(target)
        return Response(503, 1, error="HTTP 503 Service Unavailable")

    register_sender(PLAYED, refuse)
    yield calls
    outgoing._senders.pop(PLAYED, None)


@override_settings(CHAT_MAX_ATTEMPTS=2, **QUICK_CHAT, **SLOW_WEBHOOKS)
def test_a_chat_post_gives_up_after_the_chat_max_attempts(down: list[str]) -> None:
    queue_post(PLAYED, "somewhere", {"text": "hello"})
    [post] = run_until_settled(ChatPost)
    assert (post.status, post.attempts, post.last_error) == (
        "failed",
        2,
        "HTTP 503 Service Unavailable",
    )
    assert down == ["somewhere", "somewhere"]


@override_settings(CHAT_RETRY_DELAY=30, CHAT_RETRY_MAX_DELAY=45, **SLOW_WEBHOOKS)
def test_a_chat_post_waits_as_the_chat_settings_say(down: list[str]) -> None:
    post = queue_post(PLAYED, "somewhere", {"text": "hello"})
    before = timezone.now()
    assert outgoing.send(post.pk) == "retrying"
    post.refresh_from_db()
    assert post.next_attempt_at is not None
    assert 29 <= (post.next_attempt_at - before).total_seconds() <= 31
    assert outgoing.LIMITS.retry_delay(1, retry_after=120) == timedelta(seconds=45)


@override_settings(CHAT_TIMEOUT=5, **SLOW_WEBHOOKS)
def test_a_chat_posts_claim_lasts_the_chat_timeout_and_a_margin() -> None:
    post = queue_post(PLAYED, "somewhere", {"text": "hello"})
    before = timezone.now()
    assert outbox.claim(outgoing.POSTS, post.pk, "worker-a")
    post.refresh_from_db()
    assert post.lease_until is not None
    lease = (post.lease_until - before).total_seconds()
    assert 5 + outbox.LEASE_MARGIN - 1 <= lease <= 5 + outbox.LEASE_MARGIN + 1


@override_settings(CHAT_TIMEOUT=7, **SLOW_WEBHOOKS)
def test_mattermost_and_slack_calls_wait_the_chat_timeout(
    monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    waited: list[float] = []

    def post(url: str, body: bytes, headers: dict[str, str], *, timeout: float) -> Response:
        waited.append(timeout)
        return Response(200, 1)

    monkeypatch.setattr(transport, "post", post)
    assert client.send_incoming_webhook("https://chat.example.com/hooks/x", {"text": "hi"}).ok
    settings.MATTERMOST_URL, settings.MATTERMOST_BOT_TOKEN = "https://chat.example.com", "t"
    api = client.MattermostApi.from_settings()
    assert api is not None
    waited.append(api.timeout)

    def web_client(timeout: float) -> Any:
        waited.append(timeout)
        raise OSError("not reached")

    settings.SLACK_BOT_TOKEN, settings.SLACK_API_URL = "xoxb-test", "http://127.0.0.1:9/api/"
    monkeypatch.setattr(slack_client, "web_client", web_client)
    assert not slack_client.post_message("C1", {"text": "hi"}).ok
    assert waited == [7, 7, 7]


@override_settings(CHAT_MAX_ATTEMPTS=2, CHAT_RETRY_DELAY=20, **SLOW_WEBHOOKS)
def test_the_bot_retries_opening_a_channel_as_the_chat_settings_say(
    review: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    def unavailable(review_id: int, caller_id: str) -> str:
        raise client.MattermostApiError("GET /api/v4/teams: HTTP 500", status=500)

    monkeypatch.setattr(bot, "open_channel", unavailable)
    before = timezone.now()
    assert bot.open_review_channel.call(review.pk, "", 1) == "retrying"
    [later] = DBTaskResult.objects.filter(task_path__endswith="open_review_channel")
    assert 19 <= (later.run_after - before).total_seconds() <= 21
    assert bot.open_review_channel.call(review.pk, "", 2) == "failed"  # not the 6 of webhooks

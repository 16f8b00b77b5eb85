"""The chat outbox: a permanent refusal fails a post at once, a receiver's Retry-After is
waited for, and a failed post is sent again by hand. Mattermost's incoming webhook is the
sender under test where a real one is needed; the rest uses a sender played by the test."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone

from prr.integrations.chat import outgoing
from prr.integrations.chat.outgoing import queue_post, register_sender, retry_post
from prr.integrations.mattermost.client import send_incoming_webhook
from prr.integrations.webhooks.transport import Response, retry_after_seconds

from ..conftest import ChatServer, run_worker

pytestmark = pytest.mark.django_db(transaction=True)

PLAYED = "played"  # the platform name of the sender the tests play


@pytest.fixture
def answers() -> Iterator[list[Response]]:
    """What the played sender answers, one per attempt (then 200)."""
    queued: list[Response] = []
    register_sender(PLAYED, lambda target, payload: queued.pop(0) if queued else Response(200, 1))
    yield queued
    outgoing._senders.pop(PLAYED, None)


def test_a_permanent_refusal_fails_at_once_and_says_what_to_do(answers, quick_retries, caplog):
    answers.append(Response(403, 2, error="HTTP 403 Forbidden", permanent=True))
    post = queue_post(PLAYED, "somewhere", {"text": "hello"})
    assert outgoing.send(post.pk) == "failed"
    post.refresh_from_db()
    assert (post.status, post.attempts, post.next_attempt_at) == ("failed", 1, None)
    assert post.last_error == (
        "HTTP 403 Forbidden. Not retried: sending it again as it is cannot succeed. Fix the "
        f"cause, then send it again with `prr chat retry {post.pk}`."
    )
    assert [r.levelname for r in caplog.records] == ["WARNING"]


def test_a_permanently_failed_post_can_be_retried_by_hand(answers, quick_retries):
    answers.append(Response(404, 2, error="HTTP 404 Not Found", permanent=True))
    post = queue_post(PLAYED, "somewhere", {"text": "hello"})
    run_worker()
    post.refresh_from_db()
    assert post.status == "failed"
    retry_post(post)
    assert (post.status, post.attempts) == ("pending", 0)
    run_worker()
    post.refresh_from_db()
    assert (post.status, post.attempts, post.last_error) == ("delivered", 1, "")


def test_retry_after_sets_the_next_attempt(answers, quick_retries, settings):
    settings.CHAT_RETRY_MAX_DELAY = 3600
    answers.append(Response(429, 2, error="HTTP 429 Too Many Requests", retry_after=120))
    post = queue_post(PLAYED, "somewhere", {"text": "hello"})
    before = timezone.now()
    assert outgoing.send(post.pk) == "retrying"
    post.refresh_from_db()
    assert post.next_attempt_at is not None
    assert 119 <= (post.next_attempt_at - before).total_seconds() <= 121
    assert post.last_error == "HTTP 429 Too Many Requests"


def test_without_retry_after_the_back_off_applies(answers, quick_retries, settings):
    settings.CHAT_RETRY_DELAY = 10
    settings.CHAT_RETRY_MAX_DELAY = 3600
    answers.append(Response(503, 2, error="HTTP 503 Service Unavailable"))
    post = queue_post(PLAYED, "somewhere", {"text": "hello"})
    before = timezone.now()
    outgoing.send(post.pk)
    post.refresh_from_db()
    assert post.next_attempt_at is not None
    assert 9 <= (post.next_attempt_at - before).total_seconds() <= 11


def test_the_wait_asked_for_is_bounded_by_the_longest_wait(settings):
    settings.CHAT_RETRY_DELAY = 10
    settings.CHAT_RETRY_MAX_DELAY = 60
    retry_delay = outgoing.LIMITS.retry_delay
    assert retry_delay(1, retry_after=5) == timedelta(seconds=5)  # shorter than 10 s too
    assert retry_delay(1, retry_after=7200) == timedelta(seconds=60)
    assert retry_delay(1, retry_after=-3) == timedelta(0)
    assert retry_delay(3) == timedelta(seconds=40)


def test_retry_after_is_read_as_seconds_or_as_an_http_date():
    now = datetime(2015, 10, 21, 7, 28, 0, tzinfo=UTC)
    assert retry_after_seconds("120") == 120.0
    assert retry_after_seconds(" 0 ") == 0.0
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:30 GMT", now=now) == 30.0
    assert retry_after_seconds("Wed, 21 Oct 2015 07:27:00 GMT", now=now) == 0.0  # past
    assert retry_after_seconds("soon") is None
    assert retry_after_seconds("") is None
    assert retry_after_seconds(None) is None


# -- Mattermost's incoming webhook -----------------------------------------------------------------
# Answers as Mattermost's HandleIncomingWebhook gives them (server/channels/app/webhook.go): an
# AppError as JSON with its id; the rate limiter (server/channels/app/ratelimit.go, throttled)
# answers 429 with Retry-After in whole seconds.


def app_error(status: int, error_id: str, message: str) -> tuple[int, Any]:
    return status, {
        "id": error_id,
        "message": message,
        "detailed_error": "",
        "request_id": "qe3eyht563d1b8xani3g93dgfh",
        "status_code": status,
    }


HOOK = "/hooks/ucw5qjw86jgeum77o1uw8197jr"


@pytest.mark.parametrize(
    ("answer", "hint"),
    [
        (
            app_error(400, "web.incoming_webhook.invalid.app_error", "Invalid webhook."),
            "the incoming webhook was deleted or its URL is wrong",
        ),
        (
            app_error(
                403,
                "web.incoming_webhook.channel_locked.app_error",
                "This webhook is not permitted to post to the requested channel.",
            ),
            "the webhook may not post to this channel",
        ),
        (
            app_error(404, "web.incoming_webhook.channel.app_error", "Couldn't find the channel."),
            "the channel or the webhook no longer exists",
        ),
    ],
)
def test_a_deleted_or_refused_mattermost_webhook_fails_at_once(
    chat_server: ChatServer, send_chat_posts, answer, hint
):
    chat_server.on("POST", HOOK, answer)
    queue_post("mattermost", chat_server.url + HOOK, {"text": "PRR-1 started"})
    [post] = send_chat_posts()
    assert (post.status, post.attempts) == ("failed", 1)
    assert post.last_error.startswith(f"HTTP {answer[0]} ")
    assert hint in post.last_error
    assert post.last_error.endswith(f"`prr chat retry {post.pk}`.")
    assert len(chat_server.to(HOOK)) == 1


def test_a_mattermost_outage_is_still_retried(chat_server: ChatServer, send_chat_posts):
    chat_server.on("POST", HOOK, (200, "ok"))
    chat_server.fail_next = 1
    queue_post("mattermost", chat_server.url + HOOK, {"text": "PRR-1 started"})
    [post] = send_chat_posts()
    assert (post.status, post.attempts) == ("delivered", 2)


def test_mattermosts_retry_after_is_kept(chat_server: ChatServer, settings):
    settings.CHAT_TIMEOUT = 2
    chat_server.on("POST", HOOK, (429, "limit exceeded", {"Retry-After": "9"}))
    response = send_incoming_webhook(chat_server.url + HOOK, {"text": "PRR-1 started"})
    assert (response.status_code, response.retry_after, response.permanent) == (429, 9.0, False)

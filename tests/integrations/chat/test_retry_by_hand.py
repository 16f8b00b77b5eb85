"""Sending a chat post again by hand is the outbox's one retry, as for webhook deliveries: a new
round of attempts, refused while the post is being sent, not tried yet, or delivered."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from click.testing import CliRunner
from django.utils import timezone

from prr.cli import prr
from prr.errors import RuleViolation
from prr.integrations import outbox
from prr.integrations.chat import outgoing
from prr.integrations.chat.models import ChatPost
from prr.integrations.chat.outgoing import queue_post, register_sender, retry_post
from prr.integrations.webhooks.transport import Response

pytestmark = pytest.mark.django_db(transaction=True)

PLAYED = "played"  # the platform name of the sender the tests play


@pytest.fixture
def answers(quick_retries: None) -> Iterator[list[Response]]:
    """What the played sender answers, one per attempt (then 200)."""
    queued: list[Response] = []
    register_sender(PLAYED, lambda target, payload: queued.pop(0) if queued else Response(200, 1))
    yield queued
    outgoing._senders.pop(PLAYED, None)


@pytest.fixture
def failed(answers: list[Response]) -> ChatPost:
    answers.append(Response(403, 2, error="HTTP 403 Forbidden", permanent=True))
    post = queue_post(PLAYED, "somewhere", {"text": "hello"})
    assert outgoing.send(post.pk) == "failed"
    post.refresh_from_db()
    assert (post.round, post.attempts) == (1, 1)
    return post


def test_retrying_a_failed_post_starts_a_new_round(failed: ChatPost) -> None:
    retry_post(failed)
    assert (failed.status, failed.round, failed.attempts, failed.attempts_in_all) == (
        "pending",
        2,
        0,
        1,
    )
    assert outgoing.send(failed.pk) == "delivered"
    failed.refresh_from_db()
    assert (failed.round, failed.attempts, failed.attempts_in_all) == (2, 1, 2)


def test_a_post_being_sent_is_not_retried(failed: ChatPost) -> None:
    ChatPost.objects.filter(pk=failed.pk).update(status="retrying")
    assert outbox.claim(outgoing.POSTS, failed.pk, "worker-a")
    with pytest.raises(RuleViolation, match=rf"^Chat post #{failed.pk} is being sent right now"):
        retry_post(failed)
    refused = CliRunner().invoke(prr, ["chat", "retry", str(failed.pk)])
    assert refused.exit_code == 1
    assert "is being sent right now; look again in a moment." in refused.stderr
    assert ChatPost.objects.get().round == 1


def test_a_post_waiting_for_its_next_attempt_is_sent_now_in_a_new_round(
    answers: list[Response], settings
) -> None:
    settings.CHAT_RETRY_DELAY = 3600
    answers.append(Response(503, 2, error="HTTP 503 Service Unavailable"))
    post = queue_post(PLAYED, "somewhere", {"text": "hello"})
    assert outgoing.send(post.pk) == "retrying"
    assert outgoing.send(post.pk) == "skipped"  # not due for an hour
    retry_post(post)
    assert (post.status, post.round) == ("pending", 2)
    assert post.next_attempt_at is not None
    assert post.next_attempt_at <= timezone.now()  # due at once
    assert outgoing.send(post.pk) == "delivered"


def test_a_delivered_post_is_not_retried(answers: list[Response]) -> None:
    post = queue_post(PLAYED, "somewhere", {"text": "hello"})
    assert outgoing.send(post.pk) == "delivered"
    with pytest.raises(RuleViolation, match="was already delivered; nothing to retry"):
        retry_post(post)

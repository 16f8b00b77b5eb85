"""Posts prr sends to chat (replies, notifications): queued in the database, sent by a worker.

Each platform app registers how it sends one post (`register_sender`); the worker claims a
post, makes one attempt, and retries failures with back-off like webhook deliveries do, or
when the chat said to come back (`Response.retry_after`). A refusal the chat calls permanent
(`Response.permanent`) fails the post at once; `retry_post` sends it again by hand.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.utils import timezone
from django_tasks import task

from prr.errors import NotFound, RuleViolation
from prr.integrations import outbox
from prr.integrations.chat.models import ChatPost
from prr.integrations.webhooks.transport import Response
from prr.operations import metrics

logger = logging.getLogger(__name__)

# platform → sends one post; answers like an HTTP call (status, error), never raises.
Sender = Callable[[str, dict[str, Any]], Response]
_senders: dict[str, Sender] = {}


def register_sender(platform: str, sender: Sender) -> None:
    _senders[platform] = sender


def queue_post(
    platform: str,
    target: str,
    payload: dict[str, Any],
    *,
    review_id: int | None = None,
    event_type: str = "",
) -> ChatPost:
    """Store a post and queue its first attempt (both only if the caller's transaction commits)."""
    post = ChatPost.objects.create(
        platform=platform,
        target=target,
        payload=payload,
        review_id=review_id,
        event_type=event_type,
    )
    enqueue_post(post.pk)
    return post


@task()
def send_chat_post(post_id: int) -> str:
    """Make the next attempt at sending a chat post; returns what became of it."""
    outcome = send(post_id)
    metrics.CHAT_POSTS.labels(outcome).inc()
    return outcome


def enqueue_post(post_id: int, *, run_after: datetime | None = None) -> None:
    the_task = send_chat_post if run_after is None else send_chat_post.using(run_after=run_after)
    the_task.enqueue(post_id)


def send(post_id: int) -> str:
    token = secrets.token_hex(16)
    if not outbox.claim(ChatPost, post_id, token):
        return "skipped"
    post = ChatPost.objects.get(pk=post_id)
    held = ChatPost.objects.filter(pk=post_id, claim_token=token)
    release = {"lease_until": None, "claim_token": ""}
    sender = _senders.get(post.platform)
    if sender is None:
        held.update(status=ChatPost.Status.FAILED, last_error="No sender for this chat.", **release)
        return str(ChatPost.Status.FAILED)
    try:
        response = sender(post.target, post.payload)
    except Exception as exc:  # a sender bug must not leave the post held until its lease ends
        logger.exception("Chat post %s: the %s sender failed", post_id, post.platform)
        response = Response(None, 0, error=f"{type(exc).__name__}: {exc}")
    if response.ok:
        held.update(
            status=ChatPost.Status.DELIVERED, delivered_at=timezone.now(), last_error="", **release
        )
        return str(ChatPost.Status.DELIVERED)
    if response.permanent:
        # The chat refused it for a reason that sending again cannot change (the bot is not in
        # the channel, a deleted webhook): attempts left would only delay the report.
        error = give_up_now(post_id, response.error)
        held.update(status=ChatPost.Status.FAILED, last_error=error, **release)
        logger.warning("Chat post %s failed on a permanent error: %s", post_id, error)
        return str(ChatPost.Status.FAILED)
    if post.attempts >= outbox.max_attempts():
        held.update(status=ChatPost.Status.FAILED, last_error=response.error, **release)
        logger.warning("Chat post %s failed for good: %s", post_id, response.error)
        return str(ChatPost.Status.FAILED)
    next_attempt_at = timezone.now() + outbox.retry_delay(post.attempts, response.retry_after)
    if held.update(
        status=ChatPost.Status.RETRYING,
        next_attempt_at=next_attempt_at,
        last_error=response.error,
        **release,
    ):
        enqueue_post(post_id, run_after=next_attempt_at)
    return str(ChatPost.Status.RETRYING)


def give_up_now(post_id: int, error: str) -> str:
    reason = (error or "The chat refused the post").rstrip()
    reason += "" if reason.endswith((".", "!", "?")) else "."
    return (
        f"{reason} Not retried: sending it again as it is cannot succeed. Fix the cause, then "
        f"send it again with `prr chat retry {post_id}`."
    )


def get_post(post_id: int) -> ChatPost:
    post = ChatPost.objects.filter(pk=post_id).first()
    if post is None:
        raise NotFound(f"No chat post #{post_id}.")
    return post


def retry_post(post: ChatPost) -> ChatPost:
    """Send a failed post again, with a fresh round of attempts."""
    if post.status != ChatPost.Status.FAILED:
        raise RuleViolation(
            f"Chat post #{post.pk} is {post.status}; only a failed post is sent again."
        )
    ChatPost.objects.filter(pk=post.pk).update(
        status=ChatPost.Status.PENDING, attempts=0, next_attempt_at=None
    )
    enqueue_post(post.pk)
    post.refresh_from_db()
    return post


def rescue_abandoned() -> int:
    stalled = outbox.abandoned(ChatPost)
    for post_id in stalled:
        enqueue_post(post_id)
    if stalled:
        logger.warning("Re-queued %d chat posts abandoned by a worker.", len(stalled))
    return len(stalled)

"""Posts prr sends to chat (replies, notifications): queued in the database, sent by a worker.

Each platform app registers how it sends one post (`register_sender`); the outbox
(`prr.integrations.outbox`) claims a post, makes one attempt, and retries failures with
back-off as for webhook deliveries, following the PRR_CHAT_* settings, or when the chat said to
come back (`Response.retry_after`). A refusal the chat calls permanent (`Response.permanent`)
fails the post at once; `retry_post` sends it again by hand.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from django_tasks import task

from prr.integrations import outbox
from prr.integrations.chat.models import ChatPost
from prr.integrations.webhooks.transport import Response
from prr.operations import metrics

# The chat's own settings (PRR_CHAT_TIMEOUT, …), for posts and for the bot's API calls.
LIMITS = outbox.Limits("CHAT")

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


def enqueue_post(post_id: int, run_after: datetime | None = None) -> None:
    the_task = send_chat_post if run_after is None else send_chat_post.using(run_after=run_after)
    the_task.enqueue(post_id)


def _send_with_its_platform(post: ChatPost) -> Response:
    return _senders[post.platform](post.target, post.payload)


def _no_sender(post: ChatPost) -> str:
    return "" if post.platform in _senders else "No sender for this chat."


POSTS = outbox.Outbox(
    model=ChatPost,
    limits=LIMITS,
    send=_send_with_its_platform,
    enqueue=enqueue_post,
    noun="post",
    logger=logging.getLogger(__name__),
    retry_command="prr chat retry",
    cannot_send=_no_sender,
)


def send(post_id: int) -> str:
    return outbox.attempt(POSTS, post_id)


def get_post(post_id: int) -> ChatPost:
    post = ChatPost.objects.filter(pk=post_id).first()
    if post is None:
        raise POSTS.missing(post_id)
    return post


def retry_post(post: ChatPost) -> ChatPost:
    """Send a post again, now, with a fresh round of attempts (`prr.integrations.outbox.retry`)."""
    outbox.retry(POSTS, post.pk)
    post.refresh_from_db()
    return post


def rescue_abandoned() -> int:
    return outbox.rescue_abandoned(POSTS)

"""Where prr's answer to a Mattermost message goes: its thread, as Mattermost allows.

An outgoing webhook's answer with `response_type: comment` becomes a reply whose root is the
triggering post (server/channels/app/webhook.go, TriggerWebhook). Mattermost refuses a reply
whose root is itself a reply (CreatePost: "Invalid RootId parameter"), and the webhook payload
does not say whether the post is a thread's root. So, with the bot configured, prr reads the
post (`GET /api/v4/posts/{id}`): a root post is answered as a comment, a reply in a thread is
answered in that thread by the bot, through the worker. Without the bot prr cannot know, and
answers in the channel, which Mattermost always accepts.
"""

from __future__ import annotations

import logging
import time
from dataclasses import replace
from typing import Any

from prr.integrations.chat.models import ChatPost, Platform
from prr.integrations.chat.outgoing import queue_post
from prr.integrations.chat.own_posts import remember_own_post
from prr.integrations.mattermost.client import (
    MattermostApi,
    MattermostApiError,
    send_incoming_webhook,
)
from prr.integrations.webhooks.transport import Response

logger = logging.getLogger(__name__)

PLATFORM = Platform.MATTERMOST.value
# The lookup runs while Mattermost waits for the webhook's answer.
LOOKUP_TIMEOUT = 3.0
# The bot's refusals that asking again cannot change.
PERMANENT = {
    400: "Mattermost refused the reply (the thread or the channel is gone)",
    401: "PRR_MATTERMOST_BOT_TOKEN is not a valid bot token",
    403: "the bot may not post in this channel, even after joining it",
    404: "the channel or the thread no longer exists",
}
# A ChatPost target naming a channel (sent by the bot) instead of an incoming webhook URL.
CHANNEL_TARGET = "channel:"


def thread_root(post_id: str) -> str | None:
    """The root of the post's thread ("" for a root post); None when prr cannot ask."""
    api = MattermostApi.from_settings()
    if api is None:
        return None
    try:
        post = replace(api, timeout=min(api.timeout, LOOKUP_TIMEOUT)).get_post(post_id)
    except MattermostApiError as exc:
        logger.warning("Mattermost post %s: could not read its thread: %s", post_id, exc.message)
        return None
    return str(post.get("root_id") or "")


def queue_thread_reply(channel_id: str, root_id: str, text: str, review_id: int | None) -> ChatPost:
    # The bot's post comes back through the outgoing webhook: remembered as prr's own first.
    remember_own_post(PLATFORM, channel_id, text)
    return queue_post(
        PLATFORM,
        CHANNEL_TARGET + channel_id,
        {"message": text, "root_id": root_id},
        review_id=review_id,
        event_type="chat.reply",
    )


def send_post(target: str, payload: dict[str, Any]) -> Response:
    """The worker's sender for Mattermost: by the bot to a channel, or to an incoming webhook."""
    if target.startswith(CHANNEL_TARGET):
        return send_by_bot(target.removeprefix(CHANNEL_TARGET), payload)
    return send_incoming_webhook(target, payload)


def send_by_bot(channel_id: str, payload: dict[str, Any]) -> Response:
    started = time.monotonic()

    def elapsed() -> int:
        return round((time.monotonic() - started) * 1000)

    api = MattermostApi.from_settings()
    if api is None:
        return Response(
            None,
            0,
            error="The Mattermost bot is not configured (PRR_MATTERMOST_URL, "
            "PRR_MATTERMOST_BOT_TOKEN), so prr cannot answer in a thread.",
        )
    message, root_id = str(payload.get("message", "")), str(payload.get("root_id", ""))
    try:
        try:
            post = api.create_post(channel_id, message, root_id=root_id)
        except MattermostApiError as exc:
            if exc.status != 403:
                raise
            # Not a member of this channel (one prr did not create): join it, then post.
            api.add_channel_member(channel_id, str(api.me()["id"]))
            post = api.create_post(channel_id, message, root_id=root_id)
    except MattermostApiError as exc:
        response = Response(exc.status, elapsed(), error=f"mattermost: {exc.message}")
        if exc.status in PERMANENT:
            return response.for_good(PERMANENT[exc.status])
        return response
    return Response(201, elapsed(), excerpt=f"post {post.get('id', '')}")

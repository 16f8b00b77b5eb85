"""Slack's Web API with the bot token: `chat.postMessage` for prr's posts, `users.info` for handles.

Posts are sent by the chat worker (`register_sender`), which retries failures itself, so the
client's own retries are turned off and every outcome is described as a `Response`.
"""

from __future__ import annotations

import http.client
import logging
import math
import socket
import time
from typing import Any

from django.conf import settings
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from prr.integrations import outbox
from prr.integrations.slack.mrkdwn import to_mrkdwn
from prr.integrations.webhooks.transport import Response

logger = logging.getLogger(__name__)

# users.info runs while Slack waits for prr's answer to an event (it wants one within 3 s).
LOOKUP_TIMEOUT = 2

HINTS = {
    "not_in_channel": "invite the prr bot to the channel: /invite @prr",
    "channel_not_found": "the channel id is wrong, or the bot cannot see this private channel",
    "is_archived": "the channel is archived",
    "invalid_auth": "PRR_SLACK_BOT_TOKEN is not a valid bot token",
    "not_authed": "PRR_SLACK_BOT_TOKEN is not set",
    "token_revoked": "the bot token was revoked: reinstall the app, update PRR_SLACK_BOT_TOKEN",
    "account_inactive": "the bot token was revoked: reinstall the app, update PRR_SLACK_BOT_TOKEN",
    "ratelimited": "Slack asks prr to slow down; the worker tries again later",
}


def web_client(timeout: float) -> WebClient:
    return WebClient(
        token=settings.SLACK_BOT_TOKEN,
        base_url=settings.SLACK_API_URL.rstrip("/") + "/",
        timeout=max(1, math.ceil(timeout)),
        retry_handlers=[],
    )


def post_message(channel: str, payload: dict[str, Any]) -> Response:
    """Post `payload["text"]` (Markdown) to `channel`, in thread `payload["thread_ts"]` if set."""
    started = time.monotonic()

    def elapsed() -> int:
        return round((time.monotonic() - started) * 1000)

    if not settings.SLACK_BOT_TOKEN:
        return Response(None, 0, error="PRR_SLACK_BOT_TOKEN is not set: prr cannot post to Slack.")
    fields: dict[str, Any] = {
        "channel": channel,
        "text": to_mrkdwn(str(payload.get("text", ""))),
        "mrkdwn": True,
        "unfurl_links": False,  # a preview card under every post would drown the channel
    }
    if payload.get("thread_ts"):
        fields["thread_ts"] = str(payload["thread_ts"])
    try:
        answer = web_client(outbox.timeout()).chat_postMessage(**fields)
    except SlackApiError as exc:
        status = exc.response.status_code
        # Slack answers most refusals with HTTP 200 and "ok": false: not delivered all the same.
        return Response(
            status if status >= 300 else None,
            elapsed(),
            error=describe_refusal(exc.response.data, status),
            excerpt=str(exc.response.data)[:500],
        )
    except (SlackClientError, OSError, http.client.HTTPException, ValueError) as exc:
        return Response(None, elapsed(), error=describe_failure(exc))
    return Response(answer.status_code, elapsed(), excerpt=f"ts={answer.get('ts', '')}")


def describe_refusal(data: Any, status: int) -> str:
    code = data.get("error", "") if isinstance(data, dict) else ""
    if not code:
        return f"slack: HTTP {status} without an error code"
    hint = HINTS.get(code)
    if code == "missing_scope" and isinstance(data, dict):
        hint = f"add the bot token scope {data.get('needed', '')} and reinstall the app"
    return f"slack: {code}" + (f" ({hint})" if hint else "")


def describe_failure(exc: BaseException) -> str:
    if isinstance(exc, TimeoutError | socket.timeout):
        return "slack: no answer in time (timed out)."
    reason = getattr(exc, "reason", None)  # urllib's URLError wraps the socket error
    if isinstance(reason, ConnectionRefusedError):
        return "slack: connection refused."
    return f"slack: {type(exc).__name__}: {exc}"


def lookup_username(user_id: str) -> str | None:
    """The Slack handle (`user.name`) of `user_id`, or None when Slack cannot say."""
    if not settings.SLACK_BOT_TOKEN:
        return None
    try:
        answer = web_client(LOOKUP_TIMEOUT).users_info(user=user_id)
    except SlackApiError as exc:
        logger.warning("Slack users.info %s: %s", user_id, describe_refusal(exc.response.data, 0))
        return None
    except (SlackClientError, OSError, http.client.HTTPException, ValueError) as exc:
        logger.warning("Slack users.info %s: %s", user_id, describe_failure(exc))
        return None
    user = answer.get("user")
    name = user.get("name") if isinstance(user, dict) else None
    return name if isinstance(name, str) and name else None

"""Slack's Web API with the bot token: `chat.postMessage` for prr's posts, `users.info` for handles.

Posts are sent by the chat worker (`register_sender`), which retries failures itself, so the
client's own retries are turned off and every outcome is described as a `Response`: a 429 with
the wait Slack asked for (`Retry-After`), the errors no retry can fix as permanent.
"""

from __future__ import annotations

import http.client
import logging
import math
import socket
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from prr.integrations import outgoing_guard
from prr.integrations.chat import outgoing
from prr.integrations.slack.mrkdwn import to_mrkdwn
from prr.integrations.webhooks.transport import Response, retry_after_seconds

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
    "ratelimited": "Slack asks prr to slow down; the worker tries again when Slack said",
    "token_expired": "the bot token expired: turn token rotation off or reinstall the app",
    "no_permission": "the bot token may not post here: check the app's install and scopes",
    "restricted_action": "a workspace setting keeps the bot from posting in this channel",
    "msg_too_long": "the message is longer than Slack accepts",
}

# Errors of chat.postMessage that the same post, sent again, gets again: fixing them takes a
# person (invite the bot, a new token, a scope), so the worker reports them at once.
PERMANENT = frozenset(
    {
        "channel_not_found",
        "not_in_channel",
        "is_archived",
        "invalid_auth",
        "not_authed",
        "token_revoked",
        "token_expired",
        "account_inactive",
        "missing_scope",
        "no_permission",
        "not_allowed_token_type",
        "restricted_action",
        "restricted_action_read_only_channel",
        "restricted_action_thread_only_channel",
        "restricted_action_non_threadable_channel",
        "ekm_access_denied",
        "team_access_not_granted",
        "msg_too_long",
        "no_text",
        "invalid_arguments",
        "invalid_blocks",
    }
)


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
        # slack_sdk connects by itself: its host (slack.com, or PRR_SLACK_API_URL) is checked
        # just before.
        outgoing_guard.check_url_now(settings.SLACK_API_URL)
        answer = web_client(outgoing.LIMITS.timeout()).chat_postMessage(**fields)
    except SlackApiError as exc:
        status, data = exc.response.status_code, exc.response.data
        error = describe_refusal(data, status)
        wait = None
        if status == 429:
            # slack_sdk keeps a 429's headers as a plain dict, under both spellings of the name.
            wait = retry_after_seconds(exc.response.headers.get("Retry-After"))
            if wait is not None:
                error += f"; Slack asked to wait {wait:g} s"
        # Slack answers most refusals with HTTP 200 and "ok": false: not delivered all the same.
        return Response(
            status if status >= 300 else None,
            elapsed(),
            error=error,
            excerpt=str(data)[:500],
            permanent=error_code(data) in PERMANENT,
            retry_after=wait,
        )
    except outgoing_guard.BlockedDestination as exc:
        return Response(None, elapsed(), error=f"slack: {exc}", permanent=True)
    except (SlackClientError, OSError, http.client.HTTPException, ValueError) as exc:
        return Response(None, elapsed(), error=describe_failure(exc))
    return Response(answer.status_code, elapsed(), excerpt=f"ts={answer.get('ts', '')}")


def error_code(data: Any) -> str:
    code = data.get("error", "") if isinstance(data, dict) else ""
    return code if isinstance(code, str) else ""


def describe_refusal(data: Any, status: int) -> str:
    code = error_code(data)
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


@dataclass(frozen=True)
class SlackPerson:
    """What `users.info` says of an account: its handle, and its address if Slack confirmed it."""

    handle: str
    verified_email: str = ""


def lookup_person(user_id: str) -> SlackPerson | None:
    """The Slack account `user_id`, or None when Slack cannot say.

    The address needs the `users:read.email` scope; it counts only with `is_email_confirmed`.
    """
    if not settings.SLACK_BOT_TOKEN:
        return None
    try:
        outgoing_guard.check_url_now(settings.SLACK_API_URL)
        answer = web_client(LOOKUP_TIMEOUT).users_info(user=user_id)
    except SlackApiError as exc:
        logger.warning("Slack users.info %s: %s", user_id, describe_refusal(exc.response.data, 0))
        return None
    except (SlackClientError, OSError, http.client.HTTPException, ValueError) as exc:
        logger.warning("Slack users.info %s: %s", user_id, describe_failure(exc))
        return None
    user = answer.get("user")
    if not isinstance(user, dict):
        return None
    name = user.get("name")
    if not isinstance(name, str) or not name:
        return None
    profile = user.get("profile")
    email = profile.get("email") if isinstance(profile, dict) else ""
    if user.get("is_email_confirmed") is not True:
        email = ""
    return SlackPerson(name, email if isinstance(email, str) else "")

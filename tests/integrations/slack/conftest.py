"""Slack as it talks to prr: signed Events API and slash command requests sent over real HTTP to
a running prr, and Slack's Web API played by `chat_server`.

Slack user ids of the personas: Dana U0DANA, Sam U0SAM (SRE), Sid U0SID (Security), Oscar
U0OSCAR (no team); U0STRANGER is a Slack user prr has no account for.
"""

from __future__ import annotations

import itertools
import json
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import pytest
from pytest_django.live_server_helper import LiveServer

from prr.integrations.chat.services import link_channel
from prr.integrations.slack.signing import sign
from prr.reviews.models import Review

from ..conftest import ChatRequest, ChatServer

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
BOT_TOKEN = "xoxb-17653672481-19874698323-pdFZKVeTuE8sk7oOcBrzbqgy"
TEAM_ID = "T0PRRTEAM"
APP_ID = "A0PRRAPP"
CHANNEL = "C0PAYMENTS"
OTHER_CHANNEL = "C0RANDOM"
BASE_URL = "https://prr.example.com"
USER_AGENT = "Slackbot 1.0 (+https://api.slack.com/robots)"
SLACK_USERS = {
    "U0DANA": "dana",
    "U0SAM": "sam",
    "U0SID": "sid",
    "U0OSCAR": "oscar",
    "U0ADA": "ada",
    "U0STRANGER": "stranger",
}
_ts = itertools.count(1)


def next_ts() -> str:
    """A Slack message timestamp, unique in the test run."""
    return f"{int(time.time())}.{next(_ts):06d}"


@dataclass
class Answer:
    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def text(self) -> str:
        return str(self.body.get("text", ""))


@dataclass
class Slack:
    """Sends what Slack sends, to a running prr."""

    url: str
    secret: str = SECRET

    def send(
        self,
        path: str,
        body: bytes,
        content_type: str,
        *,
        timestamp: int | None = None,
        signature: str | None = None,
        headers: dict[str, str] | None = None,
        method: str = "POST",
    ) -> Answer:
        sent_at = int(time.time()) if timestamp is None else timestamp
        request = urllib.request.Request(
            self.url + path,
            data=body if method == "POST" else None,
            method=method,
            headers={
                "Content-Type": content_type,
                "User-Agent": USER_AGENT,
                "Accept": "application/json,*/*",
                "X-Slack-Request-Timestamp": str(sent_at),
                "X-Slack-Signature": signature or sign(self.secret, sent_at, body),
                **(headers or {}),
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as reply:
                raw, status, reply_headers = reply.read(), reply.status, dict(reply.headers)
        except urllib.error.HTTPError as exc:
            raw, status, reply_headers = exc.read(), exc.code, dict(exc.headers)
        return Answer(status, json.loads(raw) if raw else {}, reply_headers)

    def event(self, payload: dict[str, Any], **options: Any) -> Answer:
        body = json.dumps(payload).encode()
        return self.send("/integrations/slack/events", body, "application/json", **options)

    def command(self, text: str, *, user: str, channel: str = CHANNEL, **options: Any) -> Answer:
        body = urlencode(command_form(text, user=user, channel=channel)).encode()
        return self.send(
            "/integrations/slack/commands", body, "application/x-www-form-urlencoded", **options
        )


def event_callback(event: dict[str, Any], *, event_id: str | None = None) -> dict[str, Any]:
    """The Events API envelope around an inner event."""
    return {
        "token": "XXYYZZ1234567890",
        "team_id": TEAM_ID,
        "api_app_id": APP_ID,
        "event": event,
        "type": "event_callback",
        "event_id": event_id or f"Ev0{uuid.uuid4().hex[:10].upper()}",
        "event_time": int(time.time()),
        "authorizations": [
            {
                "enterprise_id": None,
                "team_id": TEAM_ID,
                "user_id": "U0PRRBOT",
                "is_bot": True,
                "is_enterprise_install": False,
            }
        ],
        "is_ext_shared_channel": False,
        "event_context": "4-eyJldCI6Im1lc3NhZ2UiLCJ0aWQiOiJUMFBSUlRFQU0ifQ",
    }


def message_event(
    text: str,
    *,
    user: str,
    channel: str = CHANNEL,
    ts: str | None = None,
    event_id: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """A `message` event as Slack sends it for a person's post in a channel."""
    ts = ts or next_ts()
    event = {
        "client_msg_id": str(uuid.uuid4()),
        "type": "message",
        "text": text,
        "user": user,
        "ts": ts,
        "blocks": [
            {
                "type": "rich_text",
                "block_id": "b1",
                "elements": [
                    {"type": "rich_text_section", "elements": [{"type": "text", "text": text}]}
                ],
            }
        ],
        "team": TEAM_ID,
        "channel": channel,
        "event_ts": ts,
        "channel_type": "channel",
        **extra,
    }
    return event_callback(event, event_id=event_id)


def file_share_event(
    text: str, *, user: str, channel: str = CHANNEL, **extra: Any
) -> dict[str, Any]:
    """A message with a screenshot attached, as the Events API sends it: subtype `file_share`,
    the file in `files` (fields as in Slack's file object), the text as typed."""
    ts = next_ts()
    file_id = f"F0{uuid.uuid4().hex[:9].upper()}"
    name = "Screenshot 2024-05-02 at 10.41.12.png"
    return message_event(
        text,
        user=user,
        channel=channel,
        ts=ts,
        subtype="file_share",
        upload=False,
        display_as_bot=False,
        files=[
            {
                "id": file_id,
                "created": int(float(ts)),
                "timestamp": int(float(ts)),
                "name": name,
                "title": name,
                "mimetype": "image/png",
                "filetype": "png",
                "pretty_type": "PNG",
                "user": user,
                "user_team": TEAM_ID,
                "editable": False,
                "size": 184467,
                "mode": "hosted",
                "is_external": False,
                "external_type": "",
                "is_public": True,
                "public_url_shared": False,
                "display_as_bot": False,
                "username": "",
                "url_private": f"https://files.slack.com/files-pri/{TEAM_ID}-{file_id}/screenshot.png",
                "url_private_download": f"https://files.slack.com/files-pri/{TEAM_ID}-{file_id}/download/screenshot.png",
                "original_w": 1512,
                "original_h": 982,
                "permalink": f"https://example.slack.com/files/{user}/{file_id}/screenshot.png",
                "permalink_public": f"https://slack-files.com/{TEAM_ID}-{file_id}-0a1b2c3d4e",
                "has_rich_preview": False,
                "file_access": "visible",
            }
        ],
        **extra,
    )


def thread_broadcast_event(
    text: str, *, user: str, parent_ts: str, parent_user: str = "U0DANA", channel: str = CHANNEL
) -> dict[str, Any]:
    """A reply in a thread also sent to the channel: subtype `thread_broadcast`, the thread's
    parent in `thread_ts` and, summarised, in `root`."""
    return message_event(
        text,
        user=user,
        channel=channel,
        subtype="thread_broadcast",
        thread_ts=parent_ts,
        root={
            "client_msg_id": str(uuid.uuid4()),
            "type": "message",
            "text": "Load test results are in the doc",
            "user": parent_user,
            "ts": parent_ts,
            "team": TEAM_ID,
            "thread_ts": parent_ts,
            "reply_count": 1,
            "reply_users_count": 1,
            "latest_reply": parent_ts,
            "reply_users": [user],
            "is_locked": False,
            "subscribed": False,
        },
    )


def command_form(text: str, *, user: str, channel: str = CHANNEL) -> dict[str, str]:
    """The fields of a slash command request, in the order Slack sends them."""
    return {
        "token": "gIkuvaNzQIHg97ATvDxqgjtO",
        "team_id": TEAM_ID,
        "team_domain": "example",
        "enterprise_id": "E0PRRGRID",
        "enterprise_name": "Example Inc",
        "channel_id": channel,
        "channel_name": "payments-launch" if channel == CHANNEL else "random",
        "user_id": user,
        "user_name": SLACK_USERS.get(user, user.lower()),
        "command": "/prr",
        "text": text,
        "api_app_id": APP_ID,
        "is_enterprise_install": "false",
        "response_url": "https://hooks.slack.com/commands/T0PRRTEAM/1234567890/abcdefABCDEF",
        # Unique per invocation, as Slack makes it: two commands never have the same body.
        "trigger_id": f"{next(_ts)}.738474920.{uuid.uuid4().hex[:19]}",
    }


def users_info(request: ChatRequest) -> tuple[int, Any]:
    user_id = request.form.get("user", "")  # slack_sdk posts it form-encoded
    if user_id not in SLACK_USERS:
        return 200, {"ok": False, "error": "user_not_found"}
    name = SLACK_USERS[user_id]
    return 200, {
        "ok": True,
        "user": {"id": user_id, "team_id": TEAM_ID, "name": name, "real_name": name.title()},
    }


def post_message(request: ChatRequest) -> tuple[int, Any]:
    sent = request.json
    return 200, {
        "ok": True,
        "channel": sent["channel"],
        "ts": next_ts(),
        "message": {"type": "message", "text": sent["text"], "bot_id": "B0PRRBOT"},
    }


def rate_limited(retry_after: int) -> tuple[int, Any, dict[str, str]]:
    """Slack's answer past a method's rate limit ("Rate limits" in Slack's API docs): HTTP 429
    Too Many Requests, the seconds to wait in `Retry-After`, and `"error": "ratelimited"`. It is
    what slack_sdk's RateLimitErrorRetryHandler (slack_sdk/http_retry/builtin_handlers.py)
    reads, and what slack_sdk/web/base_client.py keeps in SlackApiError.response.headers."""
    return 429, {"ok": False, "error": "ratelimited"}, {"Retry-After": str(retry_after)}


@pytest.fixture
def slack_api(chat_server: ChatServer, settings: Any) -> ChatServer:
    """Slack's Web API, with prr configured to use it and to accept Slack's requests.

    Its answers follow Slack's method docs (chat.postMessage, users.info): HTTP 200 with
    `"ok": true` and the object, or HTTP 200 with `"ok": false` and an error code (what
    slack_sdk/web/slack_response.py turns into SlackApiError); 429 as in `rate_limited`."""
    settings.SLACK_SIGNING_SECRETS = [SECRET]
    settings.SLACK_BOT_TOKEN = BOT_TOKEN
    settings.SLACK_API_URL = chat_server.url + "/api/"
    settings.SLACK_NOTIFY_CHANNEL = ""
    settings.BASE_URL = BASE_URL
    chat_server.on("POST", "/api/chat.postMessage", post_message)
    chat_server.on("POST", "/api/users.info", users_info)
    return chat_server


@pytest.fixture
def slack(live_server: LiveServer, slack_api: ChatServer) -> Slack:
    return Slack(live_server.url)


@pytest.fixture
def linked(review: Review) -> Review:
    """The shared review (PRR of Dana), linked to Slack channel CHANNEL."""
    link_channel(
        review,
        platform="slack",
        channel_id=CHANNEL,
        channel_name="payments-launch",
        team_id=TEAM_ID,
        by=None,
    )
    return review


def posted(chat_server: ChatServer) -> list[dict[str, Any]]:
    """The chat.postMessage calls prr made, as the JSON slack_sdk sent."""
    return [request.json for request in chat_server.to("/api/chat.postMessage")]


def replies_in_thread(chat_server: ChatServer, ts: str) -> list[str]:
    return [body["text"] for body in posted(chat_server) if body.get("thread_ts") == ts]

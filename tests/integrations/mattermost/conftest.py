"""Mattermost as prr meets it: requests shaped like Mattermost's, sent over HTTP to a live prr.

`mattermost` sends what a Mattermost server sends: an outgoing webhook's post (form-encoded by
default, JSON when the webhook is configured so) and a slash command's request (form-encoded),
with the fields, headers and ids Mattermost uses. The chat server of tests/integrations plays
Mattermost's side of what prr sends: incoming webhooks and the REST API.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any

import pytest
from django_tasks_db.models import DBTaskResult
from pytest_django.live_server_helper import LiveServer

from prr.accounts.models import User
from prr.integrations.chat.models import ChannelLink
from prr.integrations.chat.services import link_channel
from prr.reviews.models import Review
from tests.integrations.conftest import ChatServer, run_worker

WEBHOOK_TOKEN = "zmigewsanbbsdf59xnmduzypjc"
COMMAND_TOKEN = "w1ohk8gxc7g98cmbqyzr3huinc"
TEAM_ID = "kwoknj9nwpypzgzy78wkw516qe"
TEAM_DOMAIN = "acme"
CHANNEL_ID = "hawos4dqtby53pd64o4a4cmeoo"
CHANNEL_NAME = "payments-launch"
OTHER_CHANNEL_ID = "qb6pmc3mkpgx3y1oa8ye1ykxhr"
BASE_URL = "https://prr.example.com"
HOOK_PATH = "/hooks/abc"
BOT_TOKEN = "bot-token-6gk3q9yxjbrtmp"

# Mattermost user ids of the personas (26 lowercase letters and digits, as Mattermost makes).
IDS = {
    "dana": "d8n4ecmqc3ym7jm9mfxbqyoy1a",
    "sam": "s4m7x1ohq3fdbbxe8yt7a1zjzh",
    "sid": "s1dkap0or6i8jgo4ex7k3n1h9c",
    "oscar": "0sc4rv1dalnk7q8u6x3d9y4e2w",
    "ada": "ad4adm1nq3fdbbxe8yt7a1zjzh",
    "ghost": "gh0stgh0stgh0stgh0stgh0st1",
}


@dataclass
class Reply:
    """What prr answered Mattermost."""

    status: int
    content_type: str
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def text(self) -> str:
        return str(self.json["text"])


class Mattermost:
    """Sends prr the requests a Mattermost server sends, as its users act."""

    def __init__(self, prr_url: str) -> None:
        self.prr_url = prr_url
        self.posts = 0

    def send(self, path: str, body: bytes, headers: dict[str, str]) -> Reply:
        request = urllib.request.Request(
            self.prr_url + path, data=body, headers=headers, method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return Reply(
                    response.status, response.headers.get("Content-Type", ""), response.read()
                )
        except urllib.error.HTTPError as exc:
            return Reply(exc.code, exc.headers.get("Content-Type", ""), exc.read())

    def message_payload(
        self,
        text: str,
        user: str,
        *,
        user_id: str | None = None,
        channel_id: str = CHANNEL_ID,
        channel_name: str = CHANNEL_NAME,
        post_id: str | None = None,
        token: str = WEBHOOK_TOKEN,
        trigger_word: str = "",
    ) -> dict[str, Any]:
        """The fields of Mattermost's OutgoingWebhookPayload, for a post in a channel."""
        self.posts += 1
        return {
            "token": token,
            "team_id": TEAM_ID,
            "team_domain": TEAM_DOMAIN,
            "channel_id": channel_id,
            "channel_name": channel_name,
            "timestamp": 1764374400000 + self.posts,
            "user_id": user_id or IDS[user],
            "user_name": user,
            "post_id": post_id or f"p{self.posts:05d}xdygg1957njfe5pu38sai",
            "text": text,
            "trigger_word": trigger_word,
            "file_ids": "",
        }

    def post(self, text: str, user: str, *, as_json: bool = False, **fields: Any) -> Reply:
        """Someone writes `text` in a channel; its outgoing webhook tells prr."""
        return self.deliver(self.message_payload(text, user, **fields), as_json=as_json)

    def deliver(self, payload: dict[str, Any], *, as_json: bool = False) -> Reply:
        if as_json:
            return self.send(
                "/integrations/mattermost/messages",
                json.dumps(payload).encode(),
                {"Content-Type": "application/json", "Accept": "application/json"},
            )
        # Go's url.Values.Encode: keys sorted; the timestamp in seconds.
        form = {**payload, "timestamp": str(int(payload["timestamp"]) // 1000)}
        return self.send(
            "/integrations/mattermost/messages",
            urllib.parse.urlencode(sorted(form.items())).encode(),
            {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"},
        )

    def echo(self, reply: Reply, user: str) -> Reply:
        """Mattermost posts an in-channel command answer as the caller, and its outgoing webhook
        sends that post to prr like any other (server/channels/app/command.go,
        HandleCommandResponsePost: UserId is the caller's; CreatePostMissingChannel triggers
        webhooks)."""
        assert reply.json["response_type"] == "in_channel"
        return self.post(reply.json["text"], user)

    def command(
        self,
        text: str,
        user: str,
        *,
        user_id: str | None = None,
        channel_id: str = CHANNEL_ID,
        channel_name: str = CHANNEL_NAME,
        token: str = COMMAND_TOKEN,
    ) -> Reply:
        """Someone runs `/prr TEXT` in a channel."""
        fields = {
            "channel_id": channel_id,
            "channel_name": channel_name,
            "command": "/prr",
            "response_url": f"https://chat.example.com/hooks/commands/{channel_id[:20]}abcdef",
            "team_domain": TEAM_DOMAIN,
            "team_id": TEAM_ID,
            "text": text,
            "token": token,
            "trigger_id": "dHJpZ2dlci1pZC1mb3ItdGVzdHM=",
            "user_id": user_id or IDS[user],
            "user_name": user,
        }
        return self.send(
            "/integrations/mattermost/command",
            urllib.parse.urlencode(sorted(fields.items())).encode(),
            {
                "Content-Type": "application/x-www-form-urlencoded",
                "Accept": "application/json",
                "Authorization": f"Token {token}",
            },
        )


@pytest.fixture
def mattermost(live_server: LiveServer, settings: Any) -> Mattermost:
    """A Mattermost server whose outgoing webhook and `/prr` command point at a live prr."""
    settings.MATTERMOST_WEBHOOK_TOKENS = ["an-older-token-still-accepted", WEBHOOK_TOKEN]
    settings.MATTERMOST_COMMAND_TOKENS = [COMMAND_TOKEN]
    settings.MATTERMOST_WEBHOOK_URL = ""
    settings.MATTERMOST_URL = ""
    settings.MATTERMOST_BOT_TOKEN = ""
    settings.MATTERMOST_TEAM_ID = ""
    settings.BASE_URL = BASE_URL
    return Mattermost(live_server.url)


@pytest.fixture
def hook(chat_server: ChatServer) -> str:
    """An incoming webhook URL on the chat server; it answers as Mattermost does."""
    chat_server.on("POST", HOOK_PATH, (200, "ok"))
    return chat_server.url + HOOK_PATH


@pytest.fixture
def linked(review: Review) -> ChannelLink:
    """The review linked to the channel CHANNEL_ID (by the operator)."""
    return link_channel(
        review,
        platform="mattermost",
        channel_id=CHANNEL_ID,
        channel_name=CHANNEL_NAME,
        team_id=TEAM_ID,
        by=None,
    )


def run_tasks(timeout: float = 10.0) -> None:
    """Run the worker until no task is waiting (retries included), or fail the test."""
    deadline = time.monotonic() + timeout
    while True:
        run_worker()
        if not DBTaskResult.objects.filter(status__in=["READY", "RUNNING"]).exists():
            return
        if time.monotonic() > deadline:
            raise AssertionError("tasks never finished")
        time.sleep(0.01)


def chat_user(username: str) -> User:
    return User.objects.get(username=username)

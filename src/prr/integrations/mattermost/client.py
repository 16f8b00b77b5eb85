"""What prr sends Mattermost: posts through an incoming webhook, and a few REST API v4 calls.

The incoming webhook carries notifications (sent by the worker, see
`prr.integrations.chat.outgoing`). The REST API, with a bot account's token, serves the
optional bot that opens a channel for each review (`prr.integrations.mattermost.bot`).
"""

from __future__ import annotations

import http.client
import json
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from prr.integrations import outbox, outgoing_guard
from prr.integrations.chat import outgoing
from prr.integrations.chat.mentions import without_broadcasts
from prr.integrations.webhooks import transport

USERNAME = "prr"
JSON = "application/json"

# PRR_MATTERMOST_URL is checked like any URL prr sends to (loopback, private, … refused).
_opener = outgoing_guard.opener()


def send_incoming_webhook(target_url: str, payload: dict[str, Any]) -> transport.Response:
    """POST one message (`text`, and `channel` to override the webhook's own) to a webhook.

    Refusals that sending again cannot change are marked permanent, as Mattermost answers them
    (server/channels/app/webhook.go, HandleIncomingWebhook); a 429's Retry-After is kept by
    `transport.post`.
    """
    text = without_broadcasts(str(payload.get("text", "")))
    body = json.dumps({**payload, "text": text, "username": USERNAME}, ensure_ascii=False)
    response = transport.post(
        target_url, body.encode("utf-8"), {"Content-Type": JSON}, timeout=outgoing.LIMITS.timeout()
    )
    permanent = {
        400: "the incoming webhook was deleted or its URL is wrong (Mattermost answers 400 for "
        "a deleted webhook): create one in Integrations → Incoming Webhooks and update "
        "PRR_MATTERMOST_WEBHOOK_URL or the channel's webhook in prr",
        403: "the webhook may not post to this channel (locked to its own channel, a private "
        "channel its creator cannot read, or its creator's account is gone)",
        404: "the channel or the webhook no longer exists",
        501: "incoming webhooks are turned off on this Mattermost server (System Console → "
        "Integrations → Integration Management → Enable Incoming Webhooks)",
    }
    why = permanent.get(response.status_code or 0)
    return response.for_good(why) if why else response


class MattermostApiError(Exception):
    """A REST API call failed: Mattermost refused it (`status`), or no answer came (None).

    `detail` is Mattermost's own explanation, when it gave one.
    """

    def __init__(self, message: str, status: int | None = None, detail: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.detail = detail

    @property
    def refused(self) -> bool:
        """Mattermost said no (4xx): asking again will not help."""
        return self.status is not None and 400 <= self.status < 500


@dataclass(frozen=True)
class MattermostApi:
    """Mattermost's REST API v4 at `base_url`, as the bot whose token this is."""

    base_url: str
    token: str
    timeout: float = outbox.DEFAULT_TIMEOUT

    @classmethod
    def from_settings(cls) -> MattermostApi | None:
        if not (settings.MATTERMOST_URL and settings.MATTERMOST_BOT_TOKEN):
            return None
        return cls(
            settings.MATTERMOST_URL, settings.MATTERMOST_BOT_TOKEN, outgoing.LIMITS.timeout()
        )

    def call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        """The decoded JSON answer; raises MattermostApiError for anything but a 2xx."""
        url = f"{self.base_url.rstrip('/')}/api/v4/{path.lstrip('/')}"
        headers = {"Authorization": f"Bearer {self.token}", "Accept": JSON}
        data = None
        if body is not None:
            data = json.dumps(body, ensure_ascii=False).encode("utf-8")
            headers["Content-Type"] = JSON
        request = urllib.request.Request(url, data=data, headers=headers, method=method)
        where = f"{method} /api/v4/{path.lstrip('/')}"
        try:
            with _opener.open(request, timeout=self.timeout) as reply:
                raw = reply.read()
        except urllib.error.HTTPError as exc:
            detail = _explained(exc)
            said = f": {detail}" if detail else ""
            raise MattermostApiError(f"{where}: HTTP {exc.code}{said}", exc.code, detail) from None
        except (urllib.error.URLError, OSError, http.client.HTTPException, ValueError) as exc:
            reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
            raise MattermostApiError(f"{where}: no answer ({reason}).") from None
        try:
            return json.loads(raw) if raw.strip() else None
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise MattermostApiError(f"{where}: the answer is not JSON.") from None

    def channel_by_name(self, team_id: str, name: str) -> dict[str, Any] | None:
        """The team's channel of this name, or None when there is none."""
        path = f"teams/{_quoted(team_id)}/channels/name/{_quoted(name)}"
        try:
            channel: dict[str, Any] = self.call("GET", path)
        except MattermostApiError as exc:
            if exc.status == 404:
                return None
            raise
        return channel

    def create_channel(
        self, team_id: str, name: str, display_name: str, *, purpose: str = "", header: str = ""
    ) -> dict[str, Any]:
        """A new public channel: outgoing webhooks fire in public channels only."""
        body = {
            "team_id": team_id,
            "name": name,
            "display_name": display_name,
            "purpose": purpose,
            "header": header,
            "type": "O",
        }
        channel: dict[str, Any] = self.call("POST", "channels", body)
        return channel

    def add_channel_member(self, channel_id: str, user_id: str) -> dict[str, Any]:
        """Add a user to a channel; adding a member again changes nothing."""
        member: dict[str, Any] = self.call(
            "POST", f"channels/{_quoted(channel_id)}/members", {"user_id": user_id}
        )
        return member

    def create_post(self, channel_id: str, message: str, *, root_id: str = "") -> dict[str, Any]:
        """A post in the channel; with `root_id` (a thread's root post), a reply in that thread."""
        body = {"channel_id": channel_id, "message": without_broadcasts(message)}
        if root_id:
            body["root_id"] = root_id
        post: dict[str, Any] = self.call("POST", "posts", body)
        return post

    def get_post(self, post_id: str) -> dict[str, Any]:
        """A post, with `root_id` (empty for a thread's root) and `channel_id`."""
        post: dict[str, Any] = self.call("GET", f"posts/{_quoted(post_id)}")
        return post

    def get_channel(self, channel_id: str) -> dict[str, Any]:
        """A channel, with `type`: O public, P private, D direct message, G group message."""
        channel: dict[str, Any] = self.call("GET", f"channels/{_quoted(channel_id)}")
        return channel

    def get_user(self, user_id: str) -> dict[str, Any]:
        """A user, with `email` and `email_verified` when the bot may see them."""
        user: dict[str, Any] = self.call("GET", f"users/{_quoted(user_id)}")
        return user

    def me(self) -> dict[str, Any]:
        """The bot's own user."""
        user: dict[str, Any] = self.call("GET", "users/me")
        return user


def _quoted(part: str) -> str:
    return urllib.parse.quote(part, safe="")


def _explained(exc: urllib.error.HTTPError) -> str:
    """Mattermost's own words for an error (`{"message": …}`), when it gave them."""
    try:
        message = json.loads(exc.read(4000)).get("message", "")
    except (OSError, ValueError, AttributeError, http.client.HTTPException):
        return ""
    return message.strip()[:300] if isinstance(message, str) else ""

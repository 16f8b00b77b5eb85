"""What Mattermost sends prr: channel messages (an outgoing webhook) and the `/prr` command.

Both come with the integration's token in the body, checked against every configured token
in constant time. Mattermost posts the JSON prr answers with: an outgoing webhook's `text` in
the channel or the message's thread (see `replies`), a command's `text` to the channel or to
the caller alone.

Mattermost posts an outgoing webhook's `text` whatever the HTTP status (server/channels/app/
webhook.go reads the body and never the status), so a refused webhook request is answered
without a body and explained in prr's log only: a wrong token must not be announced in the
channel after every message.
"""

from __future__ import annotations

import hmac
import json
import logging
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from prr.integrations.chat.commands import CommandCall, run_command
from prr.integrations.chat.intake import ChatMessage, receive_message
from prr.integrations.chat.mentions import without_broadcasts
from prr.integrations.chat.models import Platform
from prr.integrations.chat.own_posts import remember_own_post
from prr.integrations.mattermost.people import verified_email
from prr.integrations.mattermost.replies import queue_thread_reply, thread_root
from prr.operations import request_guard

logger = logging.getLogger(__name__)

PLATFORM = Platform.MATTERMOST.value
BOT_USERNAME = "prr"
MESSAGE_FIELDS = ("channel_id", "user_id", "user_name", "post_id")
COMMAND_FIELDS = ("channel_id", "user_id", "user_name")
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")

View = Callable[[HttpRequest], HttpResponse]


class Refused(Exception):
    """The request is refused before anything is done: answered `status`, the message as text."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def answer(text: str, status: int, **extra: Any) -> JsonResponse:
    return JsonResponse(
        {"text": text, **extra}, status=status, json_dumps_params={"ensure_ascii": False}
    )


def post_only(*, quiet: bool) -> Callable[[View], View]:
    """Mattermost sends POST (as configured in the integration); anything else is a 405.

    `quiet`: a refusal is answered without text (Mattermost would post it in the channel) and
    logged instead.
    """

    def decorate(view: View) -> View:
        def checked(request: HttpRequest) -> HttpResponse:
            if request.method != "POST":
                response = answer(
                    f"{request.method} is not allowed here; Mattermost sends POST.", 405
                )
                response["Allow"] = "POST"
                return response
            try:
                return view(request)
            except Refused as exc:
                if not quiet:
                    return answer(exc.message, exc.status)
                logger.warning(
                    "Mattermost %s refused (%s): %s", view.__name__, exc.status, exc.message
                )
                return HttpResponse(status=exc.status)

        checked.__name__ = view.__name__
        checked.__doc__ = view.__doc__
        return csrf_exempt(checked)

    return decorate


def read_fields(request: HttpRequest) -> dict[str, str]:
    """The body's fields, form-encoded or JSON (as the integration was configured)."""
    try:
        if request.content_type == "application/json":
            return json_fields(request.body)
        if request.content_type in FORM_TYPES:
            return {name: request.POST.get(name, "") for name in request.POST}
    except RequestDataTooBig:
        raise Refused(
            f"The request body is larger than {settings.DATA_UPLOAD_MAX_MEMORY_SIZE:,} bytes.", 413
        ) from None
    except TooManyFieldsSent:
        raise Refused("The request has too many fields.") from None
    raise Refused(
        f"Unsupported content type '{request.content_type}'; Mattermost sends "
        "application/x-www-form-urlencoded or application/json.",
        415,
    )


def json_fields(body: bytes) -> dict[str, str]:
    try:
        # Bounded: nesting and number length are refused before anything else reads them.
        data = request_guard.parse_json(body)
    except request_guard.UnsafeInput as exc:
        raise Refused(exc.message) from None
    except (ValueError, UnicodeDecodeError):
        raise Refused("The request body is not valid JSON.") from None
    if not isinstance(data, dict):
        raise Refused("The request body must be a JSON object.")
    # Mattermost writes `timestamp` as a number; prr reads every field as text.
    return {str(k): v if isinstance(v, str) else json.dumps(v) for k, v in data.items()}


def header_token(request: HttpRequest) -> str | None:
    """The token of `Authorization: Token …`, which Mattermost sends with a slash command
    (server/channels/app/command.go), or None for a request without one."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "token" and token.strip() else None


def token_matches(token: str, accepted: Sequence[str]) -> bool:
    matched = False
    for candidate in accepted:  # every one compared, so the time taken says nothing
        matched |= hmac.compare_digest(token.encode(), candidate.encode())
    return bool(token) and matched


def check_request(
    request: HttpRequest, tokens: Sequence[str], what: str, setting: str, required: Sequence[str]
) -> dict[str, str]:
    if not tokens:
        raise Refused(f"The Mattermost {what} is not enabled on this prr server.", 404)
    wrong_token = Refused(
        f"The Mattermost {what} token is wrong, so prr ignored this request. A prr admin "
        f"sets the token Mattermost shows for the {what} in {setting}.",
        401,
    )
    # The header's token is checked before the body is read; an outgoing webhook has its
    # token only in the body, read with bounded parsing and checked before any other field.
    in_header = header_token(request)
    if in_header is not None and not token_matches(in_header, tokens):
        raise wrong_token
    fields = read_fields(request)
    if in_header is None and not token_matches(fields.get("token", ""), tokens):
        raise wrong_token
    try:
        request_guard.check_fields([*fields, *fields.values()])
    except request_guard.UnsafeInput as exc:
        raise Refused(exc.message) from None
    missing = [name for name in required if not fields.get(name, "").strip()]
    if missing:
        raise Refused(f"The request lacks {', '.join(missing)}.")
    return fields


@post_only(quiet=True)
def messages(request: HttpRequest) -> HttpResponse:
    """The outgoing webhook: a message written in a channel."""
    fields = check_request(
        request,
        settings.MATTERMOST_WEBHOOK_TOKENS,
        "outgoing webhook",
        "PRR_MATTERMOST_WEBHOOK_TOKENS",
        MESSAGE_FIELDS,
    )
    if not fields.get("text", "").strip():
        return HttpResponse(status=200)  # a post with only files: nothing to record
    channel_id, post_id = fields["channel_id"].strip(), fields["post_id"].strip()
    received = receive_message(
        ChatMessage(
            platform=PLATFORM,
            channel_id=channel_id,
            user_id=fields["user_id"].strip(),
            username=fields["user_name"].strip(),
            text=fields["text"],
            external_id=post_id,
            verified_email=partial(verified_email, fields["user_id"].strip()),
        )
    )
    # A post already stored came again through a second webhook (a channel's and a team's
    # trigger words): it was answered the first time. A team-wide trigger-word webhook sends
    # messages of every public channel, most of them no review's: those are not answered.
    quiet = received.duplicate or (received.unlinked and fields.get("trigger_word", "").strip())
    if not received.replies or quiet:
        return HttpResponse(status=200)  # Mattermost posts nothing for an empty body
    text = without_broadcasts("\n\n".join(received.replies))
    root = thread_root(post_id)
    if root:
        queue_thread_reply(channel_id, root, text, received.review_id)
        return HttpResponse(status=200)
    if root == "":
        return answer(text, 200, response_type="comment", username=BOT_USERNAME)
    return answer(text, 200, username=BOT_USERNAME)  # in the channel: Mattermost accepts it


@post_only(quiet=False)
def command(request: HttpRequest) -> HttpResponse:
    """The `/prr` slash command."""
    fields = check_request(
        request,
        settings.MATTERMOST_COMMAND_TOKENS,
        "slash command",
        "PRR_MATTERMOST_COMMAND_TOKENS",
        COMMAND_FIELDS,
    )
    channel_id = fields["channel_id"].strip()
    reply = run_command(
        CommandCall(
            platform=PLATFORM,
            text=fields.get("text", ""),
            channel_id=channel_id,
            user_id=fields["user_id"].strip(),
            username=fields["user_name"].strip(),
            channel_name=fields.get("channel_name", "").strip(),
            team_id=fields.get("team_id", "").strip(),
            verified_email=partial(verified_email, fields["user_id"].strip()),
        )
    )
    text = without_broadcasts(reply.text)
    if reply.in_channel:
        # Posted as the caller, and sent back to prr by the channel's outgoing webhook.
        remember_own_post(PLATFORM, channel_id, text)
    return answer(
        text,
        200,
        response_type="in_channel" if reply.in_channel else "ephemeral",
        skip_slack_parsing=True,  # posted as written, so its echo is known
    )

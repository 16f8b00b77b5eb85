"""Slack's requests to prr: the Events API and the `/prr` slash command.

Both are verified with the signing secret before anything is read, then handed to the chat
core. Slack wants an answer within 3 s, so replies to messages are queued for the worker. A
message event sent twice is stored once (by its event id); a slash command request sent twice
runs once (`replays`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from prr.integrations.chat.commands import CommandCall, run_command
from prr.integrations.slack.client import SlackPerson
from prr.integrations.slack.messages import SLACK, author, receive_event
from prr.integrations.slack.mrkdwn import to_mrkdwn
from prr.integrations.slack.replays import REPLAYED, first_time
from prr.integrations.slack.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, BadSignature, verify
from prr.operations import request_guard

logger = logging.getLogger(__name__)

View = Callable[[HttpRequest], HttpResponse]


def refuse(status: int, text: str) -> JsonResponse:
    return JsonResponse({"text": text}, status=status)


def from_slack(view: View) -> View:
    """Only when Slack is enabled, only POST, only what Slack signed (checked on the raw body)."""

    @csrf_exempt
    @require_POST
    @wraps(view)
    def checked(request: HttpRequest) -> HttpResponse:
        if not settings.SLACK_SIGNING_SECRETS:
            return refuse(404, "Slack is not enabled on this prr server.")
        try:
            verify(request.headers, request.body, settings.SLACK_SIGNING_SECRETS)
        except BadSignature as exc:
            return refuse(401, exc.message)
        try:
            # Signed by Slack, then checked as the middleware checks every other request.
            request_guard.check_request(
                request, body=not request_guard.is_json(request.content_type or "")
            )
        except request_guard.UnsafeInput as exc:
            return refuse(400, exc.message)
        return view(request)

    return checked


@from_slack
def events(request: HttpRequest) -> HttpResponse:
    try:
        payload = request_guard.parse_json(request.body)
    except request_guard.UnsafeInput as exc:
        return refuse(400, exc.message)
    except (ValueError, UnicodeDecodeError):
        return refuse(400, "The body is not JSON: Slack's Events API sends JSON.")
    if not isinstance(payload, dict):
        return refuse(400, "The body is not a JSON object: Slack's Events API sends one.")
    if payload.get("type") == "url_verification":
        challenge = payload.get("challenge")
        if not isinstance(challenge, str):
            return refuse(400, "url_verification without a challenge.")
        return JsonResponse({"challenge": challenge})
    event = payload.get("event")
    if payload.get("type") == "event_callback" and isinstance(event, dict):
        event_id = payload.get("event_id")
        receive_event(
            event,
            event_id=event_id if isinstance(event_id, str) else "",
            redelivered="X-Slack-Retry-Num" in request.headers,
        )
    # Every other event is acknowledged too: Slack retries anything that is not a 2xx.
    return JsonResponse({"ok": True})


def command_caller(user_id: str) -> SlackPerson:
    """Who runs a command, from users.info as for a message: the form's `user_name` is
    deprecated and may be stale. The handle counts only with the username fallback on."""
    person = author(user_id) or SlackPerson("")
    if not settings.CHAT_USERNAME_FALLBACK:
        return SlackPerson("", person.verified_email)
    return person


@from_slack
def commands(request: HttpRequest) -> HttpResponse:
    form = request.POST
    if form.get("ssl_check") == "1":
        return HttpResponse(status=200)
    if not form.get("channel_id") or not form.get("user_id"):
        return refuse(400, "A slash command names its channel_id and user_id.")
    if not first_time(request.headers[TIMESTAMP_HEADER], request.headers[SIGNATURE_HEADER]):
        # Ephemeral: only the caller sees it, and the channel hears nothing a second time.
        logger.warning(
            "Slack command from %s in %s sent again with the same signature: not run again.",
            form["user_id"],
            form["channel_id"],
        )
        return JsonResponse({"response_type": "ephemeral", "text": REPLAYED})
    person = command_caller(form["user_id"])
    reply = run_command(
        CommandCall(
            SLACK,
            text=form.get("text", ""),
            channel_id=form["channel_id"],
            user_id=form["user_id"],
            username=person.handle,
            verified_email=lambda: person.verified_email,
            channel_name=form.get("channel_name", ""),
            team_id=form.get("team_id", ""),
        )
    )
    return JsonResponse(
        {
            "response_type": "in_channel" if reply.in_channel else "ephemeral",
            "text": to_mrkdwn(reply.text),
        }
    )

"""A Slack `message` event: posted to the channel's review, with prr's replies in its thread.

Only what a person wrote counts: a plain message, one with a file attached (subtype
`file_share`) and a thread reply also sent to the channel (`thread_broadcast`). Bot posts (prr's
own replies among them), edits, deletions, joins and every other message subtype are ignored.
Slack names the author by user id only, so the handle prr matches against its usernames comes
from `users.info`, unless an admin linked that Slack account to a prr user.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone

from prr.integrations.chat.intake import ChatMessage, receive_message
from prr.integrations.chat.models import ChatIdentity, ChatPost, Platform
from prr.integrations.chat.outgoing import queue_post
from prr.integrations.chat.services import linked_review
from prr.integrations.slack.client import SlackPerson, lookup_person
from prr.integrations.slack.mrkdwn import to_markdown

SLACK = Platform.SLACK.value
REPLY = "chat.reply"
# Slack retries an event three times within minutes; older posts need not be searched.
RETRY_WINDOW = timedelta(hours=1)


# Subtypes Slack gives to messages people write; the rest are edits, joins, bots' posts, …
WRITTEN_SUBTYPES = frozenset({"", "file_share", "thread_broadcast"})


def written_by_a_person(event: dict[str, Any]) -> bool:
    return (
        event.get("type") == "message"
        and isinstance(event.get("subtype") or "", str)
        and (event.get("subtype") or "") in WRITTEN_SUBTYPES
        and not event.get("bot_id")
        and all(isinstance(event.get(key), str) and event[key] for key in ("channel", "user", "ts"))
        and isinstance(event.get("text"), str)
        and bool(event["text"].strip())
    )


def receive_event(event: dict[str, Any], *, event_id: str, redelivered: bool) -> ChatPost | None:
    """Post a message event to its review; returns the reply queued for the channel, if any."""
    if not written_by_a_person(event):
        return None
    channel, user_id, ts = event["channel"], event["user"], event["ts"]
    event_id = event_id or f"{channel}:{ts}"
    review = linked_review(SLACK, channel)
    person = author(user_id) if review is not None else SlackPerson("")
    if person is None:
        replies = [could_not_look_up(user_id)]
    else:
        received = receive_message(
            ChatMessage(
                SLACK,
                channel,
                user_id,
                person.handle,
                to_markdown(event["text"]),
                event_id,
                verified_email=lambda: person.verified_email,
            )
        )
        if received.duplicate:
            return None  # replied to when it first came
        replies = received.replies
    if not replies or not settings.SLACK_BOT_TOKEN:
        return None
    if redelivered and already_replied(channel, event_id):
        return None
    # In the message's thread. A reply's own ts must not be used as thread_ts: Slack wants the
    # parent's, which a reply (a thread_broadcast too) carries as its `thread_ts`.
    # `event_id` is only read back by `already_replied`.
    thread_ts = event.get("thread_ts") or ts
    return queue_post(
        SLACK,
        channel,
        {"text": "\n\n".join(replies), "thread_ts": thread_ts, "event_id": event_id},
        review_id=review.pk if review else None,
        event_type=REPLY,
    )


def author(user_id: str) -> SlackPerson | None:
    """The account as prr matches it (handle, verified address); empty when an admin linked the
    account (the link decides), None when Slack cannot say."""
    if ChatIdentity.objects.filter(platform=SLACK, external_id=user_id).exists():
        return SlackPerson("")
    return lookup_person(user_id)


def could_not_look_up(user_id: str) -> str:
    return (
        f"prr could not look up the Slack user {user_id}, so it did not record this message. "
        "Try again in a minute; if it keeps happening, ask a prr admin to link your account: "
        f"`prr user link USERNAME --slack {user_id}`."
    )


def already_replied(channel: str, event_id: str) -> bool:
    """A refused message is not stored, so a redelivery is recognised by the reply it got."""
    return ChatPost.objects.filter(
        platform=SLACK,
        target=channel,
        created_at__gte=timezone.now() - RETRY_WINDOW,
        payload__event_id=event_id,
    ).exists()

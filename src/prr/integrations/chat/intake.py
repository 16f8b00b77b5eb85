"""A message written in a linked chat channel, posted to its review as its author."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from prr.errors import PrrError
from prr.integrations.chat.own_posts import is_own_post
from prr.integrations.chat.services import linked_review, platform_name, resolve_author
from prr.reviews.channel import post_message


@dataclass(frozen=True)
class ChatMessage:
    """A post as the chat platform described it."""

    platform: str
    channel_id: str
    user_id: str
    username: str
    text: str
    external_id: str
    # Asks the chat for the account's address, if it verified one ("" if not); only when needed.
    verified_email: Callable[[], str] | None = None


@dataclass
class Received:
    """What became of a chat message: the replies to show in the channel."""

    replies: list[str] = field(default_factory=list)
    review_ref: str = ""
    review_id: int | None = None
    stored: bool = False
    duplicate: bool = False
    own_post: bool = False  # prr's own post, echoed back by the chat: ignored
    unlinked: bool = False  # the channel is linked to no review: nothing was recorded


def not_linked_reply(platform: str) -> str:
    return (
        f"This {platform_name(platform)} channel is not linked to a review, so prr did not "
        "record this message. Link it with `/prr link PRR-12`, or start a review here with "
        "`/prr start PLAYBOOK KIND TITLE`."
    )


def receive_message(message: ChatMessage) -> Received:
    """Post the message to the channel's review; unlinked channels and unknown people change
    nothing and get a reply saying what to do. prr's own posts, echoed back, are ignored."""
    if is_own_post(message.platform, message.channel_id, message.text):
        return Received(own_post=True)
    review = linked_review(message.platform, message.channel_id)
    if review is None:
        return Received([not_linked_reply(message.platform)], unlinked=True)
    try:
        author = resolve_author(
            message.platform,
            message.user_id,
            message.username,
            verified_email=message.verified_email,
        )
        result = post_message(
            review,
            author=author,
            body=message.text,
            source=message.platform,
            external_id=message.external_id,
        )
    except PrrError as exc:
        return Received([exc.message], review_ref=review.ref, review_id=review.pk)
    replies = [reply.body for reply in result.replies]
    if result.duplicate:
        # Redelivered: the replies it got the first time, as stored.
        replies = list(result.message.replies.order_by("pk").values_list("body", flat=True))
    return Received(
        replies,
        review_ref=review.ref,
        review_id=review.pk,
        stored=True,
        duplicate=result.duplicate,
    )

"""/api/v1/reviews/{ref}/channels: the chat channels linked to a review."""

from __future__ import annotations

from typing import Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from prr.api.reviews import Ref, caller, responses
from prr.integrations.chat.models import ChannelLink
from prr.integrations.chat.services import link_channel, unlink_channel
from prr.representation import Timestamp
from prr.reviews.queries import get_review

router = Router(tags=["chat"])

PlatformName = Literal["mattermost", "slack"]


class ChannelOut(Schema):
    platform: PlatformName
    channel_id: str = Field(examples=["4xp9fdt3pbgqzr7tq1o6wnqxba"])
    channel_name: str = Field(examples=["prr-12-payments-api"])
    notifications: Literal["own webhook", "default"] = Field(
        description="Mattermost: where notifications go (the channel's incoming webhook, or "
        "the server's default); Slack: always the default (the bot posts to the channel)."
    )
    linked_by: str | None
    linked_at: Timestamp

    @classmethod
    def of(cls, link: ChannelLink) -> ChannelOut:
        return cls(
            platform=link.platform,  # type: ignore[arg-type]
            channel_id=link.channel_id,
            channel_name=link.channel_name,
            notifications="own webhook" if link.notify_url else "default",
            linked_by=link.created_by.username if link.created_by else None,
            linked_at=link.created_at,
        )


class ChannelIn(Schema):
    platform: PlatformName
    channel_id: str = Field(min_length=1, max_length=100, examples=["4xp9fdt3pbgqzr7tq1o6wnqxba"])
    channel_name: str = Field("", max_length=200, description="Shown in messages and pages.")
    notify_url: str = Field(
        "",
        max_length=2000,
        description="Mattermost only: this channel's incoming webhook URL for notifications.",
    )


@router.get(
    "/reviews/{ref}/channels",
    response=responses(200, list[ChannelOut]),
    summary="Linked chat channels",
)
def list_channels(request: HttpRequest, ref: Ref) -> list[ChannelOut]:
    review = get_review(ref)
    return [ChannelOut.of(link) for link in review.channel_links.select_related("created_by")]


@router.post(
    "/reviews/{ref}/channels",
    response=responses(201, ChannelOut),
    summary="Link a chat channel",
)
def link(request: HttpRequest, ref: Ref, body: ChannelIn) -> Status[ChannelOut]:
    """Link a Mattermost or Slack channel (DRI or admin): its messages go to the review and the
    review's news is posted there. A review has at most one channel per chat."""
    created = link_channel(
        get_review(ref),
        platform=body.platform,
        channel_id=body.channel_id,
        channel_name=body.channel_name,
        notify_url=body.notify_url,
        by=caller(request),
    )
    return Status(201, ChannelOut.of(created))


@router.delete(
    "/reviews/{ref}/channels/{platform}",
    response=responses(200, ChannelOut),
    summary="Unlink a chat channel",
)
def unlink(request: HttpRequest, ref: Ref, platform: PlatformName) -> ChannelOut:
    """Stop sending the channel's messages to the review (DRI or admin); returns the link
    that was removed."""
    return ChannelOut.of(unlink_channel(get_review(ref), platform=platform, by=caller(request)))

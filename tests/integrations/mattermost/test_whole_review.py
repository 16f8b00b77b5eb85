"""A whole review run from Mattermost alone: started by slash command, approved by phrases from
a member of each team, its status asked, closed, and its snapshot link posted in the channel.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.urls import resolve

from prr.accounts.models import User
from prr.integrations.chat.models import ChannelLink, ChatPost
from prr.integrations.chat.services import link_user
from prr.playbooks.models import PlaybookVersion
from prr.reviews.models import Message, Review
from tests.integrations.conftest import ChatServer
from tests.integrations.mattermost.conftest import (
    BASE_URL,
    CHANNEL_ID,
    CHANNEL_NAME,
    HOOK_PATH,
    IDS,
    Mattermost,
)

pytestmark = pytest.mark.django_db(transaction=True)

TITLE = "Checkout vault: launch in every region"
REVIEW = f"[PRR-1 {TITLE}]({BASE_URL}/reviews/1/)"
SNAPSHOT = f"{BASE_URL}/reviews/1/snapshots/1/"


def test_a_whole_review_from_chat_alone(
    mattermost: Mattermost,
    chat_server: ChatServer,
    hook: str,
    send_chat_posts: Callable[..., list[ChatPost]],
    small_playbook: PlaybookVersion,
    dri: User,
    sre_member: User,
    security_member: User,
    outsider: User,
    settings: Any,
) -> None:
    settings.MATTERMOST_WEBHOOK_URL = hook  # news to the linked channel, through the default
    # Sid's Mattermost username is not his prr one: an admin linked his account.
    link_user(security_member, platform="mattermost", external_id=IDS["sid"], by=None)

    started = mattermost.command(f"start small service {TITLE}", "dana")
    assert started.json == {
        "response_type": "in_channel",
        "skip_slack_parsing": True,
        "text": f"@dana started {REVIEW} (service, playbook `small`). Approvals by: Security, "
        "SRE. This channel is linked to it: write here to discuss and approve.",
    }
    echoed = mattermost.echo(started, "dana")  # prr's own post, not a message of Dana's
    assert (echoed.status, echoed.body) == (200, b"")
    review = Review.objects.get()
    assert ChannelLink.objects.get(review=review).channel_id == CHANNEL_ID

    talk = mattermost.post("Runbook is at wiki/checkout-vault, please have a look", "dana")
    assert (talk.status, talk.body) == (200, b"")

    not_yet = mattermost.post("SRE review is completed", "oscar")
    assert not_yet.text == (
        "@oscar is not a member of team SRE, so this does not change 'SRE review'. "
        "Who can: SRE: @sam."
    )

    sre = mattermost.post("SRE review is completed: alerts and runbook look good", "sam")
    assert sre.text.startswith("'SRE review' is now done: approved by @sam (member of team SRE)")

    security = mattermost.post(
        "Security review is completed", "sid.kapoor", user_id=IDS["sid"], as_json=True
    )
    assert security.text.startswith(
        "'Security review' is now done: approved by @sid (member of team Security)"
    )

    # The DRI's own items, ticked from the channel too.
    for key in ("dashboards", "load-test"):
        ticked = mattermost.command(f"set {key} done", "dana")
        assert mattermost.echo(ticked, "dana").body == b""
    assert ticked.json["text"] == "@dana marked 'Load test done' done on PRR-1."

    status = mattermost.command("status", "dana")
    assert status.json == {
        "response_type": "ephemeral",
        "skip_slack_parsing": True,
        "text": f"**{REVIEW}** — open, DRI @dana. 4 of 4 required items complete.\n"
        "Every required item is complete: the DRI can `/prr close` it.",
    }

    closed = mattermost.command("close", "dana")
    snapshot = review.snapshots.get()
    assert closed.json == {
        "response_type": "in_channel",
        "skip_slack_parsing": True,
        "text": f"@dana closed PRR-1. The review document is frozen as [snapshot v1]({SNAPSHOT}) "
        f"(sha256 `{snapshot.sha256[:12]}…`).",
    }
    assert mattermost.echo(closed, "dana").body == b""
    review.refresh_from_db()
    assert review.status == "closed"
    assert resolve("/reviews/1/snapshots/1/")  # the link leads to a page of prr's

    # The channel's record on the review: every person's message, as they wrote it, and none
    # of prr's own posts that Mattermost sent back.
    assert list(
        Message.objects.filter(review=review, source="mattermost")
        .order_by("pk")
        .values_list("author__username", "body")
    ) == [
        ("dana", "Runbook is at wiki/checkout-vault, please have a look"),
        ("oscar", "SRE review is completed"),
        ("sam", "SRE review is completed: alerts and runbook look good"),
        ("sid", "Security review is completed"),
    ]

    # What the worker posted in the channel through the incoming webhook, in order.
    posts = send_chat_posts()
    assert {post.status for post in posts} == {"delivered"}
    sent = [request.json for request in chat_server.to(HOOK_PATH)]
    assert sent == [
        {"channel": CHANNEL_NAME, "username": "prr", "text": text}
        for text in [
            f":rocket: @dana started {REVIEW} (service). DRI @dana; approvals by: Security, SRE.",
            f":white_check_mark: SRE review approved by @sam on {REVIEW}.",
            f":white_check_mark: Security review approved by @sid on {REVIEW}.",
            f":large_green_circle: {REVIEW} is ready to close: every required item is "
            "complete. The DRI @dana can close it (`/prr close`).",
            f":lock: @dana closed {REVIEW}. The review document is frozen: "
            f"[snapshot v1]({SNAPSHOT}).",
        ]
    ]

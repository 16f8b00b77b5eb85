"""Review news reaches Mattermost through an incoming webhook, sent by the worker with retries.

The chat server plays Mattermost: each test asserts the exact requests prr made to
`/hooks/abc` (method, content type, JSON body).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from prr.accounts.models import User
from prr.integrations.chat.models import ChannelLink, ChatPost
from prr.integrations.chat.services import link_channel
from prr.playbooks.models import PlaybookVersion
from prr.reviews.items import set_item_state
from prr.reviews.lifecycle import close_review
from prr.reviews.models import Review
from prr.reviews.starting import start_review
from tests.integrations.conftest import ChatRequest, ChatServer
from tests.integrations.mattermost.conftest import (
    BASE_URL,
    CHANNEL_ID,
    CHANNEL_NAME,
    HOOK_PATH,
    Mattermost,
)

pytestmark = pytest.mark.django_db(transaction=True)

SendPosts = Callable[..., list[ChatPost]]
TITLE = "Payments API: move card tokenisation to the vault"
REVIEW = f"[PRR-1 {TITLE}]({BASE_URL}/reviews/1/)"


@pytest.fixture
def default_hook(settings: Any, hook: str) -> str:
    """PRR_MATTERMOST_WEBHOOK_URL: the webhook that hears every review."""
    settings.MATTERMOST_WEBHOOK_URL = hook
    settings.BASE_URL = BASE_URL
    return hook


def assert_sent_as_mattermost_expects(request: ChatRequest) -> None:
    assert (request.method, request.path) == ("POST", HOOK_PATH)
    assert request.headers["Content-Type"] == "application/json"


def texts(chat_server: ChatServer) -> list[Any]:
    for request in chat_server.to(HOOK_PATH):
        assert_sent_as_mattermost_expects(request)
    return [request.json for request in chat_server.to(HOOK_PATH)]


def test_a_started_review_is_announced_on_the_default_webhook(
    default_hook: str,
    chat_server: ChatServer,
    send_chat_posts: SendPosts,
    small_playbook: PlaybookVersion,
    dri: User,
) -> None:
    start_review(version=small_playbook, title=TITLE, dri=dri, kind="service")

    posts = send_chat_posts()

    assert [(p.status, p.event_type, p.attempts) for p in posts] == [
        ("delivered", "review.started", 1)
    ]
    assert texts(chat_server) == [
        {
            "text": f":rocket: @dana started {REVIEW} (service). DRI @dana; approvals by: "
            "Security, SRE.",
            "username": "prr",
        }
    ]


def test_a_linked_channel_hears_its_review_on_the_default_webhook(
    default_hook: str,
    chat_server: ChatServer,
    send_chat_posts: SendPosts,
    review: Review,
    dri: User,
    sre_member: User,
    security_member: User,
) -> None:
    link_channel(
        review, platform="mattermost", channel_id=CHANNEL_ID, channel_name=CHANNEL_NAME, by=None
    )
    for key, who in [
        ("dashboards", dri),
        ("load-test", dri),
        ("sre-review", sre_member),
        ("security-review", security_member),
    ]:
        set_item_state(review, key, "done", by=who)
    close_review(review, by=dri)

    send_chat_posts()

    # The start (before the link, so to the webhook's own channel), then the teams' approvals,
    # ready and closed; the DRI's own items are not news for chat.
    sent = texts(chat_server)
    assert [s.get("channel") for s in sent] == [None] + [CHANNEL_NAME] * 4
    assert sent[1:] == [
        {
            "text": f":white_check_mark: SRE review approved by @sam on {REVIEW}.",
            "channel": CHANNEL_NAME,
            "username": "prr",
        },
        {
            "text": f":white_check_mark: Security review approved by @sid on {REVIEW}.",
            "channel": CHANNEL_NAME,
            "username": "prr",
        },
        {
            "text": f":large_green_circle: {REVIEW} is ready to close: every required item is "
            "complete. The DRI @dana can close it (`/prr close`).",
            "channel": CHANNEL_NAME,
            "username": "prr",
        },
        {
            "text": f":lock: @dana closed {REVIEW}. The review document is frozen: "
            f"[snapshot v1]({BASE_URL}/reviews/1/snapshots/1/).",
            "channel": CHANNEL_NAME,
            "username": "prr",
        },
    ]


def test_an_approval_in_chat_reaches_the_channels_own_webhook(
    mattermost: Mattermost,
    hook: str,
    chat_server: ChatServer,
    send_chat_posts: SendPosts,
    review: Review,
    sre_member: User,
) -> None:
    link_channel(
        review,
        platform="mattermost",
        channel_id=CHANNEL_ID,
        channel_name=CHANNEL_NAME,
        notify_url=hook,
        by=None,
    )

    mattermost.post("SRE review is completed", "sam")
    posts = send_chat_posts()

    assert [(p.target, p.event_type, p.status) for p in posts] == [
        (hook, "review.item_changed", "delivered")
    ]
    # The channel's own webhook posts where it was made for: no channel override.
    assert texts(chat_server) == [
        {
            "text": f":white_check_mark: SRE review approved by @sam on {REVIEW}.",
            "username": "prr",
        }
    ]


def test_a_failed_post_is_sent_again(
    default_hook: str,
    chat_server: ChatServer,
    send_chat_posts: SendPosts,
    small_playbook: PlaybookVersion,
    dri: User,
) -> None:
    chat_server.fail_next = 1
    start_review(version=small_playbook, title=TITLE, dri=dri, kind="service")

    posts = send_chat_posts()

    assert [(p.status, p.attempts, p.last_error) for p in posts] == [("delivered", 2, "")]
    first, second = chat_server.to(HOOK_PATH)
    assert first.body == second.body  # the same post, again
    assert second.json["text"].startswith(":rocket: @dana started [PRR-1 ")


def test_a_webhook_that_keeps_failing_is_given_up_after_the_last_attempt(
    default_hook: str,
    chat_server: ChatServer,
    send_chat_posts: SendPosts,
    small_playbook: PlaybookVersion,
    dri: User,
) -> None:
    # A 503 may pass; a 404 (a deleted channel) is permanent and not retried (test_outgoing.py).
    chat_server.on("POST", HOOK_PATH, (503, {"message": "Mattermost is unavailable."}))
    start_review(version=small_playbook, title=TITLE, dri=dri, kind="service")

    posts = send_chat_posts()

    assert [(p.status, p.attempts, p.last_error) for p in posts] == [
        ("failed", 3, "HTTP 503 Service Unavailable")
    ]
    assert len(chat_server.to(HOOK_PATH)) == 3


def test_without_a_webhook_nothing_is_queued(
    settings: Any,
    chat_server: ChatServer,
    small_playbook: PlaybookVersion,
    dri: User,
) -> None:
    settings.MATTERMOST_WEBHOOK_URL = ""
    settings.SLACK_BOT_TOKEN = ""
    review = start_review(version=small_playbook, title=TITLE, dri=dri, kind="service")
    set_item_state(review, "dashboards", "done", by=dri)

    assert not ChatPost.objects.exists()
    assert chat_server.requests == []


def test_a_forced_close_says_why(
    default_hook: str,
    chat_server: ChatServer,
    send_chat_posts: SendPosts,
    review: Review,
    admin: User,
) -> None:
    link: ChannelLink = link_channel(
        review, platform="mattermost", channel_id=CHANNEL_ID, channel_name=CHANNEL_NAME, by=None
    )
    close_review(review, by=admin, force=True, reason="Launched early, agreed with SRE")

    send_chat_posts()

    assert texts(chat_server)[-1] == {
        "text": f":lock: @ada closed {REVIEW} (forced: Launched early, agreed with SRE). The "
        f"review document is frozen: [snapshot v1]({BASE_URL}/reviews/1/snapshots/1/).",
        "channel": link.channel_name,
        "username": "prr",
    }

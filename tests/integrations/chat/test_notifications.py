"""Review news becomes chat posts for the channels that should hear it, sent by the worker."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from prr.accounts.models import User
from prr.integrations.chat import outgoing
from prr.integrations.chat.models import ChatPost
from prr.integrations.chat.services import link_channel
from prr.integrations.webhooks.transport import Response
from prr.reviews.items import set_item_state
from prr.reviews.lifecycle import close_review, reopen_review
from prr.reviews.models import Review

# Events reach listeners when their change commits, and the worker needs real commits.
pytestmark = pytest.mark.django_db(transaction=True)

Sent = list[tuple[str, str, dict[str, Any]]]


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> Sent:
    """Senders that record what they were given and answer 200."""
    record: Sent = []
    for platform in ("mattermost", "slack"):

        def send(target: str, payload: dict[str, Any], platform: str = platform) -> Response:
            record.append((platform, target, payload))
            return Response(200, 1)

        monkeypatch.setitem(outgoing._senders, platform, send)
    return record


@pytest.fixture
def chat_settings(settings: Any) -> Any:
    settings.MATTERMOST_WEBHOOK_URL = "https://chat.example.com/hooks/default"
    settings.SLACK_BOT_TOKEN = "xoxb-test"
    settings.SLACK_NOTIFY_CHANNEL = ""
    return settings


def posts(review: Review) -> list[ChatPost]:
    return list(ChatPost.objects.filter(review=review).order_by("pk"))


def approve_all(review: Review, dri: User, sre: User, security: User) -> None:
    for key in ("dashboards", "load-test"):
        set_item_state(review, key, "done", by=dri)
    set_item_state(review, "sre-review", "done", by=sre)
    set_item_state(review, "security-review", "done", by=security)


def test_nothing_is_queued_without_chat_settings(
    review: Review, dri: User, sre_member: User, settings: Any
) -> None:
    settings.MATTERMOST_WEBHOOK_URL = ""
    settings.SLACK_BOT_TOKEN = ""
    link_channel(review, platform="slack", channel_id="C1", by=dri)
    set_item_state(review, "sre-review", "done", by=sre_member)
    assert not ChatPost.objects.exists()


def test_linked_channels_hear_approvals_ready_and_close(
    review: Review,
    dri: User,
    sre_member: User,
    security_member: User,
    chat_settings: Any,
    sent: Sent,
    send_chat_posts: Callable[..., list[ChatPost]],
) -> None:
    link_channel(review, platform="mattermost", channel_id="m1", channel_name="prr-1", by=dri)
    link_channel(review, platform="slack", channel_id="C1", by=dri)
    approve_all(review, dri, sre_member, security_member)
    close_review(review, by=dri)
    delivered = send_chat_posts()
    assert {p.status for p in delivered} == {ChatPost.Status.DELIVERED}
    texts = [payload["text"] for platform, _, payload in sent if platform == "slack"]
    link = "[PRR-1 Payments API: move card tokenisation to the vault](http://localhost:8000/reviews/1/)"
    assert texts == [
        f":white_check_mark: SRE review approved by @sam on {link}.",
        f":white_check_mark: Security review approved by @sid on {link}.",
        f":large_green_circle: {link} is ready to close: every required item is complete. "
        "The DRI @dana can close it (`/prr close`).",
        f":lock: @dana closed {link}. The review document is frozen: "
        "[snapshot v1](http://localhost:8000/reviews/1/snapshots/1/).",
    ]
    mattermost = [(t, p) for platform, t, p in sent if platform == "mattermost"]
    assert len(mattermost) == 4
    # The default webhook is asked to post into the linked channel.
    assert {(t, p["channel"]) for t, p in mattermost} == {
        ("https://chat.example.com/hooks/default", "prr-1")
    }
    slack_targets = {t for platform, t, _ in sent if platform == "slack"}
    assert slack_targets == {"C1"}


def test_the_dri_own_items_are_not_announced(
    review: Review, dri: User, chat_settings: Any, sent: Sent
) -> None:
    link_channel(review, platform="slack", channel_id="C1", by=dri)
    set_item_state(review, "dashboards", "done", by=dri)
    assert not ChatPost.objects.exists()


def test_a_channel_with_its_own_webhook_uses_it(
    review: Review, dri: User, sre_member: User, settings: Any
) -> None:
    settings.MATTERMOST_WEBHOOK_URL = ""
    settings.SLACK_BOT_TOKEN = ""
    link_channel(
        review,
        platform="mattermost",
        channel_id="m1",
        notify_url="https://chat.example.com/hooks/own",
        by=dri,
    )
    set_item_state(review, "sre-review", "done", by=sre_member)
    post = ChatPost.objects.get()
    assert (post.platform, post.target, post.event_type) == (
        "mattermost",
        "https://chat.example.com/hooks/own",
        "review.item_changed",
    )
    assert "channel" not in post.payload


def test_unlinked_reviews_go_to_the_default_feeds(
    review: Review, sre_member: User, admin: User, chat_settings: Any
) -> None:
    chat_settings.SLACK_NOTIFY_CHANNEL = "C-feed"
    set_item_state(review, "sre-review", "done", by=sre_member)
    assert sorted((p.platform, p.target) for p in posts(review)) == [
        ("mattermost", "https://chat.example.com/hooks/default"),
        ("slack", "C-feed"),
    ]
    assert all("channel" not in p.payload for p in posts(review))


def test_reopen_is_announced_with_its_reason(
    review: Review, dri: User, admin: User, chat_settings: Any
) -> None:
    link_channel(review, platform="slack", channel_id="C1", by=dri)
    close_review(review, by=admin, force=True, reason="Launch window; approvals follow")
    reopen_review(review, by=admin, reason="Security found a gap")
    slack = [p for p in posts(review) if p.platform == "slack"]
    assert slack[-1].payload["text"].startswith(":unlock: @ada reopened [PRR-1")
    assert slack[-1].payload["text"].endswith(": Security found a gap")


def test_a_failing_chat_is_retried_then_given_up(
    review: Review,
    dri: User,
    sre_member: User,
    chat_settings: Any,
    monkeypatch: pytest.MonkeyPatch,
    send_chat_posts: Callable[..., list[ChatPost]],
) -> None:
    chat_settings.MATTERMOST_WEBHOOK_URL = ""
    answers = [Response(None, 5, error="Connection refused."), Response(200, 3)]
    calls: list[str] = []

    def flaky(target: str, payload: dict[str, Any]) -> Response:
        calls.append(target)
        return answers.pop(0) if answers else Response(503, 1, error="HTTP 503")

    monkeypatch.setitem(outgoing._senders, "slack", flaky)
    link_channel(review, platform="slack", channel_id="C1", by=dri)
    set_item_state(review, "sre-review", "done", by=sre_member)
    [post] = send_chat_posts()
    assert (post.status, post.attempts, calls) == ("delivered", 2, ["C1", "C1"])

    set_item_state(review, "sre-review", "open", by=sre_member)
    later = send_chat_posts()[-1]
    assert (later.status, later.attempts, later.last_error) == ("failed", 3, "HTTP 503")
    outgoing.retry_post(later)
    answers.append(Response(200, 1))
    assert send_chat_posts()[-1].status == "delivered"


def test_a_sender_that_raises_fails_the_attempt_not_the_worker(
    review: Review,
    dri: User,
    sre_member: User,
    chat_settings: Any,
    monkeypatch: pytest.MonkeyPatch,
    send_chat_posts: Callable[..., list[ChatPost]],
) -> None:
    chat_settings.MATTERMOST_WEBHOOK_URL = ""

    def broken(target: str, payload: dict[str, Any]) -> Response:
        raise RuntimeError("bug in a sender")

    monkeypatch.setitem(outgoing._senders, "slack", broken)
    link_channel(review, platform="slack", channel_id="C1", by=dri)
    set_item_state(review, "sre-review", "done", by=sre_member)
    [post] = send_chat_posts()
    assert post.status == "failed"
    assert post.last_error == "RuntimeError: bug in a sender"

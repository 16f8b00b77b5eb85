"""Review news posted to Slack with chat.postMessage by the worker, and what happens when Slack
refuses or is unreachable."""

from __future__ import annotations

import pytest

from prr.integrations.chat.models import ChatPost
from prr.integrations.chat.services import link_channel
from prr.integrations.slack.client import post_message
from prr.reviews.services import close_review, set_item_state, start_review

from .conftest import BASE_URL, BOT_TOKEN, CHANNEL, TEAM_ID, posted

pytestmark = pytest.mark.django_db(transaction=True)

TITLE = "Payments API: move card tokenisation to the vault"
NEWS = "C0PRRNEWS"


def test_a_review_without_a_channel_is_announced_in_the_notify_channel(
    slack_api, settings, small_playbook, dri, send_chat_posts
):
    settings.SLACK_NOTIFY_CHANNEL = NEWS
    review = start_review(version=small_playbook, title=TITLE, dri=dri, kind="service")
    [post] = send_chat_posts()
    assert (post.status, post.target, post.event_type) == ("delivered", NEWS, "review.started")
    [request] = slack_api.to("/api/chat.postMessage")
    assert request.headers["Authorization"] == f"Bearer {BOT_TOKEN}"
    assert request.json == {
        "channel": NEWS,
        "text": f":rocket: @dana started <{BASE_URL}/reviews/{review.number}/|{review.ref} "
        f"{TITLE}> (service). DRI @dana; approvals by: Security, SRE.",
        "mrkdwn": True,
        "unfurl_links": False,
    }


def test_a_linked_channel_hears_approvals_ready_and_close_with_the_snapshot_link(
    slack_api, small_playbook, dri, sre_member, security_member, send_chat_posts
):
    review = start_review(version=small_playbook, title=TITLE, dri=dri, kind="service")
    link_channel(review, platform="slack", channel_id=CHANNEL, team_id=TEAM_ID, by=dri)
    set_item_state(review, "dashboards", "done", by=dri)  # the DRI's own items are not news
    set_item_state(review, "load-test", "done", by=dri)
    set_item_state(review, "sre-review", "done", by=sre_member)
    set_item_state(review, "security-review", "done", by=security_member)
    close_review(review, by=dri)
    posts = send_chat_posts()
    assert {post.status for post in posts} == {"delivered"}
    link = f"<{BASE_URL}/reviews/{review.number}/|{review.ref} {TITLE}>"
    assert [(body["channel"], body["text"]) for body in posted(slack_api)] == [
        (CHANNEL, f":white_check_mark: SRE review approved by @sam on {link}."),
        (CHANNEL, f":white_check_mark: Security review approved by @sid on {link}."),
        (
            CHANNEL,
            f":large_green_circle: {link} is ready to close: every required item is complete. "
            "The DRI @dana can close it (`/prr close`).",
        ),
        (
            CHANNEL,
            f":lock: @dana closed {link}. The review document is frozen: "
            f"<{BASE_URL}/reviews/{review.number}/snapshots/1/|snapshot v1>.",
        ),
    ]


def test_without_a_bot_token_nothing_is_queued_for_slack(
    slack_api, settings, small_playbook, dri, sre_member
):
    settings.SLACK_BOT_TOKEN = ""
    settings.SLACK_NOTIFY_CHANNEL = NEWS
    review = start_review(version=small_playbook, title=TITLE, dri=dri, kind="service")
    link_channel(review, platform="slack", channel_id=CHANNEL, by=dri)
    set_item_state(review, "sre-review", "done", by=sre_member)
    assert not ChatPost.objects.filter(platform="slack").exists()


def test_a_refusal_from_slack_is_retried_then_failed_with_slacks_reason(
    slack_api, settings, small_playbook, dri, send_chat_posts
):
    settings.SLACK_NOTIFY_CHANNEL = "C0GONE"
    slack_api.on(
        "POST", "/api/chat.postMessage", (200, {"ok": False, "error": "channel_not_found"})
    )
    start_review(version=small_playbook, title=TITLE, dri=dri, kind="service")
    [post] = send_chat_posts()
    assert (post.status, post.attempts) == ("failed", 3)  # WEBHOOK_MAX_ATTEMPTS in the tests
    assert post.last_error == (
        "slack: channel_not_found (the channel id is wrong, or the bot cannot see this private "
        "channel)"
    )
    assert len(slack_api.to("/api/chat.postMessage")) == 3


def test_a_rate_limited_post_is_sent_again_later(
    slack_api, settings, small_playbook, dri, send_chat_posts
):
    settings.SLACK_NOTIFY_CHANNEL = NEWS
    answers = iter([(429, {"ok": False, "error": "ratelimited"})])

    def rate_limited_once(request):
        return next(answers, (200, {"ok": True, "channel": NEWS, "ts": "1700000000.000100"}))

    slack_api.on("POST", "/api/chat.postMessage", rate_limited_once)
    start_review(version=small_playbook, title=TITLE, dri=dri, kind="service")
    [post] = send_chat_posts()
    assert (post.status, post.attempts, post.last_error) == ("delivered", 2, "")
    first, second = slack_api.to("/api/chat.postMessage")
    assert first.json == second.json


def test_a_slack_outage_is_retried(slack_api, settings, small_playbook, dri, send_chat_posts):
    settings.SLACK_NOTIFY_CHANNEL = NEWS
    slack_api.fail_next = 2
    start_review(version=small_playbook, title=TITLE, dri=dri, kind="service")
    [post] = send_chat_posts()
    assert (post.status, post.attempts) == ("delivered", 3)


# -- the sender on its own -------------------------------------------------------------------------


def test_the_sender_answers_ok_with_the_posted_message_ts(slack_api):
    response = post_message(CHANNEL, {"text": "**Hello** [prr](https://prr.example.com/)"})
    assert response.ok
    assert response.status_code == 200
    assert response.excerpt.startswith("ts=")
    [request] = slack_api.to("/api/chat.postMessage")
    assert request.json["text"] == "*Hello* <https://prr.example.com/|prr>"


def test_the_sender_describes_an_unreachable_slack(slack_api, settings):
    settings.SLACK_API_URL = "http://127.0.0.1:9/api/"  # nothing listens on port 9
    response = post_message(CHANNEL, {"text": "Hello"})
    assert not response.ok
    assert response.status_code is None
    assert response.error == "slack: connection refused."


def test_the_sender_names_the_missing_scope(slack_api):
    slack_api.on(
        "POST",
        "/api/chat.postMessage",
        (200, {"ok": False, "error": "missing_scope", "needed": "chat:write", "provided": ""}),
    )
    response = post_message(CHANNEL, {"text": "Hello"})
    assert not response.ok
    assert response.error == (
        "slack: missing_scope (add the bot token scope chat:write and reinstall the app)"
    )


def test_the_sender_without_a_token_says_so(slack_api, settings):
    settings.SLACK_BOT_TOKEN = ""
    response = post_message(CHANNEL, {"text": "Hello"})
    assert not response.ok
    assert response.error == "PRR_SLACK_BOT_TOKEN is not set: prr cannot post to Slack."
    assert slack_api.requests == []

"""Review news posted to Slack with chat.postMessage by the worker, and what happens when Slack
refuses or is unreachable."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from django.utils import timezone

from prr.cli import prr
from prr.integrations.chat.models import ChatPost
from prr.integrations.chat.services import link_channel
from prr.integrations.slack.client import post_message
from prr.reviews.items import set_item_state
from prr.reviews.lifecycle import close_review
from prr.reviews.starting import start_review

from ..conftest import run_worker
from .conftest import BASE_URL, BOT_TOKEN, CHANNEL, TEAM_ID, posted, rate_limited
from .conftest import post_message as slack_post_message

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


@pytest.mark.parametrize(
    ("code", "hint"),
    [
        (
            "channel_not_found",
            "the channel id is wrong, or the bot cannot see this private channel",
        ),
        ("not_in_channel", "invite the prr bot to the channel: /invite @prr"),
        ("invalid_auth", "PRR_SLACK_BOT_TOKEN is not a valid bot token"),
    ],
)
def test_a_permanent_refusal_fails_at_once_with_slacks_reason_and_what_to_do(
    slack_api, settings, small_playbook, dri, send_chat_posts, caplog, code, hint
):
    settings.SLACK_NOTIFY_CHANNEL = "C0GONE"
    slack_api.on("POST", "/api/chat.postMessage", (200, {"ok": False, "error": code}))
    start_review(version=small_playbook, title=TITLE, dri=dri, kind="service")
    [post] = send_chat_posts()
    assert (post.status, post.attempts) == ("failed", 1)  # not the 3 CHAT_MAX_ATTEMPTS
    assert post.last_error == (
        f"slack: {code} ({hint}). Not retried: sending it again as it is cannot succeed. Fix "
        f"the cause, then send it again with `prr chat retry {post.pk}`."
    )
    assert len(slack_api.to("/api/chat.postMessage")) == 1
    [warning] = [r for r in caplog.records if r.name == "prr.integrations.chat.outgoing"]
    assert warning.levelname == "WARNING"
    assert (
        warning.getMessage()
        == f"Chat post {post.pk} failed on a permanent error: {post.last_error}"
    )


def test_a_permanently_failed_post_is_sent_by_hand_once_the_cause_is_fixed(
    slack_api, settings, small_playbook, dri, send_chat_posts
):
    settings.SLACK_NOTIFY_CHANNEL = NEWS
    slack_api.on("POST", "/api/chat.postMessage", (200, {"ok": False, "error": "not_in_channel"}))
    start_review(version=small_playbook, title=TITLE, dri=dri, kind="service")
    [post] = send_chat_posts()
    assert post.status == "failed"
    slack_api.on("POST", "/api/chat.postMessage", slack_post_message)  # /invite @prr
    result = CliRunner().invoke(prr, ["chat", "retry", str(post.pk)])
    assert result.exit_code == 0, result.output
    assert result.output == f"Queued chat post #{post.pk} again; `prr worker` sends it.\n"
    [post] = send_chat_posts()
    assert (post.status, post.attempts, post.last_error) == ("delivered", 1, "")
    assert len(slack_api.to("/api/chat.postMessage")) == 2


def test_an_error_slack_may_not_repeat_is_retried(
    slack_api, settings, small_playbook, dri, send_chat_posts
):
    settings.SLACK_NOTIFY_CHANNEL = NEWS
    slack_api.on("POST", "/api/chat.postMessage", (200, {"ok": False, "error": "internal_error"}))
    start_review(version=small_playbook, title=TITLE, dri=dri, kind="service")
    [post] = send_chat_posts()
    assert (post.status, post.attempts, post.last_error) == (
        "failed",
        3,
        "slack: internal_error",
    )


def test_a_rate_limited_post_waits_as_long_as_slack_said(
    slack_api, settings, small_playbook, dri, quick_retries
):
    settings.CHAT_RETRY_MAX_DELAY = 600
    settings.SLACK_NOTIFY_CHANNEL = NEWS
    slack_api.on("POST", "/api/chat.postMessage", rate_limited(30))
    start_review(version=small_playbook, title=TITLE, dri=dri, kind="service")
    before = timezone.now()
    run_worker()
    post = ChatPost.objects.get()
    assert (post.status, post.attempts) == ("retrying", 1)
    assert post.last_error == (
        "slack: ratelimited (Slack asks prr to slow down; the worker tries again when Slack "
        "said); Slack asked to wait 30 s"
    )
    assert post.next_attempt_at is not None
    wait = (post.next_attempt_at - before).total_seconds()
    assert 29 <= wait <= 31  # not the test's 0.01 s back-off
    run_worker()  # not due yet: Slack is not asked again
    assert len(slack_api.to("/api/chat.postMessage")) == 1


def test_a_retry_after_longer_than_the_longest_wait_is_cut_to_it(
    slack_api, settings, small_playbook, dri, quick_retries
):
    settings.CHAT_RETRY_MAX_DELAY = 60
    settings.SLACK_NOTIFY_CHANNEL = NEWS
    slack_api.on("POST", "/api/chat.postMessage", rate_limited(86400))
    start_review(version=small_playbook, title=TITLE, dri=dri, kind="service")
    before = timezone.now()
    run_worker()
    post = ChatPost.objects.get()
    assert post.next_attempt_at is not None
    assert 59 <= (post.next_attempt_at - before).total_seconds() <= 61


def test_a_rate_limited_post_is_sent_when_slack_said(
    slack_api, settings, small_playbook, dri, send_chat_posts
):
    settings.SLACK_NOTIFY_CHANNEL = NEWS
    answers = iter([rate_limited(0)])

    def rate_limited_once(request):
        return next(answers, None) or slack_post_message(request)

    slack_api.on("POST", "/api/chat.postMessage", rate_limited_once)
    start_review(version=small_playbook, title=TITLE, dri=dri, kind="service")
    [post] = send_chat_posts()
    assert (post.status, post.attempts, post.last_error) == ("delivered", 2, "")


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


def test_the_sender_calls_a_channel_it_cannot_post_to_permanent(slack_api):
    slack_api.on(
        "POST", "/api/chat.postMessage", (200, {"ok": False, "error": "channel_not_found"})
    )
    response = post_message("C0GONE", {"text": "Hello"})
    assert (response.ok, response.permanent, response.retry_after) == (False, True, None)


def test_the_sender_passes_on_slacks_retry_after(slack_api):
    slack_api.on("POST", "/api/chat.postMessage", rate_limited(17))
    response = post_message(CHANNEL, {"text": "Hello"})
    assert (response.status_code, response.permanent, response.retry_after) == (429, False, 17.0)


def test_the_sender_without_a_token_says_so(slack_api, settings):
    settings.SLACK_BOT_TOKEN = ""
    response = post_message(CHANNEL, {"text": "Hello"})
    assert not response.ok
    assert response.error == "PRR_SLACK_BOT_TOKEN is not set: prr cannot post to Slack."
    assert slack_api.requests == []

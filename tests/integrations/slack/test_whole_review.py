"""A whole review run from a Slack channel alone: /prr start, approvals by phrase, /prr status,
/prr close, and the snapshot link posted in the channel."""

from __future__ import annotations

import pytest

from prr.integrations.chat.models import ChannelLink
from prr.reviews.models import Message, Review

from .conftest import BASE_URL, CHANNEL, message_event, posted, replies_in_thread

pytestmark = pytest.mark.django_db(transaction=True)

TITLE = "Checkout service launch in the EU region"


def test_a_review_run_from_slack_alone(
    slack, slack_api, small_playbook, dri, sre_member, security_member, outsider, send_chat_posts
):
    started = slack.command(f"start small service {TITLE}", user="U0DANA")
    assert started.body["response_type"] == "in_channel"
    review = Review.objects.get()
    link = f"<{BASE_URL}/reviews/{review.number}/|{review.ref} {TITLE}>"
    assert started.text.startswith(f"@dana started {link} (service, playbook `small`).")
    assert ChannelLink.objects.get().channel_id == CHANNEL

    early = message_event("Security review is completed", user="U0OSCAR")
    sre = message_event("Looks solid. SRE review is completed", user="U0SAM")
    security = message_event("Security review is completed :lock:", user="U0SID")
    for event in (early, sre, security):
        assert slack.event(event).status == 200

    # The DRI's own items, ticked from the channel too.
    for key in ("dashboards", "load-test"):
        ticked = slack.command(f"set {key} done", user="U0DANA")
        assert ticked.body["response_type"] == "in_channel"
    assert ticked.text == "@dana marked 'Load test done' done on PRR-1."

    status = slack.command("status", user="U0DANA")
    assert status.text.splitlines() == [
        f"*{link}* — open, DRI @dana. 4 of 4 required items complete.",
        "Every required item is complete: the DRI can `/prr close` it.",
    ]

    closed = slack.command("close", user="U0DANA")
    review.refresh_from_db()
    assert review.status == "closed"
    snapshot_link = f"<{BASE_URL}/reviews/{review.number}/snapshots/1/|snapshot v1>"
    assert closed.body["response_type"] == "in_channel"
    assert closed.text.startswith(f"@dana closed {review.ref}. The review document is frozen as ")
    assert snapshot_link in closed.text

    posts = send_chat_posts()
    assert {post.status for post in posts} == {"delivered"}
    assert {body["channel"] for body in posted(slack_api)} == {CHANNEL}
    messages = {m.external_id: m for m in Message.objects.filter(source="slack")}
    assert replies_in_thread(slack_api, early["event"]["ts"]) == [
        "@oscar is not a member of team Security, so this does not change 'Security review'. "
        "Who can: Security: @sid."
    ]
    assert replies_in_thread(slack_api, sre["event"]["ts"]) == [
        "'SRE review' is now done: approved by @sam (member of team SRE) in message "
        f"#{messages[sre['event_id']].pk}."
    ]
    assert replies_in_thread(slack_api, security["event"]["ts"]) == [
        "'Security review' is now done: approved by @sid (member of team Security) in message "
        f"#{messages[security['event_id']].pk}."
    ]
    news = [body["text"] for body in posted(slack_api) if "thread_ts" not in body]
    assert news == [
        f":rocket: @dana started {link} (service). DRI @dana; approvals by: Security, SRE.",
        f":white_check_mark: SRE review approved by @sam on {link}.",
        f":white_check_mark: Security review approved by @sid on {link}.",
        f":large_green_circle: {link} is ready to close: every required item is complete. "
        "The DRI @dana can close it (`/prr close`).",
        f":lock: @dana closed {link}. The review document is frozen: {snapshot_link}.",
    ]
    assert review.items.filter(state="done").count() == 4

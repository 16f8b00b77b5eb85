"""`@channel`, `@all`, `@here` (and Slack's `<!channel>`, `<!here>`, `<!everyone>`) in user
text reach chat as words, not as mentions that page a whole channel."""

from __future__ import annotations

import json
from typing import Any

import pytest

from prr.integrations.chat.mentions import ZERO_WIDTH_JOINER as ZWJ
from prr.integrations.chat.models import ChatPost
from prr.integrations.mattermost.client import send_incoming_webhook
from prr.integrations.slack.mrkdwn import to_mrkdwn
from prr.reviews.lifecycle import cancel_review
from prr.reviews.models import Review
from tests.hardening.conftest import Receiver
from tests.integrations.conftest import run_until_settled


def test_slack_gets_neither_its_markup_nor_bare_broadcasts() -> None:
    text = to_mrkdwn("Ping <!channel>, <!here|here> and <!everyone>; also @channel and @Here.")
    assert "<!" not in text
    assert "&lt;!channel&gt;" in text
    assert f"@{ZWJ}channel" in text
    assert f"@{ZWJ}Here" in text


def test_people_and_addresses_keep_their_at_sign() -> None:
    text = to_mrkdwn("@dana, ops@here.example and @all-hands")
    assert text == "@dana, ops@here.example and @all-hands"


@pytest.mark.parametrize("word", ["@channel", "@all", "@here", "@ALL"])
def test_a_mattermost_webhook_post_does_not_broadcast(receiver: Receiver, word: str) -> None:
    url = f"http://127.0.0.1:{receiver.port}/hooks/x"
    assert send_incoming_webhook(url, {"text": f"{word} the review is cancelled"}).ok
    sent = json.loads(receiver.bodies[0])["text"]
    assert sent == f"@{ZWJ}{word[1:]} the review is cancelled"


@pytest.mark.django_db(transaction=True)  # posts are queued when the transaction commits
def test_a_cancel_reason_with_at_channel_reaches_mattermost_as_a_word(
    review: Review, dri: Any, receiver: Receiver, settings: Any
) -> None:
    settings.MATTERMOST_WEBHOOK_URL = f"http://127.0.0.1:{receiver.port}/hooks/default"
    cancel_review(review, by=dri, reason="@channel duplicate of PRR-7, @all please ignore")
    posts = run_until_settled(ChatPost)
    assert [p.status for p in posts] == ["delivered"]
    sent = json.loads(receiver.bodies[0])["text"]
    assert f"@{ZWJ}channel duplicate of PRR-7, @{ZWJ}all please ignore" in sent
    assert "@dana cancelled" in sent  # a person's handle is kept

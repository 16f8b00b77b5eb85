"""The team-wide webhook documented in docs/integrations/mattermost.md forwards every approval.

Mattermost fires a channel-less outgoing webhook when the message's first word (strings.Fields)
starts with one of its trigger words, case-sensitively (server/channels/app/webhook.go,
handleWebhookEvents; model/outgoing_webhook.go, TriggerWordStartsWith). `fires` applies that
rule to the trigger words the guide's script makes.
"""

from __future__ import annotations

import re
import shlex
import string
from pathlib import Path

import pytest
import yaml

from prr.accounts.models import User
from prr.integrations.chat.models import ChannelLink
from prr.reviews.models import Message, Review
from tests.integrations.mattermost.conftest import OTHER_CHANNEL_ID, Mattermost

GUIDE = Path(__file__).parents[3] / "docs" / "integrations" / "mattermost.md"
DEFAULT_PLAYBOOK = Path(__file__).parents[3] / "src" / "prr" / "playbooks" / "defaults" / "prr.yaml"
RANGES = {
    "{a..z}": string.ascii_lowercase,
    "{A..Z}": string.ascii_uppercase,
    "{0..9}": string.digits,
}


def documented_trigger_words() -> set[str]:
    [loop] = re.findall(r"^for c in (.*); do$", GUIDE.read_text(), re.MULTILINE)
    words: set[str] = set()
    for part in shlex.split(loop):
        words.update(RANGES.get(part, [part]))
    return words


def fires(message: str, trigger_words: set[str]) -> bool:
    first = message.split()[0] if message.split() else ""
    return bool(first) and any(first.startswith(word) for word in trigger_words)


def playbook_phrases() -> list[str]:
    spec = yaml.safe_load(DEFAULT_PLAYBOOK.read_text())
    return [
        phrase
        for checklist in spec["checklists"]
        for item in checklist["items"]
        for action in item.get("task_actions", [])
        for phrase in action["phrases"]
    ]


def ways_to_write(phrase: str) -> list[str]:
    return [
        phrase,
        phrase.lower(),
        phrase.upper(),
        f"**{phrase}**",
        f"_{phrase}_",
        f"`{phrase}`",
        f"LGTM, {phrase}",
        f"lgtm {phrase.lower()}",
        f":white_check_mark: {phrase}",
        f"@dana {phrase}",
        f"+1, {phrase}.",
        f"Thanks! {phrase} :tada:",
        f"1. {phrase}",
        f"- {phrase}",
        f'"{phrase}"',
        f"({phrase})",
    ]


def test_the_documented_trigger_words_forward_every_phrase_however_it_is_written() -> None:
    trigger_words = documented_trigger_words()
    missed = [
        text
        for phrase in playbook_phrases()
        for text in ways_to_write(phrase)
        if not fires(text, trigger_words)
    ]
    assert missed == []


def test_a_plain_first_word_trigger_misses_what_reviewers_write() -> None:
    # Why the guide does not suggest `SRE` as a trigger word.
    assert not fires("sre review is completed", {"SRE"})
    assert not fires("**SRE review is completed**", {"SRE"})
    assert not fires("LGTM, SRE review is completed", {"SRE"})


@pytest.mark.django_db(transaction=True)
def test_an_unlinked_channel_heard_through_a_trigger_word_gets_no_reply(
    mattermost: Mattermost, linked: ChannelLink, sre_member: User
) -> None:
    reply = mattermost.post(
        "See you at lunch", "sam", channel_id=OTHER_CHANNEL_ID, trigger_word="S"
    )

    assert (reply.status, reply.body) == (200, b"")
    assert not Message.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_linked_channel_heard_through_a_trigger_word_is_recorded_and_answered(
    mattermost: Mattermost, linked: ChannelLink, review: Review, sre_member: User
) -> None:
    reply = mattermost.post("sre review is completed", "sam", trigger_word="s")

    assert reply.json["text"].startswith("'SRE review' is now done: approved by @sam")
    assert review.items.get(key="sre-review").state == "done"

"""Starting a review from a chat channel: the review is linked to the channel, or gets a
channel of its own, and nothing is left started when that cannot be done."""

from __future__ import annotations

import pytest

from prr.accounts.models import User
from prr.errors import RuleViolation
from prr.integrations.chat.models import ChannelLink
from prr.integrations.chat.services import (
    ChatChannel,
    link_channel,
    linked_review,
    start_review_in_channel,
)
from prr.playbooks.models import PlaybookVersion
from prr.reviews.models import Review, TimelineEvent

TITLE = "Search cluster moves to new hosts"
PAYMENTS = ChatChannel(
    platform="mattermost", channel_id="ch1", channel_name="payments", team_id="team1"
)
PRIVATE = "This is a private channel: Mattermost sends prr messages from public channels only."


def start_in(channel: ChatChannel, dri: User, title: str = TITLE) -> Review:
    started = start_review_in_channel(
        dri, playbook="small", kind="service", title=title, channel=channel
    )
    assert started.review.dri == dri
    return started.review


def test_it_starts_the_review_with_the_author_as_dri_and_links_the_channel(
    small_playbook: PlaybookVersion, dri: User
) -> None:
    started = start_review_in_channel(
        dri, playbook="small", kind="service", title=TITLE, channel=PAYMENTS
    )
    review = started.review
    assert (review.ref, review.title, review.kind, review.dri) == ("PRR-1", TITLE, "service", dri)
    assert review.playbook_version == small_playbook
    assert not started.opening_channel
    assert linked_review("mattermost", "ch1") == review
    link = ChannelLink.objects.get()
    assert (link.channel_name, link.team_id, link.created_by) == ("payments", "team1", dri)
    event = TimelineEvent.objects.get(review=review, kind="chat.linked")
    assert event.summary == "@dana linked Mattermost channel ~payments to PRR-1"


@pytest.mark.django_db(transaction=True)
def test_a_channel_linked_to_another_review_leaves_no_review_started(
    review: Review, dri: User
) -> None:
    link_channel(review, platform="mattermost", channel_id="ch1", by=dri)
    events = TimelineEvent.objects.count()
    with pytest.raises(RuleViolation) as refused:
        start_in(PAYMENTS, dri)
    assert refused.value.message == (
        "This Mattermost channel is already linked to PRR-1; unlink it there first "
        "(`/prr unlink` in the channel)."
    )
    assert list(Review.objects.values_list("number", flat=True)) == [1]
    assert TimelineEvent.objects.count() == events
    assert linked_review("mattermost", "ch1") == review
    # Nothing half-done is in the way: once the channel is free, the same start works.
    ChannelLink.objects.all().delete()
    assert start_in(PAYMENTS, dri).ref == "PRR-2"


def test_a_channel_prr_cannot_hear_is_refused_before_anything_starts(
    small_playbook: PlaybookVersion, dri: User
) -> None:
    channel = ChatChannel(platform="mattermost", channel_id="p1", unheard=lambda: PRIVATE)
    with pytest.raises(RuleViolation, match=r"^This is a private channel: Mattermost sends"):
        start_in(channel, dri)
    assert not Review.objects.exists()
    assert not ChannelLink.objects.exists()


def test_with_a_channel_opener_the_review_gets_its_own_channel_even_from_an_unheard_one(
    small_playbook: PlaybookVersion, dri: User
) -> None:
    opened: list[Review] = []
    channel = ChatChannel(
        platform="mattermost",
        channel_id="p1",
        unheard=lambda: PRIVATE,  # the review's own channel is the one prr hears
        open_review_channel=opened.append,
    )
    started = start_review_in_channel(
        dri, playbook="small", kind="service", title=TITLE, channel=channel
    )
    assert started.opening_channel
    assert opened == [started.review]
    assert not ChannelLink.objects.exists()


def test_an_opener_that_fails_leaves_no_review_started(
    small_playbook: PlaybookVersion, dri: User
) -> None:
    def refuse(review: Review) -> None:
        assert Review.objects.filter(pk=review.pk).exists()  # called once the review is written
        raise RuleViolation("The bot cannot create channels in this team.")

    channel = ChatChannel(platform="mattermost", channel_id="ch1", open_review_channel=refuse)
    with pytest.raises(RuleViolation, match=r"^The bot cannot create channels in this team\.$"):
        start_in(channel, dri)
    assert not Review.objects.exists()

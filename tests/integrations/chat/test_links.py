"""Linking channels to reviews and chat accounts to people: who may, and what is refused."""

from __future__ import annotations

import pytest

from prr.accounts.models import User
from prr.accounts.services import create_user, deactivate_user
from prr.errors import InvalidInput, NotFound, PermissionDenied, RuleViolation
from prr.integrations.chat.models import ChannelLink, ChatIdentity
from prr.integrations.chat.services import (
    link_channel,
    link_user,
    linked_review,
    resolve_author,
    unlink_channel,
    unlink_user,
)
from prr.playbooks.models import PlaybookVersion
from prr.reviews.lifecycle import cancel_review
from prr.reviews.models import Review, TimelineEvent
from prr.reviews.starting import start_review


def test_the_dri_links_a_channel_and_the_timeline_says_so(review: Review, dri: User) -> None:
    link = link_channel(
        review, platform="mattermost", channel_id="ch1", channel_name="payments", by=dri
    )
    assert linked_review("mattermost", "ch1") == review
    assert link.label == "~payments"
    event = TimelineEvent.objects.get(review=review, kind="chat.linked")
    assert event.summary == "@dana linked Mattermost channel ~payments to PRR-1"


def test_linking_the_same_channel_again_keeps_one_link(review: Review, dri: User) -> None:
    link_channel(review, platform="slack", channel_id="C1", by=dri)
    link_channel(review, platform="slack", channel_id="C1", channel_name="prr-1", by=dri)
    assert ChannelLink.objects.get().channel_name == "prr-1"
    assert TimelineEvent.objects.filter(kind="chat.linked").count() == 1


def test_an_admin_and_the_operator_may_link(review: Review, admin: User) -> None:
    link_channel(review, platform="slack", channel_id="C1", by=admin)
    link_channel(review, platform="mattermost", channel_id="m1", by=None)
    assert review.channel_links.count() == 2


def test_a_team_member_or_outsider_may_not_link(
    review: Review, sre_member: User, outsider: User
) -> None:
    for person in (sre_member, outsider):
        with pytest.raises(PermissionDenied, match=r"Only the DRI \(@dana\) or an admin"):
            link_channel(review, platform="slack", channel_id="C1", by=person)
    assert not ChannelLink.objects.exists()


def test_a_channel_serves_one_review(
    review: Review, small_playbook: PlaybookVersion, dri: User
) -> None:
    other = start_review(
        version=small_playbook, title="Search cluster moves to new hosts", dri=dri, kind="service"
    )
    link_channel(review, platform="mattermost", channel_id="ch1", by=dri)
    with pytest.raises(RuleViolation, match="already linked to PRR-1; unlink it there first"):
        link_channel(other, platform="mattermost", channel_id="ch1", by=dri)
    assert linked_review("mattermost", "ch1") == review


def test_a_review_has_one_channel_per_chat(review: Review, dri: User) -> None:
    link_channel(review, platform="mattermost", channel_id="ch1", by=dri)
    with pytest.raises(RuleViolation, match="already linked to Mattermost channel ch1"):
        link_channel(review, platform="mattermost", channel_id="ch2", by=dri)
    link_channel(review, platform="slack", channel_id="C2", by=dri)  # another chat is fine
    assert review.channel_links.count() == 2


def test_a_cancelled_review_cannot_be_linked(review: Review, dri: User) -> None:
    cancel_review(review, by=dri, reason="Superseded by PRR-9")
    with pytest.raises(RuleViolation, match="PRR-1 is cancelled; only an open review"):
        link_channel(review, platform="slack", channel_id="C1", by=dri)


@pytest.mark.parametrize(
    ("platform", "channel_id", "notify_url", "message"),
    [
        ("teams", "c", "", "Unknown chat 'teams'"),
        ("slack", "  ", "", "The channel id is empty"),
        ("slack", "C1 C2", "", "is not a valid channel id"),
        ("mattermost", "ch1", "ftp://x", "is not a valid webhook URL"),
    ],
)
def test_bad_link_input_is_refused(
    review: Review, dri: User, platform: str, channel_id: str, notify_url: str, message: str
) -> None:
    with pytest.raises(InvalidInput, match=message):
        link_channel(
            review, platform=platform, channel_id=channel_id, notify_url=notify_url, by=dri
        )
    assert not ChannelLink.objects.exists()


def test_unlink_removes_the_link_and_records_it(review: Review, dri: User) -> None:
    link_channel(review, platform="slack", channel_id="C1", by=dri)
    unlink_channel(review, platform="slack", by=dri)
    assert linked_review("slack", "C1") is None
    assert TimelineEvent.objects.filter(kind="chat.unlinked").count() == 1
    with pytest.raises(RuleViolation, match="PRR-1 has no Slack channel linked"):
        unlink_channel(review, platform="slack", by=dri)


def test_an_outsider_may_not_unlink(review: Review, dri: User, outsider: User) -> None:
    link_channel(review, platform="slack", channel_id="C1", by=dri)
    with pytest.raises(PermissionDenied):
        unlink_channel(review, platform="slack", by=outsider)
    assert linked_review("slack", "C1") == review


def test_the_author_is_found_by_username_or_by_an_explicit_link(
    sre_member: User, dri: User, admin: User
) -> None:
    assert resolve_author("mattermost", "u-sam", "sam") == sre_member
    link_user(dri, platform="mattermost", external_id="u-dana", by=admin)
    assert resolve_author("mattermost", "u-dana", "dana.reyes") == dri
    # The explicit link wins over a username that belongs to someone else.
    assert resolve_author("mattermost", "u-dana", "sam") == dri


def test_an_unknown_author_is_told_what_to_do(db: None) -> None:
    with pytest.raises(NotFound) as refused:
        resolve_author("slack", "U9", "zed")
    assert refused.value.message == (
        "prr does not know the Slack user @zed. Ask a prr admin to create your account with "
        "the same username, or to link it: `prr user link USERNAME --slack U9`."
    )


def test_a_deactivated_author_is_refused(dri: User) -> None:
    deactivate_user(dri)
    with pytest.raises(PermissionDenied, match="@dana is deactivated"):
        resolve_author("slack", "U1", "dana")


def test_only_an_admin_links_accounts(dri: User, outsider: User, admin: User) -> None:
    with pytest.raises(PermissionDenied, match="Only an admin"):
        link_user(dri, platform="slack", external_id="U1", by=outsider)
    link_user(dri, platform="slack", external_id="U1", by=admin)
    assert ChatIdentity.objects.get().user == dri


def test_an_account_speaks_for_one_person(dri: User, sre_member: User) -> None:
    link_user(dri, platform="slack", external_id="U1", by=None)
    with pytest.raises(RuleViolation, match="already linked to @dana"):
        link_user(sre_member, platform="slack", external_id="U1", by=None)
    link_user(dri, platform="slack", external_id="U2", by=None)  # a person's new account
    assert list(ChatIdentity.objects.values_list("external_id", flat=True)) == ["U2"]
    unlink_user(dri, platform="slack", by=None)
    with pytest.raises(NotFound, match="@dana has no Slack account linked"):
        unlink_user(dri, platform="slack", by=None)


def test_a_deactivated_person_cannot_be_linked(db: None) -> None:
    gone = create_user("gone")
    deactivate_user(gone)
    with pytest.raises(RuleViolation, match="@gone is deactivated"):
        link_user(gone, platform="slack", external_id="U1", by=None)

"""A message from a linked chat channel reaches its review as its author's post."""

from __future__ import annotations

from prr.accounts.models import User
from prr.integrations.chat.intake import ChatMessage, receive_message
from prr.integrations.chat.services import link_channel, link_user
from prr.reviews.items import set_item_state
from prr.reviews.lifecycle import close_review
from prr.reviews.models import Message, Review


def said(username: str, text: str, post_id: str = "p1", channel: str = "ch1") -> ChatMessage:
    return ChatMessage("mattermost", channel, f"id-{username}", username, text, post_id)


def item_state(review: Review, key: str) -> str:
    return review.items.get(key=key).state


def test_a_member_approves_from_chat(review: Review, dri: User, sre_member: User) -> None:
    link_channel(review, platform="mattermost", channel_id="ch1", by=dri)
    received = receive_message(said("sam", "SRE review is completed"))
    assert received.stored
    assert received.review_ref == "PRR-1"
    assert item_state(review, "sre-review") == "done"
    message = Message.objects.get(source="mattermost")
    assert (message.author, message.external_id) == (sre_member, "p1")
    assert received.replies == [
        f"'SRE review' is now done: approved by @sam (member of team SRE) in message #{message.pk}."
    ]


def test_a_redelivered_post_is_stored_once_with_the_same_replies(
    review: Review, dri: User, sre_member: User
) -> None:
    link_channel(review, platform="mattermost", channel_id="ch1", by=dri)
    first = receive_message(said("sam", "SRE review is completed"))
    again = receive_message(said("sam", "SRE review is completed"))
    assert again.duplicate
    assert not first.duplicate
    assert again.replies == first.replies
    assert Message.objects.filter(source="mattermost").count() == 1


def test_a_non_member_phrase_changes_nothing_and_says_who_can(
    review: Review, dri: User, sre_member: User, outsider: User
) -> None:
    link_channel(review, platform="mattermost", channel_id="ch1", by=dri)
    received = receive_message(said("oscar", "SRE review is completed"))
    assert item_state(review, "sre-review") == "open"
    assert received.replies == [
        "@oscar is not a member of team SRE, so this does not change 'SRE review'. "
        "Who can: SRE: @sam."
    ]


def test_an_unlinked_channel_stores_nothing(review: Review, sre_member: User) -> None:
    received = receive_message(said("sam", "SRE review is completed"))
    assert not received.stored
    assert received.replies[0].startswith(
        "This Mattermost channel is not linked to a review, so prr did not record this message."
    )
    assert not Message.objects.filter(source="mattermost").exists()
    assert item_state(review, "sre-review") == "open"


def test_an_unknown_person_stores_nothing(review: Review, dri: User) -> None:
    link_channel(review, platform="mattermost", channel_id="ch1", by=dri)
    received = receive_message(said("zed", "SRE review is completed"))
    assert not received.stored
    assert "prr does not know the Mattermost user @zed" in received.replies[0]
    assert not Message.objects.filter(source="mattermost").exists()


def test_a_linked_account_speaks_as_its_person(review: Review, dri: User, sre_member: User) -> None:
    link_channel(review, platform="mattermost", channel_id="ch1", by=dri)
    link_user(sre_member, platform="mattermost", external_id="id-samuel.o", by=None)
    receive_message(said("samuel.o", "SRE review is completed"))
    assert review.items.get(key="sre-review").changed_by == sre_member


def test_a_closed_review_keeps_the_message_but_no_approval_counts(
    review: Review, dri: User, sre_member: User, security_member: User, admin: User
) -> None:
    link_channel(review, platform="mattermost", channel_id="ch1", by=dri)
    close_review(review, by=admin, force=True, reason="Emergency launch approved by the VP")
    received = receive_message(said("sid", "Security review is completed"))
    assert item_state(review, "security-review") == "open"
    assert received.replies == [
        "PRR-1 is closed; approvals no longer change it ('Security review')."
    ]


def test_an_empty_message_is_refused_with_a_reply(review: Review, dri: User) -> None:
    link_channel(review, platform="mattermost", channel_id="ch1", by=dri)
    received = receive_message(said("dana", "   "))
    assert received.replies == ["The message is empty."]
    assert not Message.objects.filter(source="mattermost").exists()


def test_chat_and_web_approvals_agree(review: Review, dri: User, sre_member: User) -> None:
    link_channel(review, platform="mattermost", channel_id="ch1", by=dri)
    set_item_state(review, "sre-review", "done", by=sre_member)
    received = receive_message(said("sam", "SRE review is completed"))
    assert received.replies == ["'SRE review' is already done; nothing changed."]

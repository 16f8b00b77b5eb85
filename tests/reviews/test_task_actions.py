"""Approving by phrase: the task actions a message triggers, and the ones it must not."""

from __future__ import annotations

import pytest

from prr.accounts.services import create_user
from prr.errors import PermissionDenied
from prr.reviews.channel import edit_message, post_message
from prr.reviews.models import Message, ReviewItem, TimelineEvent
from prr.reviews.services import close_review, set_item_state
from prr.teams.services import add_members, remove_members


def item(review, key="sre-review") -> ReviewItem:
    return review.items.get(key=key)


def test_a_team_member_approves_by_phrase(review, sre_member):
    result = post_message(review, author=sre_member, body="Looks good. SRE review is completed")
    approval = item(review)
    assert approval.state == "done"
    assert approval.changed_by == sre_member
    assert approval.changed_via == "message"
    assert approval.changed_by_message == result.message
    assert [(e.item, e.state) for e in result.effects] == [("sre-review", "done")]


def test_an_approval_is_answered_in_the_channel_and_on_the_timeline(review, sre_member):
    result = post_message(review, author=sre_member, body="SRE review is completed")
    [reply] = result.replies
    assert reply.is_system
    assert reply.in_reply_to == result.message
    assert "'SRE review' is now done" in reply.body
    assert "@sam" in reply.body
    event = TimelineEvent.objects.get(review=review, kind="item.changed")
    assert event.message == result.message
    assert f"message #{result.message.pk}" in event.summary


def test_an_outsiders_phrase_changes_nothing_and_says_who_may_approve(review, outsider, sre_member):
    result = post_message(review, author=outsider, body="SRE review is completed")
    assert item(review).state == "open"
    assert result.effects == []
    [reply] = result.replies
    assert "@oscar is not a member of team SRE" in reply.body
    assert "@sam" in reply.body
    assert TimelineEvent.objects.filter(kind="task_action.refused").count() == 1


def test_a_member_of_another_team_cannot_approve_for_sre(review, security_member):
    post_message(review, author=security_member, body="SRE review is completed")
    assert item(review).state == "open"


def test_membership_is_evaluated_when_the_message_is_posted(review, sre_member, teams):
    post_message(review, author=sre_member, body="SRE review is completed")
    remove_members(teams["sre"], [sre_member])
    # The approval given while a member stays...
    assert item(review).state == "done"
    # ...but later phrases no longer count.
    result = post_message(review, author=sre_member, body="SRE review is reopened")
    assert item(review).state == "done"
    assert "not a member of team SRE" in result.replies[0].body


def test_the_reopen_phrase_reopens_an_approval(review, sre_member):
    post_message(review, author=sre_member, body="SRE review is completed")
    result = post_message(review, author=sre_member, body="Found a gap. SRE review is reopened")
    assert item(review).state == "open"
    assert [(e.item, e.state) for e in result.effects] == [("sre-review", "open")]
    assert "reopened by @sam" in result.replies[0].body


def test_repeating_an_approval_says_it_is_already_done(review, sre_member):
    post_message(review, author=sre_member, body="SRE review is completed")
    result = post_message(review, author=sre_member, body="SRE review is completed")
    assert result.effects == []
    assert "already done" in result.replies[0].body


def test_several_phrases_in_one_message_each_take_effect(review, teams):
    both = create_user("bea")
    add_members(teams["sre"], [both])
    add_members(teams["security"], [both])
    result = post_message(
        review, author=both, body="SRE review is completed.\nSecurity review is completed."
    )
    assert sorted(e.item for e in result.effects) == ["security-review", "sre-review"]


@pytest.mark.parametrize(
    "body",
    [
        "SRE review is not completed",
        "I would not say SRE review is completed",
        "SRE review is completed?",
        "> SRE review is completed\n\nquoting the template",
        "```\nSRE review is completed\n```",
        "SRE review is completedly different",
    ],
)
def test_negated_asked_quoted_or_code_phrases_do_nothing(review, sre_member, body):
    result = post_message(review, author=sre_member, body=body)
    assert item(review).state == "open"
    assert result.replies == []


def test_formatting_and_case_do_not_matter(review, sre_member):
    post_message(review, author=sre_member, body="**sre   REVIEW** is `completed`!")
    assert item(review).state == "done"


def test_a_bots_phrase_never_triggers(review, teams):
    bot = create_user("ci-bot", is_bot=True)
    add_members(teams["sre"], [bot])
    result = post_message(review, author=bot, body="SRE review is completed")
    assert item(review).state == "open"
    assert result.replies == []


def test_an_edited_message_never_triggers(review, sre_member):
    result = post_message(review, author=sre_member, body="Reading it now")
    edit_message(result.message, by=sre_member, body="SRE review is completed")
    assert item(review).state == "open"
    assert Message.objects.get(pk=result.message.pk).edited_at is not None


def test_only_the_author_may_edit_a_message(review, sre_member, outsider):
    result = post_message(review, author=sre_member, body="Reading it now")
    with pytest.raises(PermissionDenied, match="Only the author"):
        edit_message(result.message, by=outsider, body="changed")


def test_phrases_do_not_fire_on_a_closed_review(review, dri, sre_member, security_member):
    set_item_state(review, "dashboards", "done", by=dri)
    set_item_state(review, "load-test", "done", by=dri)
    post_message(review, author=sre_member, body="SRE review is completed")
    post_message(review, author=security_member, body="Security review is completed")
    close_review(review, by=dri)
    result = post_message(review, author=sre_member, body="SRE review is reopened")
    assert item(review).state == "done"
    assert result.effects == []
    assert "PRR-1 is closed" in result.replies[0].body


def test_a_message_delivered_twice_is_stored_once(review, sre_member):
    first = post_message(
        review, author=sre_member, body="SRE review is completed", external_id="mm-123"
    )
    second = post_message(
        review, author=sre_member, body="SRE review is completed", external_id="mm-123"
    )
    assert second.duplicate
    assert second.message == first.message
    assert review.messages.filter(author=sre_member).count() == 1
    assert second.effects == []


def test_a_deactivated_user_cannot_post(review, sre_member):
    sre_member.is_active = False
    sre_member.save()
    with pytest.raises(PermissionDenied, match="deactivated"):
        post_message(review, author=sre_member, body="SRE review is completed")
    assert item(review).state == "open"
    assert review.messages.count() == 0

"""Approving by phrase: the task actions a message triggers, and the ones it must not."""

from __future__ import annotations

import pytest

from prr.accounts.services import create_user
from prr.errors import PermissionDenied
from prr.reviews.channel import edit_message, post_message
from prr.reviews.items import set_item_state
from prr.reviews.lifecycle import close_review
from prr.reviews.models import Message, ReviewItem, TimelineEvent
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
    ("body", "why"),
    [
        (
            "I would not say SRE review is completed",
            """'SRE review is completed' is negated in this message ("not"), so 'SRE review' did """
            "not change. Write the phrase on its own to approve.",
        ),
        (
            "SRE review is completed once the dashboards are linked",
            """'SRE review is completed' depends on a condition in this message ("once"), so """
            "'SRE review' did not change. Write the phrase on its own to approve.",
        ),
        (
            "SRE review is completed?",
            "'SRE review is completed' is asked as a question in this message, so 'SRE review' "
            "did not change. Write the phrase on its own to approve.",
        ),
        (
            "> SRE review is completed\n\nquoting the template",
            "'SRE review is completed' is only quoted in this message, so 'SRE review' did not "
            "change. Write the phrase on its own to approve.",
        ),
        (
            "> the template says\nSRE review is completed",
            "'SRE review is completed' is only quoted in this message, so 'SRE review' did not "
            "change. Write the phrase on its own to approve.",
        ),
        (
            "```\nSRE review is completed\n```",
            "'SRE review is completed' is inside code in this message, so 'SRE review' did not "
            "change. Write the phrase on its own to approve.",
        ),
        (
            "Output:\n\n    SRE review is completed",
            "'SRE review is completed' is inside code in this message, so 'SRE review' did not "
            "change. Write the phrase on its own to approve.",
        ),
    ],
)
def test_a_phrase_that_does_not_count_changes_nothing_and_says_why(review, sre_member, body, why):
    result = post_message(review, author=sre_member, body=body)
    assert item(review).state == "open"
    assert result.effects == []
    [reply] = result.replies
    assert reply.body == why
    assert reply.is_system
    assert reply.in_reply_to == result.message
    # The reply is the record: nothing changed, so nothing goes on the timeline.
    assert not TimelineEvent.objects.filter(review=review, message=result.message).exists()


@pytest.mark.parametrize(
    "body",
    ["SRE review is not completed", "SRE review isn't completed yet", "SRE review is completedly"],
)
def test_text_without_the_phrase_gets_no_reply(review, sre_member, body):
    result = post_message(review, author=sre_member, body=body)
    assert item(review).state == "open"
    assert result.replies == []


@pytest.mark.parametrize(
    "body",
    [
        "SRE review is completed, no concerns",
        "No problem, SRE review is completed.",
        "SRE review is completed (no blockers from us)",
        "No, SRE review is completed",
    ],
)
def test_a_negation_in_another_clause_does_not_stop_an_approval(review, sre_member, body):
    result = post_message(review, author=sre_member, body=body)
    assert item(review).state == "done"
    assert "'SRE review' is now done" in result.replies[0].body


def test_an_outsiders_question_is_told_who_can_approve(review, outsider):
    result = post_message(review, author=outsider, body="Can we say SRE review is completed?")
    [reply] = result.replies
    assert reply.body == (
        "'SRE review is completed' is asked as a question in this message, so 'SRE review' did "
        "not change. A member of team SRE can approve by writing the phrase on its own."
    )
    assert not TimelineEvent.objects.filter(kind="task_action.refused").exists()


def test_a_negated_reopen_phrase_says_how_to_reopen(review, sre_member):
    post_message(review, author=sre_member, body="SRE review is completed")
    result = post_message(review, author=sre_member, body="No need to say SRE review is reopened")
    assert item(review).state == "done"
    assert result.replies[0].body.endswith("Write the phrase on its own to reopen.")


def test_each_item_gets_its_own_answer(review, teams):
    both = create_user("bea")
    add_members(teams["sre"], [both])
    add_members(teams["security"], [both])
    result = post_message(
        review, author=both, body="SRE review is completed. Security review is completed?"
    )
    assert item(review).state == "done"
    assert item(review, "security-review").state == "open"
    assert [(e.item, e.state) for e in result.effects] == [("sre-review", "done")]
    assert len(result.replies) == 2
    assert "'SRE review' is now done" in result.replies[0].body
    assert "'Security review is completed' is asked as a question" in result.replies[1].body


def test_a_phrase_that_counts_for_one_team_and_is_refused_for_another(review, sre_member):
    result = post_message(
        review, author=sre_member, body="SRE review is completed and Security review is completed"
    )
    assert item(review).state == "done"
    assert item(review, "security-review").state == "open"
    assert "@sam is not a member of team Security" in result.replies[1].body
    assert TimelineEvent.objects.filter(kind="task_action.refused").count() == 1


def test_a_counting_phrase_wins_over_a_refused_one_for_the_same_item(review, sre_member):
    body = "> SRE review is completed?\n\nThanks, SRE review is completed"
    result = post_message(review, author=sre_member, body=body)
    assert item(review).state == "done"
    [reply] = result.replies
    assert "'SRE review' is now done" in reply.body


def test_formatting_and_case_do_not_matter(review, sre_member):
    post_message(review, author=sre_member, body="**sre   REVIEW** is `completed`!")
    assert item(review).state == "done"


def test_a_bots_phrase_never_triggers(review, teams):
    bot = create_user("ci-bot", is_bot=True)
    add_members(teams["sre"], [bot])
    for body in ("SRE review is completed", "SRE review is completed?"):
        result = post_message(review, author=bot, body=body)
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
    asked = post_message(review, author=sre_member, body="SRE review is reopened?")
    assert [r.body for r in asked.replies] == [
        "PRR-1 is closed; approvals no longer change it ('SRE review')."
    ]


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


def test_the_same_external_id_from_another_source_is_another_message(review, sre_member):
    api = post_message(
        review, author=sre_member, body="Reading it", source="api", external_id="abc"
    )
    chat = post_message(
        review,
        author=sre_member,
        body="SRE review is completed",
        source="mattermost",
        external_id="abc",
    )
    assert not chat.duplicate
    assert chat.message != api.message
    assert item(review).state == "done"
    again = post_message(
        review,
        author=sre_member,
        body="SRE review is completed",
        source="mattermost",
        external_id="abc",
    )
    assert again.duplicate
    assert again.message == chat.message
    assert review.messages.filter(author=sre_member).count() == 2

"""`/prr …` as every chat runs it: the replies people see, and what each command changes."""

from __future__ import annotations

import pytest

from prr.accounts.models import User
from prr.integrations.chat.commands import CommandCall, CommandReply, run_command
from prr.integrations.chat.models import ChannelLink
from prr.integrations.chat.services import link_channel, linked_review
from prr.playbooks.models import PlaybookVersion
from prr.reviews.items import set_item_state
from prr.reviews.models import Review, Snapshot

TITLE = "Payments API: move card tokenisation to the vault"


def slash(user: User | str, text: str, channel: str = "ch1") -> CommandReply:
    username = user if isinstance(user, str) else user.username
    return run_command(
        CommandCall(
            platform="mattermost",
            text=text,
            channel_id=channel,
            user_id=f"id-{username}",
            username=username,
            channel_name=f"name-{channel}",
            team_id="team1",
        )
    )


def test_help_lists_every_command(db: None) -> None:
    for text in ("help", "", "HELP"):
        reply = slash("anyone", text)
        assert not reply.in_channel
        for command in ("start", "status", "list", "link", "unlink", "close", "help"):
            assert f"`/prr {command}" in reply.text


def test_an_unknown_command_is_named_with_the_help(db: None) -> None:
    reply = slash("anyone", "approve PRR-1")
    assert reply.text.startswith("Unknown command `approve`. Try `/prr help`.")


def test_start_makes_the_caller_dri_and_links_the_channel(
    small_playbook: PlaybookVersion, dri: User, sre_member: User
) -> None:
    reply = slash(dri, f"start small service {TITLE}")
    review = Review.objects.get()
    assert (review.title, review.kind, review.dri) == (TITLE, "service", dri)
    assert linked_review("mattermost", "ch1") == review
    assert ChannelLink.objects.get().channel_name == "name-ch1"
    assert reply.in_channel
    assert reply.text.startswith(
        f"@dana started [PRR-1 {TITLE}](http://localhost:8000/reviews/1/) (service, playbook "
        "`small`). Approvals by: "
    )
    assert "This channel is linked to it" in reply.text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("start small", "Usage: `/prr start PLAYBOOK KIND TITLE…`"),
        (f"start nope service {TITLE}", "No playbook 'nope'"),
        ("start small service Too short", "at least 3 words and 15 characters"),
        (f"start small rocket {TITLE}", "rocket"),
    ],
)
def test_start_refusals_start_nothing(
    small_playbook: PlaybookVersion, dri: User, text: str, expected: str
) -> None:
    reply = slash(dri, text)
    assert expected in reply.text
    assert not reply.in_channel
    assert not Review.objects.exists()
    assert not ChannelLink.objects.exists()


def test_start_in_a_channel_linked_elsewhere_starts_nothing(review: Review, dri: User) -> None:
    link_channel(review, platform="mattermost", channel_id="ch1", by=dri)
    reply = slash(dri, "start small service Search cluster moves to new hosts")
    assert reply.text == (
        "This Mattermost channel is already linked to PRR-1; unlink it there first "
        "(`/prr unlink` in the channel)."
    )
    assert not reply.in_channel
    assert list(Review.objects.values_list("number", flat=True)) == [1]
    assert linked_review("mattermost", "ch1") == review


def test_start_by_an_unknown_person_says_what_to_do(small_playbook: PlaybookVersion) -> None:
    reply = slash("zed", f"start small service {TITLE}")
    assert "prr does not know the Mattermost user @zed" in reply.text
    assert not Review.objects.exists()


def test_status_says_what_is_done_and_who_is_waited_on(
    review: Review, dri: User, sre_member: User
) -> None:
    link_channel(review, platform="mattermost", channel_id="ch1", by=dri)
    set_item_state(review, "sre-review", "done", by=sre_member)
    reply = slash(sre_member, "status")
    assert not reply.in_channel
    lines = reply.text.splitlines()
    assert lines[0] == (
        f"**[PRR-1 {TITLE}](http://localhost:8000/reviews/1/)** — open, DRI @dana. "
        "1 of 4 required items complete."
    )
    assert (
        "- waiting on the DRI @dana: Dashboards linked (`dashboards`), Load test done (`load-test`)"
        in lines
    )
    assert "- waiting on team `security`: Security review (`security-review`)" in lines


def test_status_in_an_unlinked_channel_explains_linking(review: Review, dri: User) -> None:
    reply = slash(dri, "status")
    assert reply.text.startswith("This channel is not linked to a review. Link it with")
    assert "PRR-1" in slash(dri, "status PRR-1").text  # a review named explicitly


def test_list_shows_open_reviews_and_what_they_wait_on(review: Review, dri: User) -> None:
    reply = slash(dri, "list")
    assert f"[PRR-1 {TITLE}](http://localhost:8000/reviews/1/) — DRI @dana; waiting on" in (
        reply.text
    )
    assert "Security (1)" in reply.text


def test_list_with_no_reviews(db: None) -> None:
    assert slash("anyone", "list").text.startswith("No open reviews.")


def test_link_and_unlink_from_the_channel(review: Review, dri: User) -> None:
    reply = slash(dri, "link PRR-1", channel="ch9")
    assert reply.in_channel
    assert reply.text.startswith("@dana linked this channel to [PRR-1")
    assert linked_review("mattermost", "ch9") == review
    reply = slash(dri, "unlink", channel="ch9")
    assert reply.text == (
        "@dana unlinked this channel from PRR-1; messages here no longer go to the review."
    )
    assert linked_review("mattermost", "ch9") is None


def test_link_by_an_outsider_is_refused(review: Review, outsider: User) -> None:
    reply = slash(outsider, "link PRR-1")
    assert reply.text == "Only the DRI (@dana) or an admin can link a channel to PRR-1."
    assert not reply.in_channel
    assert linked_review("mattermost", "ch1") is None


@pytest.mark.parametrize(
    ("text", "expected"), [("link", "Usage: `/prr link PRR-12`."), ("link PRR-77", "PRR-77")]
)
def test_link_bad_input(review: Review, dri: User, text: str, expected: str) -> None:
    assert expected in slash(dri, text).text
    assert not ChannelLink.objects.exists()


def test_set_changes_an_item_by_hand_with_the_same_rules(
    review: Review, dri: User, outsider: User
) -> None:
    link_channel(review, platform="mattermost", channel_id="ch1", by=dri)
    done = slash(dri, "set load-test done")
    assert done.in_channel
    assert done.text == "@dana marked 'Load test done' done on PRR-1."
    na = slash(dri, "set tracing na Tracing is covered by the mesh")
    assert na.text == (
        "@dana marked 'Tracing enabled' n/a on PRR-1: Tracing is covered by the mesh."
    )
    refused = slash(outsider, "set dashboards done")
    assert not refused.in_channel
    assert refused.text == "Only the DRI (@dana) or an admin can change 'Dashboards linked'."
    assert review.items.get(key="dashboards").state == "open"
    assert "Usage: `/prr set ITEM_KEY" in slash(dri, "set dashboards").text
    assert "no item" in slash(dri, "set nope done").text.lower()


def test_close_refused_until_ready_then_closes_with_the_snapshot_link(
    review: Review, dri: User, sre_member: User, security_member: User
) -> None:
    link_channel(review, platform="mattermost", channel_id="ch1", by=dri)
    refused = slash(dri, "close")
    assert not refused.in_channel
    assert "Security review is still open; waiting for a member of team Security" in refused.text
    assert review.snapshots.count() == 0
    for key in ("dashboards", "load-test"):
        set_item_state(review, key, "done", by=dri)
    set_item_state(review, "sre-review", "done", by=sre_member)
    set_item_state(review, "security-review", "done", by=security_member)
    assert slash(sre_member, "close").text.startswith("Only the DRI (@dana) or an admin")
    closed = slash(dri, "close")
    snapshot = Snapshot.objects.get()
    assert closed.in_channel
    assert closed.text == (
        "@dana closed PRR-1. The review document is frozen as [snapshot v1]"
        "(http://localhost:8000/reviews/1/snapshots/1/) "
        f"(sha256 `{snapshot.sha256[:12]}…`)."
    )

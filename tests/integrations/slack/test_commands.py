"""The `/prr` slash command in Slack: form-encoded as Slack sends it, answered in mrkdwn."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.utils import timezone

from prr.integrations.chat.models import ChannelLink
from prr.integrations.slack.models import CommandReceipt
from prr.reviews.items import set_item_state
from prr.reviews.models import Review

from .conftest import BASE_URL, CHANNEL, OTHER_CHANNEL, TEAM_ID, command_form, posted

pytestmark = pytest.mark.django_db(transaction=True)

TITLE = "Checkout service launch in the EU region"
COMMANDS = "/integrations/slack/commands"
FORM = "application/x-www-form-urlencoded"


def channel_posts(slack_api) -> list[tuple[str, str]]:
    return [(body["channel"], body["text"]) for body in posted(slack_api)]


def review_link(review: Review) -> str:
    return f"<{BASE_URL}/reviews/{review.number}/|{review.ref} {review.title}>"


def test_help_is_a_list_only_the_caller_sees(slack):
    answer = slack.command("help", user="U0OSCAR")
    assert answer.status == 200
    assert answer.headers["Content-Type"] == "application/json"
    assert answer.body["response_type"] == "ephemeral"
    text = answer.text
    assert text.startswith("*prr* — Production Readiness Reviews from this channel.")
    assert "• `/prr start PLAYBOOK KIND TITLE…` — start a review with you as DRI" in text
    assert "• `/prr close` — close the linked review (once every required item is done)" in text
    assert "|" not in text  # Slack shows no tables


def test_an_empty_command_shows_the_help(slack):
    assert slack.command("", user="U0OSCAR").text.startswith("*prr* — ")


def test_an_unknown_command_says_so(slack):
    answer = slack.command("approve everything", user="U0DANA")
    assert answer.text.startswith("Unknown command `approve`. Try `/prr help`.")


def test_start_creates_the_review_with_the_caller_as_dri_and_links_the_channel(
    slack, small_playbook, dri
):
    answer = slack.command(f"start small service {TITLE}", user="U0DANA")
    review = Review.objects.get()
    assert (review.title, review.dri, review.kind) == (TITLE, dri, "service")
    link = ChannelLink.objects.get()
    assert (link.platform, link.channel_id, link.channel_name, link.team_id, link.review) == (
        "slack",
        CHANNEL,
        "payments-launch",
        TEAM_ID,
        review,
    )
    assert answer.body == {
        "response_type": "in_channel",
        "text": f"@dana started {review_link(review)} (service, playbook `small`). Approvals "
        "by: Security, SRE. This channel is linked to it: write here to discuss "
        "and approve.",
    }


def test_start_without_a_title_shows_how(slack, small_playbook, dri):
    answer = slack.command("start small service", user="U0DANA")
    assert answer.body["response_type"] == "ephemeral"
    assert answer.text.startswith("Usage: `/prr start PLAYBOOK KIND TITLE…`")
    assert not Review.objects.exists()


def test_start_refuses_a_title_that_is_not_self_descriptive(slack, small_playbook, dri):
    answer = slack.command("start small service Launch", user="U0DANA")
    assert answer.body["response_type"] == "ephemeral"
    assert answer.text.startswith(
        "The title 'Launch' is not self-descriptive: use at least 3 words"
    )
    assert not Review.objects.exists()


def test_start_by_a_slack_user_prr_does_not_know_is_refused(slack, small_playbook):
    answer = slack.command(f"start small service {TITLE}", user="U0STRANGER")
    assert answer.body == {
        "response_type": "ephemeral",
        "text": "prr does not know the Slack user @stranger. Ask a prr admin to create your "
        "account with the same username, or to link it: "
        "`prr user link USERNAME --slack U0STRANGER`.",
    }
    assert not Review.objects.exists()


def test_status_tells_what_the_linked_review_waits_on(slack, linked):
    answer = slack.command("status", user="U0OSCAR")
    assert answer.body["response_type"] == "ephemeral"
    assert answer.text.splitlines() == [
        f"*{review_link(linked)}* — open, DRI @dana. 0 of 4 required items complete.",
        "• waiting on the DRI @dana: Dashboards linked (`dashboards`), Load test done "
        "(`load-test`)",
        "• waiting on team `sre`: SRE review (`sre-review`)",
        "• waiting on team `security`: Security review (`security-review`)",
    ]


def test_status_in_an_unlinked_channel_says_how_to_link(slack, linked):
    answer = slack.command("status", user="U0DANA", channel=OTHER_CHANNEL)
    assert answer.text == (
        "This channel is not linked to a review. Link it with `/prr link PRR-12`, or start one "
        "with `/prr start PLAYBOOK KIND TITLE…`."
    )


def test_list_shows_the_open_reviews(slack, linked):
    answer = slack.command("list", user="U0OSCAR")
    assert answer.text.splitlines() == [
        "*Open reviews*",
        "",
        f"• {review_link(linked)} — DRI @dana; waiting on DRI (2), SRE (1), Security (1)",
    ]


def test_link_by_the_dri_links_the_channel(slack, review, dri):
    answer = slack.command(f"link {review.ref}", user="U0DANA", channel=OTHER_CHANNEL)
    assert answer.body["response_type"] == "in_channel"
    assert answer.text == (
        f"@dana linked this channel to {review_link(review)}: messages here go to the review, "
        "and its news is posted here."
    )
    link = ChannelLink.objects.get()
    assert (link.channel_id, link.channel_name, link.review) == (OTHER_CHANNEL, "random", review)


def test_link_by_someone_else_is_refused(slack, review, sre_member):
    answer = slack.command(f"link {review.ref}", user="U0SAM")
    assert answer.body == {
        "response_type": "ephemeral",
        "text": f"Only the DRI (@dana) or an admin can link a channel to {review.ref}.",
    }
    assert not ChannelLink.objects.exists()


def test_link_of_a_review_that_does_not_exist_is_refused(slack, dri):
    answer = slack.command("link PRR-404", user="U0DANA")
    assert answer.body == {"response_type": "ephemeral", "text": "No review PRR-404."}
    assert not ChannelLink.objects.exists()


def test_unlink_by_the_dri(slack, linked, dri):
    answer = slack.command("unlink", user="U0DANA")
    assert answer.body["response_type"] == "in_channel"
    assert answer.text == (
        f"@dana unlinked this channel from {linked.ref}; messages here no longer go to the review."
    )
    assert not ChannelLink.objects.exists()


def test_unlink_by_someone_else_is_refused(slack, linked, sre_member):
    answer = slack.command("unlink", user="U0SAM")
    assert (
        answer.text == f"Only the DRI (@dana) or an admin can unlink a channel from {linked.ref}."
    )
    assert ChannelLink.objects.filter(review=linked).exists()


def test_close_before_every_required_item_is_done_is_refused_with_what_is_missing(
    slack, linked, dri
):
    answer = slack.command("close", user="U0DANA")
    assert answer.body["response_type"] == "ephemeral"
    assert answer.text.splitlines() == [
        f"{linked.ref} cannot be closed yet:",
        "  • Dashboards linked is still open; waiting for the DRI @dana",
        "  • Load test done is still open; waiting for the DRI @dana",
        "  • SRE review is still open; waiting for a member of team SRE to approve",
        "  • Security review is still open; waiting for a member of team Security to approve",
    ]
    linked.refresh_from_db()
    assert linked.status == "open"
    assert not linked.snapshots.exists()


def test_close_by_someone_other_than_the_dri_is_refused(slack, linked, sre_member):
    answer = slack.command("close", user="U0SAM")
    assert answer.body == {
        "response_type": "ephemeral",
        "text": f"Only the DRI (@dana) or an admin can close {linked.ref}.",
    }
    linked.refresh_from_db()
    assert linked.status == "open"


def test_close_in_an_unlinked_channel_is_refused(slack, linked, dri):
    answer = slack.command("close", user="U0DANA", channel=OTHER_CHANNEL)
    assert answer.text.startswith("This channel is not linked to a review.")
    linked.refresh_from_db()
    assert linked.status == "open"


def test_close_when_ready_freezes_the_snapshot_and_links_it(
    slack, linked, dri, sre_member, security_member
):
    set_item_state(linked, "dashboards", "done", by=dri)
    set_item_state(linked, "load-test", "done", by=dri)
    set_item_state(linked, "sre-review", "done", by=sre_member)
    set_item_state(linked, "security-review", "done", by=security_member)
    answer = slack.command("close", user="U0DANA")
    linked.refresh_from_db()
    assert linked.status == "closed"
    snapshot = linked.snapshots.get()
    assert answer.body == {
        "response_type": "in_channel",
        "text": f"@dana closed {linked.ref}. The review document is frozen as "
        f"<{BASE_URL}/reviews/{linked.number}/snapshots/1/|snapshot v1> "
        f"(sha256 `{snapshot.sha256[:12]}…`).",
    }


# -- refused before any command runs ---------------------------------------------------------------


def test_a_command_with_a_bad_signature_is_refused(slack, small_playbook, dri):
    slack.secret = "not-the-signing-secret-of-this-app"
    answer = slack.command(f"start small service {TITLE}", user="U0DANA")
    assert answer.status == 401
    assert answer.text.startswith("X-Slack-Signature does not match the body")
    assert not Review.objects.exists()


def test_a_command_signed_six_minutes_ago_is_refused(slack, small_playbook, dri):
    answer = slack.command(
        f"start small service {TITLE}", user="U0DANA", timestamp=int(time.time()) - 360
    )
    assert answer.status == 401
    assert "refused as a possible replay" in answer.text
    assert not Review.objects.exists()


def test_commands_answer_404_when_slack_is_not_enabled(slack, settings, small_playbook, dri):
    settings.SLACK_SIGNING_SECRETS = []
    answer = slack.command(f"start small service {TITLE}", user="U0DANA")
    assert answer.status == 404
    assert answer.body == {"text": "Slack is not enabled on this prr server."}
    assert not Review.objects.exists()


# -- a signed request sent again runs once ---------------------------------------------------------


def ready_to_close(review: Review, dri, sre_member, security_member) -> None:
    set_item_state(review, "dashboards", "done", by=dri)
    set_item_state(review, "load-test", "done", by=dri)
    set_item_state(review, "sre-review", "done", by=sre_member)
    set_item_state(review, "security-review", "done", by=security_member)


def close_request(slack) -> tuple[bytes, int]:
    """A `/prr close` exactly as Slack sent it once: its body and the time it was signed."""
    return urlencode(command_form("close", user="U0DANA")).encode(), int(time.time())


def test_a_replayed_close_closes_once_and_posts_once(
    slack, slack_api, linked, dri, sre_member, security_member, send_chat_posts
):
    ready_to_close(linked, dri, sre_member, security_member)
    body, signed_at = close_request(slack)
    first = slack.send(COMMANDS, body, FORM, timestamp=signed_at)
    assert first.body["response_type"] == "in_channel"
    replay = slack.send(COMMANDS, body, FORM, timestamp=signed_at)
    assert replay.status == 200
    assert replay.body == {
        "response_type": "ephemeral",
        "text": "This /prr command was already received: the same signed request was sent "
        "again, and prr runs a command once. Type the command again to run it again.",
    }
    linked.refresh_from_db()
    assert linked.status == "closed"
    assert linked.snapshots.count() == 1
    assert linked.timeline.filter(kind="review.closed").count() == 1
    send_chat_posts()
    closed_news = [text for _, text in channel_posts(slack_api) if ":lock:" in text]
    assert len(closed_news) == 1


def test_two_identical_requests_at_the_same_moment_run_once(
    slack, linked, dri, sre_member, security_member
):
    ready_to_close(linked, dri, sre_member, security_member)
    body, signed_at = close_request(slack)
    with ThreadPoolExecutor(2) as pool:
        answers = list(
            pool.map(lambda _: slack.send(COMMANDS, body, FORM, timestamp=signed_at), range(2))
        )
    assert sorted(a.body["response_type"] for a in answers) == ["ephemeral", "in_channel"]
    assert linked.snapshots.count() == 1


def test_the_same_command_typed_again_runs_again(slack, linked):
    first = slack.command("status", user="U0DANA")
    second = slack.command("status", user="U0DANA")
    assert first.body == second.body
    assert "already received" not in second.text


def test_receipts_older_than_the_signature_window_are_pruned(slack, linked):
    CommandReceipt.objects.create(key="0" * 64)
    CommandReceipt.objects.update(created_at=timezone.now() - timedelta(minutes=11))
    slack.command("status", user="U0DANA")
    assert CommandReceipt.objects.filter(key="0" * 64).count() == 0
    assert CommandReceipt.objects.count() == 1  # the status just run


def test_a_command_s_user_is_looked_up_not_taken_from_its_user_name(slack, small_playbook, dri):
    # The form's deprecated user_name says "dana", but the caller is U0OSCAR (users.info: oscar).
    form = {**command_form(f"start small service {TITLE}", user="U0OSCAR"), "user_name": "dana"}

    answer = slack.send(
        "/integrations/slack/commands",
        urlencode(form).encode(),
        "application/x-www-form-urlencoded",
    )

    assert answer.body["text"].startswith("prr does not know the Slack user @oscar.")
    assert not Review.objects.exists()

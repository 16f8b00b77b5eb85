"""The `/prr` slash command, as Mattermost sends it (form-encoded POST) to a live prr.

Mattermost shows an `ephemeral` answer to the caller alone and posts an `in_channel` one.
"""

from __future__ import annotations

from typing import Any

import pytest

from prr.accounts.models import User
from prr.integrations.chat.commands import HELP
from prr.integrations.chat.models import ChannelLink
from prr.playbooks.models import PlaybookVersion
from prr.reviews.items import set_item_state
from prr.reviews.models import Review
from prr.reviews.starting import start_review
from tests.integrations.mattermost.conftest import (
    CHANNEL_ID,
    CHANNEL_NAME,
    COMMAND_TOKEN,
    OTHER_CHANNEL_ID,
    TEAM_ID,
    WEBHOOK_TOKEN,
    Mattermost,
    Reply,
)

pytestmark = pytest.mark.django_db(transaction=True)

REVIEW = (
    "[PRR-1 Payments API: move card tokenisation to the vault](https://prr.example.com/reviews/1/)"
)


def ephemeral(reply: Reply) -> str:
    assert (reply.status, reply.content_type) == (200, "application/json")
    assert reply.json["response_type"] == "ephemeral"
    return reply.text


def in_channel(reply: Reply) -> str:
    assert (reply.status, reply.content_type) == (200, "application/json")
    assert reply.json["response_type"] == "in_channel"
    return reply.text


@pytest.mark.parametrize("text", ["", "help", "HELP"])
def test_help_lists_the_commands(mattermost: Mattermost, dri: User, text: str) -> None:
    assert ephemeral(mattermost.command(text, "dana")) == HELP


def test_an_unknown_command_says_so_and_shows_help(mattermost: Mattermost, dri: User) -> None:
    assert ephemeral(mattermost.command("approve", "dana")) == (
        f"Unknown command `approve`. Try `/prr help`.\n\n{HELP}"
    )


# -- start --------------------------------------------------------------------------------


def test_start_makes_the_caller_dri_and_links_the_channel(
    mattermost: Mattermost, small_playbook: PlaybookVersion, dri: User
) -> None:
    reply = mattermost.command(
        "start small service Payments API: move card tokenisation to the vault", "dana"
    )

    assert in_channel(reply) == (
        f"@dana started {REVIEW} (service, playbook `small`). Approvals by: Security, SRE. "
        "This channel is linked to it: write here to discuss and approve."
    )
    review = Review.objects.get()
    assert (review.dri, review.kind, review.status) == (dri, "service", "open")
    link = ChannelLink.objects.get()
    assert (link.review, link.platform, link.channel_id, link.channel_name, link.team_id) == (
        review,
        "mattermost",
        CHANNEL_ID,
        CHANNEL_NAME,
        TEAM_ID,
    )


def test_start_without_a_title_shows_its_usage(
    mattermost: Mattermost, small_playbook: PlaybookVersion, dri: User
) -> None:
    assert ephemeral(mattermost.command("start small service", "dana")) == (
        "Usage: `/prr start PLAYBOOK KIND TITLE…`, for example "
        "`/prr start prr service Payments API launch in EU`."
    )
    assert not Review.objects.exists()


def test_start_by_an_unknown_user_is_refused(
    mattermost: Mattermost, small_playbook: PlaybookVersion
) -> None:
    reply = mattermost.command("start small service Payments API", "ghost")

    assert ephemeral(reply).startswith("prr does not know the Mattermost user @ghost.")
    assert not Review.objects.exists()


def test_start_with_an_unknown_kind_is_refused(
    mattermost: Mattermost, small_playbook: PlaybookVersion, dri: User
) -> None:
    reply = mattermost.command("start small rocket Payments API", "dana")

    assert ephemeral(reply) == (
        "Playbook 'small' has no kind 'rocket' (kinds: service, feature, infrastructure)."
    )
    assert not Review.objects.exists()
    assert not ChannelLink.objects.exists()


# -- status and list ----------------------------------------------------------------------


def test_status_shows_what_the_linked_review_waits_on(
    mattermost: Mattermost, linked: ChannelLink, review: Review, dri: User
) -> None:
    set_item_state(review, "dashboards", "done", by=dri)

    assert ephemeral(mattermost.command("status", "dana")) == (
        f"**{REVIEW}** — open, DRI @dana. 1 of 4 required items complete.\n"
        "- waiting on the DRI @dana: Load test done (`load-test`)\n"
        "- waiting on team `sre`: SRE review (`sre-review`)\n"
        "- waiting on team `security`: Security review (`security-review`)"
    )


def test_status_in_an_unlinked_channel_says_how_to_link(
    mattermost: Mattermost, linked: ChannelLink, dri: User
) -> None:
    assert ephemeral(mattermost.command("status", "dana", channel_id=OTHER_CHANNEL_ID)) == (
        "This channel is not linked to a review. Link it with `/prr link PRR-12`, or start one "
        "with `/prr start PLAYBOOK KIND TITLE…`."
    )


def test_list_shows_the_open_reviews(
    mattermost: Mattermost, review: Review, small_playbook: PlaybookVersion, dri: User
) -> None:
    start_review(version=small_playbook, title="Search: new ranking", dri=dri, kind="feature")

    assert ephemeral(mattermost.command("list", "oscar")) == (
        "**Open reviews**\n\n"
        "- [PRR-2 Search: new ranking](https://prr.example.com/reviews/2/) — DRI @dana; "
        "waiting on DRI (1), SRE (1), Security (1)\n"
        f"- {REVIEW} — DRI @dana; waiting on DRI (2), SRE (1), Security (1)"
    )


# -- link and unlink ----------------------------------------------------------------------


def test_the_dri_links_the_channel(mattermost: Mattermost, review: Review, dri: User) -> None:
    reply = mattermost.command("link PRR-1", "dana")

    assert in_channel(reply) == (
        f"@dana linked this channel to {REVIEW}: messages here go to the review, and its news "
        "is posted here."
    )
    assert ChannelLink.objects.get().channel_id == CHANNEL_ID


def test_someone_else_cannot_link_it(
    mattermost: Mattermost, review: Review, sre_member: User
) -> None:
    assert ephemeral(mattermost.command("link PRR-1", "sam")) == (
        "Only the DRI (@dana) or an admin can link a channel to PRR-1."
    )
    assert not ChannelLink.objects.exists()


def test_link_of_an_unknown_review_is_refused(mattermost: Mattermost, dri: User) -> None:
    assert ephemeral(mattermost.command("link PRR-99", "dana")) == "No review PRR-99."
    assert not ChannelLink.objects.exists()


# Mattermost's names for a direct message (two user ids) and a group message (a SHA-1).
DIRECT_MESSAGE = "d8n4ecmqc3ym7jm9mfxbqyoy1a__s4m7x1ohq3fdbbxe8yt7a1zjzh"
GROUP_MESSAGE = "3f786850e387550fdab836ed7e6dc881de23001b"
UNHEARD = (
    "This is {kind}: Mattermost sends prr messages from public channels only (outgoing webhooks "
    "never fire elsewhere), so approvals written here would never reach the review. Link a "
    "public channel instead, or start the review with `/prr start` in one."
)


@pytest.mark.parametrize(
    ("channel_name", "kind"),
    [(DIRECT_MESSAGE, "a direct message"), (GROUP_MESSAGE, "a group message")],
)
def test_a_direct_or_group_message_cannot_be_linked(
    mattermost: Mattermost, review: Review, dri: User, channel_name: str, kind: str
) -> None:
    reply = mattermost.command("link PRR-1", "dana", channel_name=channel_name)

    assert ephemeral(reply) == UNHEARD.format(kind=kind)
    assert not ChannelLink.objects.exists()


def test_start_in_a_direct_message_is_refused_and_starts_nothing(
    mattermost: Mattermost, small_playbook: PlaybookVersion, dri: User
) -> None:
    reply = mattermost.command(
        "start small service Payments API launch in EU", "dana", channel_name=DIRECT_MESSAGE
    )

    assert ephemeral(reply) == UNHEARD.format(kind="a direct message")
    assert not Review.objects.exists()


@pytest.mark.parametrize(("channel_type", "linked"), [("P", False), ("O", True)])
def test_with_the_bot_prr_asks_whether_the_channel_is_private(
    mattermost: Mattermost,
    chat_server: Any,
    settings: Any,
    review: Review,
    dri: User,
    channel_type: str,
    linked: bool,
) -> None:
    settings.MATTERMOST_URL = chat_server.url
    settings.MATTERMOST_BOT_TOKEN = "bot-token"
    chat_server.on(
        "GET", f"/api/v4/channels/{CHANNEL_ID}", (200, {"id": CHANNEL_ID, "type": channel_type})
    )

    reply = mattermost.command("link PRR-1", "dana")

    if linked:
        assert in_channel(reply).startswith("@dana linked this channel to")
    else:
        assert ephemeral(reply) == UNHEARD.format(kind="a private channel")
    assert ChannelLink.objects.exists() is linked


def test_the_dri_unlinks_the_channel(
    mattermost: Mattermost, linked: ChannelLink, dri: User
) -> None:
    assert in_channel(mattermost.command("unlink", "dana")) == (
        "@dana unlinked this channel from PRR-1; messages here no longer go to the review."
    )
    assert not ChannelLink.objects.exists()


# -- close --------------------------------------------------------------------------------


def test_close_before_ready_lists_what_is_missing(
    mattermost: Mattermost, linked: ChannelLink, review: Review, dri: User
) -> None:
    reply = mattermost.command("close", "dana")

    assert ephemeral(reply) == (
        "PRR-1 cannot be closed yet:\n"
        "  - Dashboards linked is still open; waiting for the DRI @dana\n"
        "  - Load test done is still open; waiting for the DRI @dana\n"
        "  - SRE review is still open; waiting for a member of team SRE to approve\n"
        "  - Security review is still open; waiting for a member of team Security to approve"
    )
    review.refresh_from_db()
    assert review.status == "open"


def test_close_when_ready_freezes_a_snapshot(
    mattermost: Mattermost,
    linked: ChannelLink,
    review: Review,
    dri: User,
    sre_member: User,
    security_member: User,
) -> None:
    for key, who in [
        ("dashboards", dri),
        ("load-test", dri),
        ("sre-review", sre_member),
        ("security-review", security_member),
    ]:
        set_item_state(review, key, "done", by=who)

    reply = mattermost.command("close", "dana")

    snapshot = review.snapshots.get()
    assert in_channel(reply) == (
        "@dana closed PRR-1. The review document is frozen as "
        "[snapshot v1](https://prr.example.com/reviews/1/snapshots/1/) "
        f"(sha256 `{snapshot.sha256[:12]}…`)."
    )
    review.refresh_from_db()
    assert review.status == "closed"


def test_only_the_dri_closes(
    mattermost: Mattermost, linked: ChannelLink, review: Review, sre_member: User
) -> None:
    assert ephemeral(mattermost.command("close", "sam")) == (
        "Only the DRI (@dana) or an admin can close PRR-1."
    )
    review.refresh_from_db()
    assert review.status == "open"


# -- refusals before any command runs -----------------------------------------------------


def test_a_wrong_token_is_refused(
    mattermost: Mattermost, small_playbook: PlaybookVersion, dri: User
) -> None:
    reply = mattermost.command("start small service Payments API", "dana", token="nope")

    assert (reply.status, reply.content_type) == (401, "application/json")
    assert reply.text == (
        "The Mattermost slash command token is wrong, so prr ignored this request. A prr admin "
        "sets the token Mattermost shows for the slash command in PRR_MATTERMOST_COMMAND_TOKENS."
    )
    assert not Review.objects.exists()


def test_the_webhook_token_does_not_run_commands(
    mattermost: Mattermost, small_playbook: PlaybookVersion, dri: User
) -> None:
    reply = mattermost.command("start small service Payments API", "dana", token=WEBHOOK_TOKEN)

    assert reply.status == 401
    assert not Review.objects.exists()


def test_without_a_token_configured_the_command_is_not_enabled(
    mattermost: Mattermost, dri: User, settings: Any
) -> None:
    settings.MATTERMOST_COMMAND_TOKENS = []

    reply = mattermost.command("help", "dana")

    assert (reply.status, reply.text) == (
        404,
        "The Mattermost slash command is not enabled on this prr server.",
    )


def test_a_request_without_a_user_is_refused(mattermost: Mattermost) -> None:
    reply = mattermost.send(
        "/integrations/mattermost/command",
        b"channel_id=hawos4dqtby53pd64o4a4cmeoo&command=%2Fprr&text=help&token="
        + COMMAND_TOKEN.encode(),
        {"Content-Type": "application/x-www-form-urlencoded"},
    )

    assert (reply.status, reply.text) == (400, "The request lacks user_id, user_name.")

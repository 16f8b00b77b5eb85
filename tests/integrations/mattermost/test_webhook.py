"""The outgoing webhook: messages written in a linked channel reach the review as their authors.

Every request is shaped like Mattermost's (form-encoded, or JSON when the webhook is
configured so) and sent over HTTP to a live prr; prr's answer is what Mattermost posts back.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from typing import Any

import pytest
from django.db import OperationalError

from prr.accounts.models import User
from prr.integrations.chat.models import ChannelLink
from prr.integrations.chat.services import link_user
from prr.integrations.mattermost import views
from prr.reviews.lifecycle import close_review
from prr.reviews.models import Message, Review
from tests.integrations.mattermost.conftest import (
    IDS,
    OTHER_CHANNEL_ID,
    Mattermost,
    Reply,
)

pytestmark = pytest.mark.django_db(transaction=True)

APPROVED = "'SRE review' is now done: approved by @sam (member of team SRE) in message #{pk}."


def state(review: Review, key: str) -> str:
    return review.items.get(key=key).state


def assert_comment(reply: Reply, text: str) -> None:
    """Mattermost posts the text in the channel: without the bot, prr cannot tell whether the
    message is a thread's root, and a comment on a reply would be refused (see test_threads)."""
    assert reply.status == 200
    assert reply.content_type == "application/json"
    assert reply.json == {"text": text, "username": "prr"}


def assert_refused_quietly(reply: Reply, status: int, logged: str, caplog: Any) -> None:
    """Mattermost would post any text in the channel: the refusal has no body, and is logged."""
    assert (reply.status, reply.body) == (status, b"")
    assert logged in caplog.text


@pytest.mark.parametrize("as_json", [False, True], ids=["form-encoded", "json"])
def test_a_member_approves_with_the_phrase(
    mattermost: Mattermost, linked: ChannelLink, review: Review, sre_member: User, as_json: bool
) -> None:
    reply = mattermost.post("SRE review is completed, dashboards look good", "sam", as_json=as_json)

    message = Message.objects.get(review=review, source="mattermost")
    assert_comment(reply, APPROVED.format(pk=message.pk))
    assert message.author == sre_member
    assert message.body == "SRE review is completed, dashboards look good"
    assert message.external_id == "p00001xdygg1957njfe5pu38sai"
    assert state(review, "sre-review") == "done"


def test_a_message_without_a_phrase_is_recorded_and_answered_with_nothing(
    mattermost: Mattermost, linked: ChannelLink, review: Review, sre_member: User
) -> None:
    reply = mattermost.post("Looking at the load test results now", "sam")

    assert (reply.status, reply.body) == (200, b"")  # Mattermost posts nothing
    assert list(Message.objects.filter(review=review).values_list("body", "author__username")) == [
        ("Looking at the load test results now", "sam")
    ]


def test_the_same_post_delivered_twice_is_stored_once(
    mattermost: Mattermost, linked: ChannelLink, review: Review, sre_member: User
) -> None:
    payload = mattermost.message_payload("SRE review is completed", "sam")

    first = mattermost.deliver(payload)
    again = mattermost.deliver(payload, as_json=True)  # a second webhook on the same channel

    message = Message.objects.get(review=review, source="mattermost")
    assert_comment(first, APPROVED.format(pk=message.pk))
    assert (again.status, again.body) == (200, b"")  # answered once, the first time
    assert Message.objects.filter(review=review).count() == 2  # the message and prr's reply
    assert review.timeline.filter(kind="item.changed").count() == 1


def test_a_linked_account_speaks_as_its_prr_user_whatever_its_username(
    mattermost: Mattermost, linked: ChannelLink, review: Review, sre_member: User
) -> None:
    link_user(sre_member, platform="mattermost", external_id=IDS["sam"], by=None)

    reply = mattermost.post("SRE review is completed", "samuel.okafor", user_id=IDS["sam"])

    message = Message.objects.get(review=review, source="mattermost")
    assert_comment(reply, APPROVED.format(pk=message.pk))
    assert message.author == sre_member


def test_an_older_token_still_configured_is_accepted(
    mattermost: Mattermost, linked: ChannelLink, review: Review, sre_member: User
) -> None:
    reply = mattermost.post("Hello", "sam", token="an-older-token-still-accepted")

    assert reply.status == 200
    assert Message.objects.filter(review=review).count() == 1


# -- refusals: each says why, and nothing changes ------------------------------------------


@pytest.mark.parametrize("token", ["wrong-token-wrong-token-xx", ""], ids=["wrong", "missing"])
def test_a_wrong_token_is_refused(
    mattermost: Mattermost,
    linked: ChannelLink,
    review: Review,
    sre_member: User,
    token: str,
    caplog: Any,
) -> None:
    reply = mattermost.post("SRE review is completed", "sam", token=token)

    assert_refused_quietly(
        reply,
        401,
        "The Mattermost outgoing webhook token is wrong, so prr ignored this request. A prr "
        "admin sets the token Mattermost shows for the outgoing webhook in "
        "PRR_MATTERMOST_WEBHOOK_TOKENS.",
        caplog,
    )
    assert not Message.objects.filter(review=review).exists()
    assert state(review, "sre-review") == "open"


def test_an_unknown_user_is_told_how_to_get_linked(
    mattermost: Mattermost, linked: ChannelLink, review: Review
) -> None:
    reply = mattermost.post("SRE review is completed", "ghost")

    assert_comment(
        reply,
        "prr does not know the Mattermost user @ghost. Ask a prr admin to create your account "
        "with the same username, or to link it: "
        f"`prr user link USERNAME --mattermost {IDS['ghost']}`.",
    )
    assert not Message.objects.filter(review=review).exists()
    assert state(review, "sre-review") == "open"


def test_a_message_in_an_unlinked_channel_is_not_recorded(
    mattermost: Mattermost, linked: ChannelLink, review: Review, sre_member: User
) -> None:
    reply = mattermost.post(
        "SRE review is completed", "sam", channel_id=OTHER_CHANNEL_ID, channel_name="town-square"
    )

    assert_comment(
        reply,
        "This Mattermost channel is not linked to a review, so prr did not record this message. "
        "Link it with `/prr link PRR-12`, or start a review here with "
        "`/prr start PLAYBOOK KIND TITLE`.",
    )
    assert not Message.objects.exists()
    assert state(review, "sre-review") == "open"


def test_a_phrase_on_a_closed_review_changes_nothing(
    mattermost: Mattermost, linked: ChannelLink, review: Review, sre_member: User, admin: User
) -> None:
    close_review(review, by=admin, force=True, reason="Launched without the SRE review")

    reply = mattermost.post("SRE review is completed", "sam")

    assert_comment(reply, "PRR-1 is closed; approvals no longer change it ('SRE review').")
    assert state(review, "sre-review") == "open"
    assert not review.timeline.filter(kind="item.changed").exists()


def test_a_phrase_from_a_non_member_changes_nothing(
    mattermost: Mattermost,
    linked: ChannelLink,
    review: Review,
    sre_member: User,
    outsider: User,
) -> None:
    reply = mattermost.post("SRE review is completed", "oscar")

    assert_comment(
        reply,
        "@oscar is not a member of team SRE, so this does not change 'SRE review'. "
        "Who can: SRE: @sam.",
    )
    assert state(review, "sre-review") == "open"


def test_a_deactivated_account_is_refused(
    mattermost: Mattermost, linked: ChannelLink, review: Review, sre_member: User
) -> None:
    sre_member.is_active = False
    sre_member.save()

    reply = mattermost.post("SRE review is completed", "sam")

    assert_comment(reply, "The prr account @sam is deactivated.")
    assert not Message.objects.filter(review=review).exists()


# -- what is not a message from Mattermost ------------------------------------------------


def test_a_post_with_only_files_is_ignored(
    mattermost: Mattermost, linked: ChannelLink, review: Review, sre_member: User
) -> None:
    payload = mattermost.message_payload("", "sam")
    payload["file_ids"] = "znana9194bde8mua70zqcg5hmo"

    reply = mattermost.deliver(payload)

    assert (reply.status, reply.body) == (200, b"")
    assert not Message.objects.exists()


def test_a_request_without_a_post_id_is_refused(
    mattermost: Mattermost, linked: ChannelLink, caplog: Any
) -> None:
    payload = mattermost.message_payload("SRE review is completed", "sam")
    del payload["post_id"]

    reply = mattermost.deliver(payload, as_json=True)

    assert_refused_quietly(reply, 400, "The request lacks post_id.", caplog)
    assert not Message.objects.exists()


@pytest.mark.parametrize(
    ("body", "content_type", "status", "text"),
    [
        (b"{not json", "application/json", 400, "The request body is not valid JSON."),
        (b'["a list"]', "application/json", 400, "The request body must be a JSON object."),
        (
            b"token=x",
            "text/plain",
            415,
            "Unsupported content type 'text/plain'; Mattermost sends "
            "application/x-www-form-urlencoded or application/json.",
        ),
    ],
    ids=["bad-json", "json-list", "text-plain"],
)
def test_a_body_prr_cannot_read_is_refused(
    mattermost: Mattermost, body: bytes, content_type: str, status: int, text: str, caplog: Any
) -> None:
    reply = mattermost.send(
        "/integrations/mattermost/messages", body, {"Content-Type": content_type}
    )

    assert_refused_quietly(reply, status, text, caplog)


def test_a_body_larger_than_the_limit_is_refused(
    mattermost: Mattermost, linked: ChannelLink, sre_member: User, settings: Any, caplog: Any
) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000

    reply = mattermost.post("SRE review is completed " + "x" * 20_000, "sam")

    assert_refused_quietly(reply, 413, "The request body is larger than 10,000 bytes.", caplog)
    assert not Message.objects.exists()


def test_only_post_is_allowed(mattermost: Mattermost) -> None:
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(mattermost.prr_url + "/integrations/mattermost/messages", timeout=10)

    assert refused.value.code == 405
    assert refused.value.headers["Allow"] == "POST"
    assert refused.value.headers["Content-Type"] == "application/json"


def test_without_a_token_configured_the_webhook_is_not_enabled(
    mattermost: Mattermost, linked: ChannelLink, sre_member: User, settings: Any, caplog: Any
) -> None:
    settings.MATTERMOST_WEBHOOK_TOKENS = []

    reply = mattermost.post("SRE review is completed", "sam")

    assert_refused_quietly(
        reply, 404, "The Mattermost outgoing webhook is not enabled on this prr server.", caplog
    )
    assert not Message.objects.exists()


def test_a_busy_database_asks_mattermost_to_try_again(
    mattermost: Mattermost, linked: ChannelLink, sre_member: User, monkeypatch: Any
) -> None:
    def locked(message: Any) -> Any:
        raise OperationalError("database is locked")

    monkeypatch.setattr(views, "receive_message", locked)

    reply = mattermost.post("SRE review is completed", "sam")

    assert (reply.status, reply.text) == (503, "prr is busy, try again in a moment.")


def test_an_impostor_named_sam_cannot_approve_as_sam(
    mattermost: Mattermost, linked: ChannelLink, review: Review, sre_member: User
) -> None:
    # Sam's own Mattermost account is linked; another account took the name "sam".
    link_user(sre_member, platform="mattermost", external_id=IDS["sam"], by=None)

    reply = mattermost.post("SRE review is completed", "sam", user_id=IDS["ghost"])

    assert reply.json["text"].startswith("prr does not know the Mattermost user @sam.")
    assert state(review, "sre-review") == "open"
    assert not Message.objects.filter(review=review).exists()


@pytest.mark.parametrize(("verified", "approves"), [(True, True), (False, False)])
def test_with_the_bot_a_verified_address_finds_its_person(
    mattermost: Mattermost,
    chat_server: Any,
    linked: ChannelLink,
    review: Review,
    sre_member: User,
    settings: Any,
    verified: bool,
    approves: bool,
) -> None:
    settings.CHAT_USERNAME_FALLBACK = False
    settings.MATTERMOST_URL = chat_server.url
    settings.MATTERMOST_BOT_TOKEN = "bot-token"
    sre_member.email = "sam@example.com"
    sre_member.save()
    chat_server.on(
        "GET",
        f"/api/v4/users/{IDS['ghost']}",
        (200, {"id": IDS["ghost"], "email": "sam@example.com", "email_verified": verified}),
    )

    mattermost.post("SRE review is completed", "sokafor", user_id=IDS["ghost"])

    assert (state(review, "sre-review") == "done") is approves

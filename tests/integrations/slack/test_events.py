"""Slack's Events API: messages in a linked channel reach the review; prr replies in the thread."""

from __future__ import annotations

import time
from typing import Any

import pytest

from prr.integrations.chat.models import ChatPost
from prr.integrations.chat.services import link_user
from prr.reviews.lifecycle import close_review
from prr.reviews.models import Message

from .conftest import (
    BOT_TOKEN,
    CHANNEL,
    OTHER_CHANNEL,
    event_callback,
    file_share_event,
    message_event,
    next_ts,
    posted,
    replies_in_thread,
    thread_broadcast_event,
)

pytestmark = pytest.mark.django_db(transaction=True)

APPROVAL = "SRE review is completed"


def item_state(review, key="sre-review"):
    return review.items.get(key=key).state


def nothing_recorded(slack_api):
    return not Message.objects.exists() and not ChatPost.objects.exists() and not slack_api.requests


def test_the_request_url_is_verified_by_answering_the_challenge(slack):
    challenge = "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"
    answer = slack.event(
        {"token": "Jhj5dZrVaK7ZwHHjRyZWjbDl", "challenge": challenge, "type": "url_verification"}
    )
    assert answer.status == 200
    assert answer.headers["Content-Type"] == "application/json"
    assert answer.body == {"challenge": challenge}


def test_an_unsigned_challenge_is_not_answered(slack):
    payload = {"token": "x", "challenge": "forged", "type": "url_verification"}
    answer = slack.event(payload, signature="v0=" + "0" * 64)
    assert answer.status == 401
    assert "challenge" not in answer.body


def test_without_a_signing_secret_slack_is_not_enabled(slack, settings):
    settings.SLACK_SIGNING_SECRETS = []
    answer = slack.event({"token": "x", "challenge": "c", "type": "url_verification"})
    assert answer.status == 404
    assert answer.body == {"text": "Slack is not enabled on this prr server."}


def test_only_post_is_accepted(slack):
    answer = slack.send("/integrations/slack/events", b"", "application/json", method="GET")
    assert answer.status == 405


def test_a_members_approval_marks_the_item_done_and_is_confirmed_in_the_thread(
    slack, slack_api, linked, sre_member, send_chat_posts
):
    event = message_event(APPROVAL, user="U0SAM")
    answer = slack.event(event)
    assert answer.status == 200
    assert answer.body == {"ok": True}
    assert item_state(linked) == "done"
    message = Message.objects.get(source="slack")
    assert (message.author, message.body, message.external_id) == (
        sre_member,
        APPROVAL,
        event["event_id"],
    )
    lookup = slack_api.to("/api/users.info")
    assert [(r.method, r.form) for r in lookup] == [("POST", {"user": "U0SAM"})]
    assert lookup[0].headers["Authorization"] == f"Bearer {BOT_TOKEN}"
    assert lookup[0].headers["Content-Type"] == "application/x-www-form-urlencoded"

    send_chat_posts()
    ts = event["event"]["ts"]
    reply = next(r for r in slack_api.to("/api/chat.postMessage") if r.json.get("thread_ts") == ts)
    assert reply.headers["Authorization"] == f"Bearer {BOT_TOKEN}"
    assert reply.headers["Content-Type"] == "application/json;charset=utf-8"
    assert reply.json == {
        "channel": CHANNEL,
        "text": f"'SRE review' is now done: approved by @sam (member of team SRE) in message "
        f"#{message.pk}.",
        "thread_ts": ts,
        "mrkdwn": True,
        "unfurl_links": False,
    }
    # The channel also hears the news, outside the thread.
    news = [body["text"] for body in posted(slack_api) if "thread_ts" not in body]
    assert news == [
        ":white_check_mark: SRE review approved by @sam on "
        f"<https://prr.example.com/reviews/{linked.number}/|{linked.ref} {linked.title}>."
    ]


def test_a_reply_in_a_thread_is_answered_in_that_thread(slack, slack_api, linked, sre_member):
    parent = next_ts()
    slack.event(message_event(APPROVAL, user="U0SAM", thread_ts=parent, parent_user_id="U0DANA"))
    assert item_state(linked) == "done"
    reply = ChatPost.objects.get(event_type="chat.reply")
    assert reply.payload["thread_ts"] == parent


def test_an_admin_linked_slack_account_speaks_as_its_prr_user_without_a_lookup(
    slack, slack_api, linked, sre_member
):
    link_user(sre_member, platform="slack", external_id="U0SAMUEL", by=None)
    slack.event(message_event(APPROVAL, user="U0SAMUEL"))
    assert item_state(linked) == "done"
    assert Message.objects.get(source="slack").author == sre_member
    assert slack_api.to("/api/users.info") == []


def test_slack_markup_is_stored_as_readable_text(slack, linked, sre_member):
    slack.event(
        message_event(
            "<@U0DANA|dana> SRE review is completed &amp; see <https://grafana.example.com/d/1|the "
            "dashboard> &lt;3",
            user="U0SAM",
        )
    )
    assert Message.objects.get(source="slack").body == (
        "@dana SRE review is completed & see [the dashboard](https://grafana.example.com/d/1) <3"
    )
    assert item_state(linked) == "done"


# -- refusals: each with the reply the person sees, and nothing changed -------------------------


def test_a_bad_signature_is_refused_and_changes_nothing(slack, slack_api, linked, sre_member):
    event = message_event(APPROVAL, user="U0SAM")
    answer = slack.event(event, signature="v0=" + "ab" * 32)
    assert answer.status == 401
    assert answer.body["text"].startswith("X-Slack-Signature does not match the body")
    assert item_state(linked) == "open"
    assert nothing_recorded(slack_api)


def test_a_body_signed_with_another_secret_is_refused(slack, slack_api, linked, sre_member):
    slack.secret = "not-the-signing-secret-of-this-app"
    answer = slack.event(message_event(APPROVAL, user="U0SAM"))
    assert answer.status == 401
    assert item_state(linked) == "open"
    assert nothing_recorded(slack_api)


def test_a_request_signed_six_minutes_ago_is_refused_as_a_replay(
    slack, slack_api, linked, sre_member
):
    answer = slack.event(message_event(APPROVAL, user="U0SAM"), timestamp=int(time.time()) - 360)
    assert answer.status == 401
    assert "more than the 300 s allowed: refused as a possible replay" in answer.body["text"]
    assert item_state(linked) == "open"
    assert nothing_recorded(slack_api)


def test_an_unknown_slack_user_is_told_what_to_do(slack, slack_api, linked, send_chat_posts):
    event = message_event(APPROVAL, user="U0STRANGER")
    assert slack.event(event).status == 200
    assert item_state(linked) == "open"
    assert not Message.objects.exists()
    send_chat_posts()
    assert replies_in_thread(slack_api, event["event"]["ts"]) == [
        "prr does not know the Slack user @stranger. Ask a prr admin to create your account "
        "with the same username, or to link it: `prr user link USERNAME --slack U0STRANGER`."
    ]


def test_a_user_slack_cannot_describe_is_told_what_to_do(slack, slack_api, linked):
    event = message_event(APPROVAL, user="U0GHOST")  # users.info: user_not_found
    slack.event(event)
    assert item_state(linked) == "open"
    assert not Message.objects.exists()
    assert ChatPost.objects.get().payload["text"] == (
        "prr could not look up the Slack user U0GHOST, so it did not record this message. Try "
        "again in a minute; if it keeps happening, ask a prr admin to link your account: "
        "`prr user link USERNAME --slack U0GHOST`."
    )


def test_an_unlinked_channel_is_told_how_to_link_it(
    slack, slack_api, linked, sre_member, send_chat_posts
):
    event = message_event(APPROVAL, user="U0SAM", channel=OTHER_CHANNEL)
    assert slack.event(event).status == 200
    assert item_state(linked) == "open"
    assert not Message.objects.exists()
    assert slack_api.to("/api/users.info") == []  # no lookup for a channel prr does not follow
    send_chat_posts()
    assert posted(slack_api) == [
        {
            "channel": OTHER_CHANNEL,
            "text": "This Slack channel is not linked to a review, so prr did not record this "
            "message. Link it with `/prr link PRR-12`, or start a review here with "
            "`/prr start PLAYBOOK KIND TITLE`.",
            "thread_ts": event["event"]["ts"],
            "mrkdwn": True,
            "unfurl_links": False,
        }
    ]


def test_a_closed_review_keeps_the_message_but_the_approval_changes_nothing(
    slack, slack_api, linked, sre_member, admin
):
    close_review(linked, by=admin, force=True, reason="Launch cancelled by product")
    ChatPost.objects.all().delete()
    slack.event(message_event(APPROVAL, user="U0SAM"))
    assert item_state(linked) == "open"
    assert ChatPost.objects.get().payload["text"] == (
        f"{linked.ref} is closed; approvals no longer change it ('SRE review')."
    )


def test_a_phrase_from_a_non_member_changes_nothing_and_says_who_can(
    slack, slack_api, linked, outsider, sre_member, send_chat_posts
):
    event = message_event(APPROVAL, user="U0OSCAR")
    slack.event(event)
    assert item_state(linked) == "open"
    send_chat_posts()
    assert replies_in_thread(slack_api, event["event"]["ts"]) == [
        "@oscar is not a member of team SRE, so this does not change 'SRE review'. "
        "Who can: SRE: @sam."
    ]


def test_malformed_json_is_refused(slack, slack_api, linked):
    answer = slack.send("/integrations/slack/events", b'{"type": "event_call', "application/json")
    assert answer.status == 400
    assert answer.body == {"text": "The body is not JSON: Slack's Events API sends JSON."}
    assert nothing_recorded(slack_api)


# -- messages people write with a subtype: a file attached, a thread reply sent to the channel ---


def test_an_approval_with_a_screenshot_attached_counts_and_is_answered_in_its_thread(
    slack, slack_api, linked, sre_member, send_chat_posts
):
    event = file_share_event(f"{APPROVAL}, dashboards attached", user="U0SAM")
    assert slack.event(event).status == 200
    assert item_state(linked) == "done"
    message = Message.objects.get(source="slack")
    assert (message.author, message.body) == (sre_member, f"{APPROVAL}, dashboards attached")
    send_chat_posts()
    ts = event["event"]["ts"]
    assert replies_in_thread(slack_api, ts) == [
        f"'SRE review' is now done: approved by @sam (member of team SRE) in message #{message.pk}."
    ]


def test_a_screenshot_from_a_non_member_is_refused_like_any_message(
    slack, slack_api, linked, outsider, send_chat_posts
):
    event = file_share_event(APPROVAL, user="U0OSCAR")
    slack.event(event)
    assert item_state(linked) == "open"
    send_chat_posts()
    [reply] = replies_in_thread(slack_api, event["event"]["ts"])
    assert reply.startswith(
        "@oscar is not a member of team SRE, so this does not change 'SRE review'."
    )


def test_a_screenshot_without_text_has_nothing_to_record(slack, slack_api, linked, sre_member):
    slack.event(file_share_event("", user="U0SAM"))
    assert nothing_recorded(slack_api)


def test_a_thread_reply_also_sent_to_the_channel_counts_and_is_answered_in_the_thread(
    slack, slack_api, linked, sre_member, send_chat_posts
):
    parent = next_ts()
    event = thread_broadcast_event(APPROVAL, user="U0SAM", parent_ts=parent)
    slack.event(event)
    assert item_state(linked) == "done"
    assert Message.objects.get(source="slack").author == sre_member
    send_chat_posts()
    # In the thread of the parent: the broadcast's own ts is a reply's, which Slack does not
    # take as a thread.
    assert len(replies_in_thread(slack_api, parent)) == 1
    assert replies_in_thread(slack_api, event["event"]["ts"]) == []


def test_a_bots_file_or_broadcast_is_still_a_bots(slack, slack_api, linked, sre_member):
    slack.event(file_share_event(APPROVAL, user="U0PRRBOT", bot_id="B0DEPLOY"))
    broadcast = thread_broadcast_event(APPROVAL, user="U0PRRBOT", parent_ts=next_ts())
    broadcast["event"]["bot_id"] = "B0DEPLOY"
    slack.event(broadcast)
    assert item_state(linked) == "open"
    assert nothing_recorded(slack_api)


# -- what is not a person's new message is ignored ------------------------------------------------


def bot_message(user: str) -> dict[str, Any]:
    ts = next_ts()
    return event_callback(
        {
            "type": "message",
            "subtype": "bot_message",
            "text": APPROVAL,
            "ts": ts,
            "username": "deploy-bot",
            "bot_id": "B0DEPLOY",
            "channel": CHANNEL,
            "event_ts": ts,
            "channel_type": "channel",
        }
    )


def app_message(user: str) -> dict[str, Any]:
    # What prr's own chat.postMessage comes back as: a bot_id, and no subtype.
    return message_event(
        APPROVAL,
        user="U0PRRBOT",
        bot_id="B0PRRBOT",
        app_id="A0PRRAPP",
        bot_profile={"id": "B0PRRBOT", "name": "prr", "app_id": "A0PRRAPP"},
    )


def edited(user: str) -> dict[str, Any]:
    ts, original = next_ts(), next_ts()
    return event_callback(
        {
            "type": "message",
            "subtype": "message_changed",
            "hidden": True,
            "message": {
                "type": "message",
                "user": user,
                "text": APPROVAL,
                "edited": {"user": user, "ts": ts},
                "ts": original,
            },
            "channel": CHANNEL,
            "previous_message": {
                "type": "message",
                "user": user,
                "text": "SRE review",
                "ts": original,
            },
            "event_ts": ts,
            "ts": ts,
            "channel_type": "channel",
        }
    )


def deleted(user: str) -> dict[str, Any]:
    ts, original = next_ts(), next_ts()
    return event_callback(
        {
            "type": "message",
            "subtype": "message_deleted",
            "hidden": True,
            "deleted_ts": original,
            "channel": CHANNEL,
            "previous_message": {"type": "message", "user": user, "text": APPROVAL, "ts": original},
            "event_ts": ts,
            "ts": ts,
            "channel_type": "channel",
        }
    )


def joined(user: str) -> dict[str, Any]:
    return message_event(f"<@{user}> has joined the channel", user=user, subtype="channel_join")


def reaction(user: str) -> dict[str, Any]:
    ts = next_ts()
    return event_callback(
        {
            "type": "reaction_added",
            "user": user,
            "reaction": "white_check_mark",
            "item": {"type": "message", "channel": CHANNEL, "ts": next_ts()},
            "event_ts": ts,
        }
    )


@pytest.mark.parametrize("shape", [bot_message, app_message, edited, deleted, joined, reaction])
def test_bots_edits_deletions_and_other_events_are_ignored(
    slack, slack_api, linked, sre_member, shape
):
    answer = slack.event(shape("U0SAM"))
    assert answer.status == 200  # acknowledged, so Slack does not retry it
    assert item_state(linked) == "open"
    assert nothing_recorded(slack_api)


# -- redelivery ------------------------------------------------------------------------------------


def test_a_redelivered_event_is_stored_once_and_answered_once(
    slack, slack_api, linked, sre_member, send_chat_posts
):
    event = message_event(APPROVAL, user="U0SAM")
    assert slack.event(event).status == 200
    retry = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
    assert slack.event(event, headers=retry).status == 200
    assert Message.objects.filter(source="slack").count() == 1
    send_chat_posts()
    assert len(replies_in_thread(slack_api, event["event"]["ts"])) == 1
    assert ChatPost.objects.filter(event_type="chat.reply").count() == 1


def test_a_redelivered_refusal_is_answered_once(slack, slack_api, linked, send_chat_posts):
    event = message_event(APPROVAL, user="U0STRANGER")
    slack.event(event)
    slack.event(event, headers={"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_error"})
    send_chat_posts()
    assert len(replies_in_thread(slack_api, event["event"]["ts"])) == 1


def test_a_second_message_with_the_same_words_is_a_new_message(slack, linked, sre_member):
    slack.event(message_event("Looking at the dashboards now", user="U0SAM"))
    slack.event(message_event("Looking at the dashboards now", user="U0SAM"))
    assert Message.objects.filter(source="slack").count() == 2


@pytest.mark.parametrize(("confirmed", "approves"), [(True, True), (False, False)])
def test_an_account_with_a_confirmed_address_speaks_as_its_person(
    slack, slack_api, linked, sre_member, settings, confirmed, approves
):
    # users.info (users:read.email) gives the address and whether Slack confirmed it.
    settings.CHAT_USERNAME_FALLBACK = False
    sre_member.email = "sam.okafor@example.com"
    sre_member.save()
    account = {
        "id": "U0SAMWORK",
        "name": "sokafor",
        "is_email_confirmed": confirmed,
        "profile": {"email": "sam.okafor@example.com"},
    }
    slack_api.on("POST", "/api/users.info", (200, {"ok": True, "user": account}))

    slack.event(message_event(APPROVAL, user="U0SAMWORK"))

    assert (item_state(linked) == "done") is approves
    authors = list(Message.objects.filter(source="slack").values_list("author", flat=True))
    assert authors == ([sre_member.pk] if approves else [])

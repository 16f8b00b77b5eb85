"""prr's answer to a message reaches its thread, in a way Mattermost accepts.

Mattermost makes an outgoing webhook's `response_type: comment` answer a reply whose root is the
triggering post (server/channels/app/webhook.go, TriggerWebhook: `postRootId = post.Id`), and
refuses a reply whose root is itself a reply (server/channels/app/post.go, CreatePost: "Invalid
RootId parameter"). `accepted` applies that rule to prr's answer; the chat server plays the REST
API with the same rule for the bot's posts.
"""

from __future__ import annotations

from typing import Any

import pytest

from prr.accounts.models import User
from prr.integrations.chat.models import ChannelLink, ChatPost
from prr.reviews.models import Review
from tests.integrations.conftest import ChatRequest, ChatServer
from tests.integrations.mattermost.conftest import BOT_TOKEN, CHANNEL_ID, Mattermost, Reply

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = "r00tp0str00tp0str00tp0stra"
IN_THREAD = "thr3adr3plythr3adr3plythr3"
BOT_USER = "b0tus3rb0tus3rb0tus3rb0tus"
APPROVED = "'SRE review' is now done: approved by @sam (member of team SRE)"
INVALID_ROOT = {"id": "api.post.create_post.root_id.app_error", "message": "Invalid RootId."}


def accepted(reply: Reply, post_root_id: str) -> bool:
    """Whether Mattermost posts prr's answer to a post whose own root is `post_root_id`."""
    if not reply.body:
        return True  # nothing to post
    if reply.json.get("response_type") == "comment":
        return post_root_id == ""  # the answer's root would be the post itself
    return True  # a post in the channel


@pytest.fixture
def api(mattermost: Mattermost, chat_server: ChatServer, settings: Any, quick_retries: None):
    """The bot configured; the API knows a root post and a reply in its thread."""
    settings.MATTERMOST_URL = chat_server.url
    settings.MATTERMOST_BOT_TOKEN = BOT_TOKEN
    posts = {ROOT: "", IN_THREAD: ROOT}

    def get_post(post_id: str) -> Any:
        return 200, {"id": post_id, "channel_id": CHANNEL_ID, "root_id": posts[post_id]}

    def create_post(request: ChatRequest) -> Any:
        root = request.json.get("root_id", "")
        if root and posts.get(root, "x") != "":
            return 400, INVALID_ROOT
        return 201, {"id": "n3wp0stn3wp0stn3wp0stn3wp", "user_id": BOT_USER, **request.json}

    for post_id in posts:
        chat_server.on("GET", f"/api/v4/posts/{post_id}", get_post(post_id))
    chat_server.on("POST", "/api/v4/posts", create_post)
    return chat_server


def test_a_root_post_is_answered_in_its_thread(
    api: ChatServer, mattermost: Mattermost, linked: ChannelLink, review: Review, sre_member: User
) -> None:
    reply = mattermost.post("SRE review is completed", "sam", post_id=ROOT)

    assert reply.json["response_type"] == "comment"
    assert reply.json["text"].startswith(APPROVED)
    assert accepted(reply, post_root_id="")
    assert [r.path for r in api.requests] == [f"/api/v4/posts/{ROOT}"]


def test_a_reply_in_a_thread_is_answered_in_that_thread_by_the_bot(
    api: ChatServer,
    mattermost: Mattermost,
    linked: ChannelLink,
    review: Review,
    sre_member: User,
    send_chat_posts: Any,
) -> None:
    reply = mattermost.post("SRE review is completed", "sam", post_id=IN_THREAD)

    assert (reply.status, reply.body) == (200, b"")
    assert review.items.get(key="sre-review").state == "done"
    [post] = send_chat_posts()
    assert post.status == ChatPost.Status.DELIVERED
    [sent] = api.to("/api/v4/posts")
    assert sent.headers["Authorization"] == f"Bearer {BOT_TOKEN}"
    assert sent.json["channel_id"] == CHANNEL_ID
    assert sent.json["root_id"] == ROOT
    assert sent.json["message"].startswith(APPROVED)

    # Mattermost's outgoing webhook sends the bot's post back: prr knows it as its own.
    echo = mattermost.post(sent.json["message"], "prr-bot", user_id=BOT_USER, post_id="e" * 26)
    assert (echo.status, echo.body) == (200, b"")
    assert review.messages.filter(source="mattermost").count() == 1


def test_the_bot_joins_a_channel_it_is_not_in_before_answering(
    api: ChatServer,
    mattermost: Mattermost,
    linked: ChannelLink,
    review: Review,
    sre_member: User,
    send_chat_posts: Any,
) -> None:
    members: list[str] = []

    def create_post(request: ChatRequest) -> Any:
        if BOT_USER not in members:
            return 403, {"id": "api.context.permissions.app_error", "message": "No permission."}
        return 201, {"id": "n3wp0stn3wp0stn3wp0stn3wp", **request.json}

    def join(request: ChatRequest) -> Any:
        members.append(request.json["user_id"])
        return 201, {"channel_id": CHANNEL_ID, "user_id": request.json["user_id"]}

    api.on("POST", "/api/v4/posts", create_post)
    api.on("GET", "/api/v4/users/me", (200, {"id": BOT_USER, "username": "prr-bot"}))
    api.on("POST", f"/api/v4/channels/{CHANNEL_ID}/members", join)

    mattermost.post("SRE review is completed", "sam", post_id=IN_THREAD)

    [post] = send_chat_posts()
    assert post.status == ChatPost.Status.DELIVERED
    assert members == [BOT_USER]
    assert [r.json.get("root_id") for r in api.to("/api/v4/posts")] == [ROOT, ROOT]


def test_without_the_bot_a_reply_in_a_thread_is_answered_in_the_channel(
    mattermost: Mattermost, linked: ChannelLink, review: Review, sre_member: User
) -> None:
    reply = mattermost.post("SRE review is completed", "sam", post_id=IN_THREAD)

    assert "response_type" not in reply.json
    assert reply.json["text"].startswith(APPROVED)
    assert accepted(reply, post_root_id=ROOT)


def test_when_the_api_cannot_say_the_answer_goes_to_the_channel(
    api: ChatServer, mattermost: Mattermost, linked: ChannelLink, review: Review, sre_member: User
) -> None:
    api.fail_next = 1

    reply = mattermost.post("SRE review is completed", "sam", post_id=IN_THREAD)

    assert "response_type" not in reply.json
    assert accepted(reply, post_root_id=ROOT)
    assert review.items.get(key="sre-review").state == "done"


def test_a_reply_to_a_thread_that_is_gone_is_not_retried(
    api: ChatServer,
    mattermost: Mattermost,
    linked: ChannelLink,
    review: Review,
    sre_member: User,
    send_chat_posts: Any,
) -> None:
    api.on("POST", "/api/v4/posts", (404, {"id": "app.post.get.app_error", "message": "Gone."}))

    mattermost.post("SRE review is completed", "sam", post_id=IN_THREAD)

    [post] = send_chat_posts()
    assert (post.status, post.attempts) == (ChatPost.Status.FAILED, 1)
    assert "HTTP 404: Gone.: the channel or the thread no longer exists. Not retried" in (
        post.last_error
    )

"""The bot: `/prr start` gives the review its own channel, made through Mattermost's REST API.

The chat server plays Mattermost's API v4; each test asserts the exact calls prr made
(method, path, JSON body, bearer token).
"""

from __future__ import annotations

from typing import Any

import pytest
from django_tasks_db.models import DBTaskResult

from prr.accounts.models import User
from prr.integrations.chat.models import ChannelLink
from prr.integrations.chat.services import link_user
from prr.integrations.mattermost.bot import channel_name, display_name, open_review_channel
from prr.playbooks.models import PlaybookVersion
from prr.reviews.models import Review
from tests.integrations.conftest import ChatRequest, ChatServer
from tests.integrations.mattermost.conftest import (
    BASE_URL,
    BOT_TOKEN,
    CHANNEL_ID,
    IDS,
    TEAM_ID,
    Mattermost,
    run_tasks,
)

pytestmark = pytest.mark.django_db(transaction=True)

TITLE = "Payments API: move card tokenisation to the vault"
NAME = "prr-1-payments-api-move-card-tokenisation-to-the-vault"
NEW_CHANNEL = "4xp9fdkzzbrgmjgd9n9m1kbmzr"
REVIEW = f"[PRR-1 {TITLE}]({BASE_URL}/reviews/1/)"
BY_NAME = f"/api/v4/teams/{TEAM_ID}/channels/name/{NAME}"
MEMBERS = f"/api/v4/channels/{NEW_CHANNEL}/members"
MISSING = {"id": "app.channel.get_by_name.missing.app_error", "message": "Channel does not exist."}


def created_channel(request: ChatRequest) -> tuple[int, Any]:
    body = request.json
    return 201, {"id": NEW_CHANNEL, "name": body["name"], "team_id": body["team_id"], "type": "O"}


def added_member(request: ChatRequest) -> tuple[int, Any]:
    return 201, {
        "channel_id": NEW_CHANNEL,
        "user_id": request.json["user_id"],
        "roles": "channel_user",
    }


@pytest.fixture
def bot(
    mattermost: Mattermost, chat_server: ChatServer, settings: Any, quick_retries: None
) -> ChatServer:
    """The bot configured against a Mattermost whose team has no channel of the review's name."""
    settings.MATTERMOST_URL = chat_server.url
    settings.MATTERMOST_BOT_TOKEN = BOT_TOKEN
    settings.MATTERMOST_TEAM_ID = TEAM_ID
    chat_server.on("GET", BY_NAME, (404, MISSING))
    chat_server.on("POST", "/api/v4/channels", created_channel)
    chat_server.on("POST", MEMBERS, added_member)
    chat_server.on("POST", "/api/v4/posts", (201, {"id": "w3lc0mepostidw3lc0mepostid"}))
    return chat_server


@pytest.fixture
def people(dri: User, sre_member: User, security_member: User) -> None:
    """Sam has linked his Mattermost account; Sid has not."""
    link_user(sre_member, platform="mattermost", external_id=IDS["sam"], by=None)


def calls(chat_server: ChatServer) -> list[tuple[str, str, Any]]:
    for request in chat_server.requests:
        assert request.headers["Authorization"] == f"Bearer {BOT_TOKEN}"
        if request.method == "POST":
            assert request.headers["Content-Type"] == "application/json"
    return [(r.method, r.path, r.json if r.body else None) for r in chat_server.requests]


def start(mattermost: Mattermost) -> str:
    reply = mattermost.command(f"start small service {TITLE}", "dana")
    assert reply.json["response_type"] == "in_channel"
    return reply.text


WELCOME = (
    f":wave: This channel belongs to {REVIEW} (service, playbook `small`), DRI @dana. "
    "Messages written here are recorded on the review.\n\n"
    "Approvals by: Security, SRE.\n\n"
    "A current member of a team approves by writing its phrase here: "
    "`SRE review is completed` (SRE), `Security review is completed` (Security), "
    "`Product review is completed` (Product). `/prr status` shows what is left.\n\n"
)


def test_start_opens_the_reviews_channel_and_adds_the_linked_people(
    bot: ChatServer, mattermost: Mattermost, small_playbook: PlaybookVersion, people: None
) -> None:
    assert start(mattermost) == (
        f"@dana started {REVIEW} (service, playbook `small`). Approvals by: Security, SRE. "
        "Its own channel is being created; you and the reviewers will be added."
    )
    assert bot.requests == []  # only queued: the worker talks to Mattermost

    run_tasks()

    assert calls(bot) == [
        ("GET", BY_NAME, None),
        (
            "POST",
            "/api/v4/channels",
            {
                "team_id": TEAM_ID,
                "name": NAME,
                "display_name": f"PRR-1 {TITLE}",
                "purpose": f"Production Readiness Review PRR-1: {BASE_URL}/reviews/1/",
                "header": REVIEW,
                "type": "O",
            },
        ),
        ("POST", MEMBERS, {"user_id": IDS["dana"]}),
        ("POST", MEMBERS, {"user_id": IDS["sam"]}),
        (
            "POST",
            "/api/v4/posts",
            {
                "channel_id": NEW_CHANNEL,
                "message": WELCOME + "Added: @dana, @sam.\n\n"
                "Not added: @sid (no Mattermost link). A prr admin links an account with "
                "`prr user link USERNAME --mattermost USER_ID`; until then, join the channel "
                "yourself.",
            },
        ),
    ]
    link = ChannelLink.objects.get()
    assert (link.review, link.channel_id, link.channel_name, link.team_id) == (
        Review.objects.get(),
        NEW_CHANNEL,
        NAME,
        TEAM_ID,
    )
    # The channel where the command ran stays unlinked: the review has its own.
    assert not ChannelLink.objects.filter(channel_id=CHANNEL_ID).exists()


def test_the_welcome_sent_back_by_the_outgoing_webhook_is_not_a_message(
    bot: ChatServer, mattermost: Mattermost, small_playbook: PlaybookVersion, people: None
) -> None:
    start(mattermost)
    run_tasks()
    [welcome] = [r.json["message"] for r in bot.to("/api/v4/posts")]

    # Mattermost fires outgoing webhooks for posts made through the API, as the bot.
    echo = mattermost.post(
        welcome, "prr-bot", user_id="b0tus3rb0tus3rb0tus3rb0tus", channel_id=NEW_CHANNEL
    )

    assert (echo.status, echo.body) == (200, b"")
    assert not Review.objects.get().messages.exists()


def test_messages_in_the_new_channel_reach_the_review(
    bot: ChatServer, mattermost: Mattermost, small_playbook: PlaybookVersion, people: None
) -> None:
    start(mattermost)
    run_tasks()

    reply = mattermost.post(
        "SRE review is completed", "sam", channel_id=NEW_CHANNEL, channel_name=NAME
    )

    assert reply.text.startswith("'SRE review' is now done: approved by @sam")
    assert Review.objects.get().items.get(key="sre-review").state == "done"


def test_a_failed_call_is_tried_again_and_nothing_is_done_twice(
    bot: ChatServer, mattermost: Mattermost, small_playbook: PlaybookVersion, people: None
) -> None:
    start(mattermost)
    bot.fail_next = 1

    run_tasks()

    assert [(r.method, r.path) for r in bot.requests] == [
        ("GET", BY_NAME),  # answered 500: tried again later
        ("GET", BY_NAME),
        ("POST", "/api/v4/channels"),
        ("POST", MEMBERS),
        ("POST", MEMBERS),
        ("POST", "/api/v4/posts"),
    ]
    assert sorted(str(v) for v in DBTaskResult.objects.values_list("return_value", flat=True)) == [
        "opened",
        "retrying",
    ]
    assert ChannelLink.objects.get().channel_id == NEW_CHANNEL


def test_a_run_that_failed_half_way_reuses_the_linked_channel(
    bot: ChatServer, mattermost: Mattermost, small_playbook: PlaybookVersion, people: None
) -> None:
    bot.on("POST", "/api/v4/posts", (503, {"message": "Mattermost is restarting."}))
    start(mattermost)
    run_tasks()
    bot.on("POST", "/api/v4/posts", (201, {"id": "w3lc0mepostidw3lc0mepostid"}))
    bot.requests.clear()

    open_review_channel.enqueue(Review.objects.get().pk, IDS["dana"])
    run_tasks()

    # Linked already: no search, no new channel; adding a member again is harmless.
    assert [(r.method, r.path) for r in bot.requests] == [
        ("POST", MEMBERS),
        ("POST", MEMBERS),
        ("POST", "/api/v4/posts"),
    ]


def test_a_channel_of_that_name_is_reused(
    bot: ChatServer, mattermost: Mattermost, small_playbook: PlaybookVersion, people: None
) -> None:
    bot.on("GET", BY_NAME, (200, {"id": NEW_CHANNEL, "name": NAME, "type": "O"}))

    start(mattermost)
    run_tasks()

    assert [(r.method, r.path) for r in bot.requests] == [
        ("GET", BY_NAME),
        ("POST", MEMBERS),
        ("POST", MEMBERS),
        ("POST", "/api/v4/posts"),
    ]
    assert ChannelLink.objects.get().channel_id == NEW_CHANNEL


def test_a_channel_made_by_someone_else_meanwhile_is_used(
    bot: ChatServer, mattermost: Mattermost, small_playbook: PlaybookVersion, people: None
) -> None:
    lookups = iter([(404, MISSING), (200, {"id": NEW_CHANNEL, "name": NAME, "type": "O"})])
    bot.on("GET", BY_NAME, lambda request: next(lookups))
    bot.on(
        "POST",
        "/api/v4/channels",
        (400, {"message": "A channel with that name already exists on the same team."}),
    )

    start(mattermost)
    run_tasks()

    assert ChannelLink.objects.get().channel_id == NEW_CHANNEL
    assert DBTaskResult.objects.get().return_value == "opened"


def test_a_member_mattermost_refuses_is_listed_in_the_welcome(
    bot: ChatServer, mattermost: Mattermost, small_playbook: PlaybookVersion, people: None
) -> None:
    def refuse_sam(request: ChatRequest) -> tuple[int, Any]:
        if request.json["user_id"] == IDS["sam"]:
            return 403, {"message": "User is not a member of the team."}
        return added_member(request)

    bot.on("POST", MEMBERS, refuse_sam)

    start(mattermost)
    run_tasks()

    welcome = bot.to("/api/v4/posts")[0].json["message"]
    assert welcome.endswith(
        "Added: @dana.\n\n"
        "Not added: @sid (no Mattermost link). A prr admin links an account with "
        "`prr user link USERNAME --mattermost USER_ID`; until then, join the channel yourself."
        "\n\nNot added: @sam (Mattermost said: User is not a member of the team.)."
    )


def test_it_gives_up_after_the_last_attempt(
    bot: ChatServer,
    mattermost: Mattermost,
    small_playbook: PlaybookVersion,
    people: None,
    caplog: Any,
) -> None:
    bot.on("GET", BY_NAME, (500, {"message": "Database unavailable."}))

    start(mattermost)
    run_tasks()

    assert len(bot.to(BY_NAME)) == 3
    assert sorted(str(v) for v in DBTaskResult.objects.values_list("return_value", flat=True)) == [
        "failed",
        "retrying",
        "retrying",
    ]
    assert not ChannelLink.objects.exists()
    assert (
        f"gave up opening its Mattermost channel after 3 attempts: GET {BY_NAME}: HTTP 500: "
        "Database unavailable." in caplog.text
    )


def test_without_a_team_the_bot_is_off_and_the_command_links_its_channel(
    bot: ChatServer,
    mattermost: Mattermost,
    small_playbook: PlaybookVersion,
    people: None,
    settings: Any,
) -> None:
    settings.MATTERMOST_TEAM_ID = ""

    assert start(mattermost).endswith(
        "This channel is linked to it: write here to discuss and approve."
    )
    run_tasks()

    # The bot's API was only asked whether the channel is public (one prr can hear).
    assert [(r.method, r.path) for r in bot.requests] == [("GET", f"/api/v4/channels/{CHANNEL_ID}")]
    assert ChannelLink.objects.get().channel_id == CHANNEL_ID


# -- the channel's name -------------------------------------------------------------------


def unsaved(title: str, number: int = 42) -> Review:
    return Review(number=number, title=title, kind="service")


@pytest.mark.parametrize(
    ("title", "name"),
    [
        ("Payments API", "prr-42-payments-api"),
        ("Zahlungs-API für Überweisungen", "prr-42-zahlungs-api-fur-uberweisungen"),
        ("  Search__ranking: v2 (EU) ", "prr-42-search-ranking-v2-eu"),
        ("日本語", "prr-42"),
        (
            "Checkout service: launch the new card vault in every region of the world at once",
            "prr-42-checkout-service-launch-the-new-card-vault-in-every",
        ),
    ],
)
def test_a_channel_name_is_made_of_the_number_and_the_title(
    settings: Any, title: str, name: str
) -> None:
    settings.MATTERMOST_CHANNEL_TEMPLATE = "prr-{number}-{title}"

    made = channel_name(unsaved(title))

    assert made == name
    assert len(made) <= 64


def test_the_template_may_use_the_kind(settings: Any) -> None:
    settings.MATTERMOST_CHANNEL_TEMPLATE = "Review_{kind}_{number}"

    assert channel_name(unsaved("Payments API")) == "review-service-42"


def test_a_broken_template_falls_back_to_the_default(settings: Any) -> None:
    settings.MATTERMOST_CHANNEL_TEMPLATE = "prr-{id}"

    assert channel_name(unsaved("Payments API")) == "prr-42-payments-api"


def test_a_long_display_name_is_shortened_to_64_characters() -> None:
    made = display_name(unsaved("Checkout service: launch the new card vault in every region"))

    assert made == "PRR-42 Checkout service: launch the new card vault in every reg…"
    assert len(made) == 64

"""The `/prr` slash command, the same in Mattermost and Slack: parse, call one service, reply."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings

from prr.accounts.models import User
from prr.errors import PrrError, RuleViolation
from prr.integrations.chat.services import (
    ChatChannel,
    ensure_channel_heard,
    link_channel,
    linked_review,
    resolve_author,
    start_review_in_channel,
    unlink_channel,
)
from prr.reviews.items import set_item_state
from prr.reviews.lifecycle import close_review
from prr.reviews.models import Review
from prr.reviews.queries import get_review, list_reviews, progress_of, readiness

LIST_LIMIT = 20

HELP = """\
**prr** — Production Readiness Reviews from this channel.

| command | what it does |
| --- | --- |
| `/prr start PLAYBOOK KIND TITLE…` | start a review with you as DRI, linked to this channel |
| `/prr status` | what the linked review has done and what it waits on |
| `/prr list` | open reviews |
| `/prr link PRR-12` | link this channel to a review: its messages go to the review |
| `/prr unlink` | stop sending this channel's messages to its review |
| `/prr set ITEM_KEY STATE [REASON…]` | mark an item done, open or na (with a reason) by hand |
| `/prr close` | close the linked review (once every required item is done) |
| `/prr help` | this help |

Approve in the channel by writing the phrase of your team's item, such as \
`SRE review is completed`; it counts only if you are a current member of that team."""


@dataclass(frozen=True)
class CommandCall:
    """Who ran the command, and where, as the chat platform described it."""

    platform: str
    text: str
    channel_id: str
    user_id: str
    username: str
    channel_name: str = ""
    team_id: str = ""
    # Asks the chat for the caller's address, if it verified one ("" if not); only when needed.
    verified_email: Callable[[], str] | None = None


@dataclass(frozen=True)
class CommandReply:
    text: str
    in_channel: bool = False  # False: only the caller sees it (ephemeral)


def review_url(review: Review) -> str:
    return review.absolute_url


def review_link(review: Review) -> str:
    return f"[{review.ref} {review.title}]({review_url(review)})"


def run_command(call: CommandCall) -> CommandReply:
    words = call.text.split()
    name, args = (words[0].lower(), words[1:]) if words else ("help", [])
    handler = COMMANDS.get(name)
    if handler is None:
        return CommandReply(f"Unknown command `{name}`. Try `/prr help`.\n\n{HELP}")
    try:
        return handler(call, args)
    except PrrError as exc:
        return CommandReply(exc.message)


def caller(call: CommandCall) -> User:
    return resolve_author(
        call.platform, call.user_id, call.username, verified_email=call.verified_email
    )


def help_command(call: CommandCall, args: list[str]) -> CommandReply:
    return CommandReply(HELP)


def start_command(call: CommandCall, args: list[str]) -> CommandReply:
    if len(args) < 3:
        return CommandReply(
            "Usage: `/prr start PLAYBOOK KIND TITLE…`, for example "
            "`/prr start prr service Payments API launch in EU`."
        )
    author = caller(call)
    slug, kind, title = args[0], args[1].lower(), " ".join(args[2:])
    started = start_review_in_channel(
        author, playbook=slug, kind=kind, title=title, channel=chat_channel(call)
    )
    review = started.review
    teams = ", ".join(t.name for t in review.reviewer_teams.all()) or "none"
    where = (
        "Its own channel is being created; you and the reviewers will be added."
        if started.opening_channel
        else "This channel is linked to it: write here to discuss and approve."
    )
    return CommandReply(
        f"@{author.username} started {review_link(review)} ({review.kind}, playbook "
        f"`{slug}`). Approvals by: {teams}. {where}",
        in_channel=True,
    )


# platform → starts a review's own channel (a bot that creates channels), when configured.
ChannelOpener = Callable[[Review, CommandCall], None]
_channel_openers: dict[str, Callable[[], ChannelOpener | None]] = {}


def register_channel_opener(platform: str, opener: Callable[[], ChannelOpener | None]) -> None:
    _channel_openers[platform] = opener


def channel_opener(platform: str) -> ChannelOpener | None:
    factory = _channel_openers.get(platform)
    return factory() if factory else None


# platform → why prr would never hear the messages of the call's channel (None: it would).
ChannelCheck = Callable[[CommandCall], str | None]
_channel_checks: dict[str, ChannelCheck] = {}


def register_channel_check(platform: str, check: ChannelCheck) -> None:
    _channel_checks[platform] = check


def chat_channel(call: CommandCall) -> ChatChannel:
    """The call's channel, with what its platform registered: asked at each call, so settings
    changed at run time (and in tests) count."""
    check = _channel_checks.get(call.platform)
    opener = channel_opener(call.platform)
    return ChatChannel(
        platform=call.platform,
        channel_id=call.channel_id,
        channel_name=call.channel_name,
        team_id=call.team_id,
        unheard=(lambda: check(call)) if check else None,
        open_review_channel=(lambda review: opener(review, call)) if opener else None,
    )


def the_linked_review(call: CommandCall) -> Review:
    review = linked_review(call.platform, call.channel_id)
    if review is not None:
        return review
    raise RuleViolation(
        "This channel is not linked to a review. Link it with `/prr link PRR-12`, or start one "
        "with `/prr start PLAYBOOK KIND TITLE…`."
    )


def status_command(call: CommandCall, args: list[str]) -> CommandReply:
    review = get_review(args[0]) if args else the_linked_review(call)
    return CommandReply(describe_status(review))


def describe_status(review: Review) -> str:
    state = readiness(review)
    lines = [
        f"**{review_link(review)}** — {review.status}, DRI @{review.dri.username}. "
        f"{state['complete']} of {state['required']} required items complete."
    ]
    if state["ready"]:
        lines.append("Every required item is complete: the DRI can `/prr close` it.")
    by_owner: dict[str, list[str]] = {}
    for missing in state["missing"]:
        by_owner.setdefault(missing["owner"], []).append(
            f"{missing['title']} (`{missing['item']}`)"
        )
    for owner, titles in by_owner.items():
        who = f"the DRI @{review.dri.username}" if owner == "dri" else f"team `{owner}`"
        shown = ", ".join(titles[:6]) + (f" and {len(titles) - 6} more" if len(titles) > 6 else "")
        lines.append(f"- waiting on {who}: {shown}")
    return "\n".join(lines)


def list_command(call: CommandCall, args: list[str]) -> CommandReply:
    reviews = list(list_reviews("open")[: LIST_LIMIT + 1])
    if not reviews:
        return CommandReply("No open reviews. Start one with `/prr start PLAYBOOK KIND TITLE…`.")
    waits = progress_of(reviews[:LIST_LIMIT])
    lines = ["**Open reviews**", ""]
    for review in reviews[:LIST_LIMIT]:
        waiting = waits[review.pk].by_owner
        on = ", ".join(f"{owner} ({count})" for owner, count in waiting.items())
        lines.append(
            f"- {review_link(review)} — DRI @{review.dri.username}; "
            + (f"waiting on {on}" if on else "ready to close")
        )
    if len(reviews) > LIST_LIMIT:
        lines.append(f"\nShowing the newest {LIST_LIMIT}; see all at {settings.BASE_URL}/")
    return CommandReply("\n".join(lines))


def link_command(call: CommandCall, args: list[str]) -> CommandReply:
    if len(args) != 1:
        return CommandReply("Usage: `/prr link PRR-12`.")
    author = caller(call)
    review = get_review(args[0])
    ensure_channel_heard(chat_channel(call))
    link_channel(
        review,
        platform=call.platform,
        channel_id=call.channel_id,
        channel_name=call.channel_name,
        team_id=call.team_id,
        by=author,
    )
    return CommandReply(
        f"@{author.username} linked this channel to {review_link(review)}: messages here go to "
        "the review, and its news is posted here.",
        in_channel=True,
    )


def unlink_command(call: CommandCall, args: list[str]) -> CommandReply:
    author = caller(call)
    review = the_linked_review(call)
    unlink_channel(review, platform=call.platform, by=author)
    return CommandReply(
        f"@{author.username} unlinked this channel from {review.ref}; messages here no longer "
        "go to the review.",
        in_channel=True,
    )


def set_command(call: CommandCall, args: list[str]) -> CommandReply:
    if len(args) < 2:
        return CommandReply(
            "Usage: `/prr set ITEM_KEY done|open|na [REASON…]`, for example "
            "`/prr set load-test done`. `/prr status` lists the open items."
        )
    author = caller(call)
    review = the_linked_review(call)
    item = set_item_state(review, args[0], args[1], by=author, reason=" ".join(args[2:]))
    because = f": {item.na_reason}" if item.na_reason else ""
    return CommandReply(
        f"@{author.username} marked '{item.title}' {item.state} on {review.ref}{because}.",
        in_channel=True,
    )


def close_command(call: CommandCall, args: list[str]) -> CommandReply:
    author = caller(call)
    review = the_linked_review(call)
    snapshot = close_review(review, by=author)
    url = f"{review_url(review)}snapshots/{snapshot.version}/"
    return CommandReply(
        f"@{author.username} closed {review.ref}. The review document is frozen as "
        f"[snapshot v{snapshot.version}]({url}) (sha256 `{snapshot.sha256[:12]}…`).",
        in_channel=True,
    )


COMMANDS: dict[str, Callable[[CommandCall, list[str]], CommandReply]] = {
    "help": help_command,
    "start": start_command,
    "status": status_command,
    "list": list_command,
    "link": link_command,
    "unlink": unlink_command,
    "set": set_command,
    "close": close_command,
}

"""The optional bot: a review started with `/prr start` gets a Mattermost channel of its own.

With PRR_MATTERMOST_URL, PRR_MATTERMOST_BOT_TOKEN and PRR_MATTERMOST_TEAM_ID set, starting a
review queues one task. The worker then finds or creates the channel (named from
PRR_MATTERMOST_CHANNEL_TEMPLATE), links it to the review, adds the DRI and the reviewing
teams' current members who have a linked Mattermost account, and posts a welcome. Each step
can be done twice without harm, so a failed run is simply run again later, a few times.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import timezone
from django.utils.text import slugify
from django_tasks import task

from prr.errors import PrrError
from prr.integrations.chat import outgoing
from prr.integrations.chat.commands import ChannelOpener, CommandCall, review_link, review_url
from prr.integrations.chat.models import ChannelLink, ChatIdentity, Platform
from prr.integrations.chat.own_posts import remember_own_post
from prr.integrations.chat.services import link_channel
from prr.integrations.mattermost.client import MattermostApi, MattermostApiError
from prr.reviews.models import Review, TaskAction
from prr.teams.queries import current_memberships

logger = logging.getLogger(__name__)

PLATFORM = Platform.MATTERMOST.value
DEFAULT_TEMPLATE = "prr-{number}-{title}"
NAME_MAX_CHARS = 64  # Mattermost's limit for a channel's name and for its display name
PURPOSE_MAX_CHARS = 250


def review_channel_opener() -> ChannelOpener | None:
    """The opener `/prr start` calls, when the bot is configured."""
    if settings.MATTERMOST_URL and settings.MATTERMOST_BOT_TOKEN and settings.MATTERMOST_TEAM_ID:
        return queue_review_channel
    return None


def queue_review_channel(review: Review, call: CommandCall) -> None:
    # Called inside start_review's transaction: only queue (the task runs once it commits).
    open_review_channel.enqueue(review.pk, call.user_id)


@task()
def open_review_channel(review_id: int, caller_id: str = "", attempt: int = 1) -> str:
    """Give the review its channel; on failure, try again later (a few times)."""
    try:
        return open_channel(review_id, caller_id)
    except MattermostApiError as exc:
        if attempt >= outgoing.LIMITS.max_attempts():
            logger.error(
                "Review #%s: gave up opening its Mattermost channel after %s attempts: %s",
                review_id,
                attempt,
                exc.message,
            )
            return "failed"
        run_after = timezone.now() + outgoing.LIMITS.retry_delay(attempt)
        open_review_channel.using(run_after=run_after).enqueue(review_id, caller_id, attempt + 1)
        logger.warning(
            "Review #%s: opening its Mattermost channel failed (attempt %s), will retry: %s",
            review_id,
            attempt,
            exc.message,
        )
        return "retrying"


def open_channel(review_id: int, caller_id: str) -> str:
    found = (
        Review.objects.select_related("dri", "playbook_version__playbook")
        .filter(pk=review_id)
        .first()
    )
    api = MattermostApi.from_settings()
    team_id = settings.MATTERMOST_TEAM_ID
    if found is None or api is None or not team_id:
        return "skipped"  # the review was removed, or the bot switched off, since it was queued
    channel_id, name = find_or_create_channel(api, team_id, found)
    try:
        link_channel(
            found,
            platform=PLATFORM,
            channel_id=channel_id,
            channel_name=name,
            team_id=team_id,
            by=None,
        )
    except PrrError as exc:
        logger.warning("Review %s: not linked to ~%s: %s", found.ref, name, exc.message)
        return "skipped"
    members = add_members(api, channel_id, found, caller_id)
    text = welcome(found, members)
    remember_own_post(PLATFORM, channel_id, text)  # the outgoing webhook sends it back
    api.create_post(channel_id, text)
    return "opened"


def find_or_create_channel(api: MattermostApi, team_id: str, review: Review) -> tuple[str, str]:
    """The review's channel (id, name): the one linked, the one of its name, or a new one."""
    linked = ChannelLink.objects.filter(review=review, platform=PLATFORM).first()
    if linked is not None:
        return linked.channel_id, linked.channel_name
    name = channel_name(review)
    channel = api.channel_by_name(team_id, name)
    if channel is None:
        try:
            channel = api.create_channel(
                team_id,
                name,
                display_name(review),
                purpose=f"Production Readiness Review {review.ref}: {review_url(review)}"[
                    :PURPOSE_MAX_CHARS
                ],
                header=review_link(review),
            )
        except MattermostApiError as exc:
            # Created by an earlier attempt whose answer was lost, or by someone else just now.
            channel = api.channel_by_name(team_id, name) if exc.refused else None
            if channel is None:
                raise
    return str(channel["id"]), str(channel.get("name") or name)


def channel_name(review: Review) -> str:
    """`prr-42-payments-api-…`: lowercase letters, digits and hyphens, at most 64 characters."""
    values = {"number": review.number, "title": slugify(review.title), "kind": review.kind}
    try:
        raw = settings.MATTERMOST_CHANNEL_TEMPLATE.format(**values)
    except (KeyError, IndexError, ValueError):
        logger.warning(
            "PRR_MATTERMOST_CHANNEL_TEMPLATE %r is not a valid template; using %r.",
            settings.MATTERMOST_CHANNEL_TEMPLATE,
            DEFAULT_TEMPLATE,
        )
        raw = DEFAULT_TEMPLATE.format(**values)
    name = re.sub(r"[^a-z0-9]+", "-", raw.lower()).strip("-")
    if len(name) > NAME_MAX_CHARS:
        cut = name[: NAME_MAX_CHARS + 1]
        # Cut at a hyphen where one is near the end, so no word is left half.
        name = cut.rsplit("-", 1)[0] if cut.rfind("-") > NAME_MAX_CHARS // 2 else cut[:-1]
    name = name.strip("-")
    return name if len(name) >= 2 else f"prr-{review.number}"


def display_name(review: Review) -> str:
    text = f"{review.ref} {review.title}"
    return text if len(text) <= NAME_MAX_CHARS else text[: NAME_MAX_CHARS - 1].rstrip() + "…"


@dataclass
class Members:
    added: list[str] = field(default_factory=list)  # prr usernames
    not_linked: list[str] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)  # (username, Mattermost's why)


def add_members(api: MattermostApi, channel_id: str, review: Review, caller_id: str) -> Members:
    """Add the DRI and the reviewing teams' current members who have Mattermost accounts."""
    people = [review.dri] + [
        membership.user
        for membership in current_memberships()
        .filter(team__in=review.reviewer_teams.all(), user__is_active=True, user__is_bot=False)
        .select_related("user")
        .order_by("user__username")
    ]
    people = list({person.pk: person for person in people}.values())
    accounts = dict(
        ChatIdentity.objects.filter(platform=PLATFORM, user__in=people).values_list(
            "user_id", "external_id"
        )
    )
    if caller_id:
        accounts[review.dri.pk] = caller_id  # the DRI started it from Mattermost, as this user
    members = Members()
    for person in people:
        account = accounts.get(person.pk)
        if account is None:
            members.not_linked.append(person.username)
            continue
        try:
            api.add_channel_member(channel_id, account)
        except MattermostApiError as exc:
            if not exc.refused:
                raise  # Mattermost is unwell: the whole run is tried again later
            members.refused.append((person.username, exc.detail or f"HTTP {exc.status}"))
            continue
        members.added.append(person.username)
    return members


def welcome(review: Review, members: Members) -> str:
    teams = list(review.reviewer_teams.all())
    lines = [
        f":wave: This channel belongs to {review_link(review)} ({review.kind}, playbook "
        f"`{review.playbook_version.playbook.slug}`), DRI @{review.dri.username}. Messages "
        "written here are recorded on the review.",
    ]
    if teams:
        lines.append(f"Approvals by: {', '.join(t.name for t in teams)}.")
    phrases = approval_phrases(review)
    if phrases:
        lines.append(
            "A current member of a team approves by writing its phrase here: "
            + ", ".join(f"`{phrase}` ({team})" for team, phrase in phrases)
            + ". `/prr status` shows what is left."
        )
    if members.added:
        lines.append("Added: " + ", ".join(f"@{name}" for name in members.added) + ".")
    if members.not_linked:
        lines.append(
            "Not added: "
            + ", ".join(f"@{name} (no Mattermost link)" for name in members.not_linked)
            + ". A prr admin links an account with `prr user link USERNAME --mattermost "
            "USER_ID`; until then, join the channel yourself."
        )
    if members.refused:
        lines.append(
            "Not added: "
            + ", ".join(f"@{name} (Mattermost said: {why})" for name, why in members.refused)
            + "."
        )
    return "\n\n".join(lines)


def approval_phrases(review: Review) -> list[tuple[str, str]]:
    """(team name, phrase): the first phrase that completes each team's items, in order."""
    phrases: dict[str, str] = {}
    for team, choices in (
        TaskAction.objects.filter(review=review, then=TaskAction.Then.DONE)
        .order_by("item__position", "pk")
        .values_list("team__name", "phrases")
    ):
        if choices and team not in phrases:
            phrases[team] = str(choices[0])
    return list(phrases.items())

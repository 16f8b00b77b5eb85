"""Review news posted to chat: each event becomes one post per channel that should hear it.

A review's linked channels hear its news. Mattermost posts through the channel's incoming
webhook, or the default one (`PRR_MATTERMOST_WEBHOOK_URL`, which also hears reviews that have
no Mattermost channel); Slack posts with the bot token to the linked channel, or to
`PRR_SLACK_NOTIFY_CHANNEL` for reviews without one. Posts are sent by the worker, with retries.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import transaction

from prr.integrations.chat.commands import review_link, review_url
from prr.integrations.chat.models import ChannelLink, Platform
from prr.integrations.chat.outgoing import queue_post
from prr.reviews import events
from prr.reviews.events import Event
from prr.reviews.models import Review, ReviewItem
from prr.reviews.per_request import once_per_request

logger = logging.getLogger(__name__)

NOTIFIED = (
    events.STARTED,
    events.ITEM_CHANGED,
    events.READY,
    events.CLOSED,
    events.REOPENED,
    events.CANCELLED,
    events.ITEMS_DUE,
)


def on_review_event(event: Event) -> None:
    if event.type not in NOTIFIED or not chat_configured():
        return
    review = Review.objects.select_related("dri").filter(pk=event.review_id).first()
    if review is None:
        return
    text = describe_event(event, review)
    if text is None:
        return
    with transaction.atomic():
        for platform, target, payload in destinations(review):
            queue_post(
                platform,
                target,
                {**payload, "text": text},
                review_id=review.pk,
                event_type=event.type,
            )


@once_per_request
def chat_configured() -> bool:
    # Without any chat settings, no event costs a query; with them, one per request.
    return bool(
        settings.MATTERMOST_WEBHOOK_URL
        or settings.SLACK_BOT_TOKEN
        or ChannelLink.objects.filter(platform=Platform.MATTERMOST).exclude(notify_url="").exists()
    )


def destinations(review: Review) -> list[tuple[str, str, dict[str, str]]]:
    links = {link.platform: link for link in ChannelLink.objects.filter(review=review)}
    found: list[tuple[str, str, dict[str, str]]] = []
    mattermost = links.get(Platform.MATTERMOST)
    default_url = settings.MATTERMOST_WEBHOOK_URL
    if mattermost is not None and mattermost.notify_url:
        found.append((Platform.MATTERMOST, mattermost.notify_url, {}))
    elif mattermost is not None and default_url:
        # The default webhook posts to the linked channel when Mattermost allows overriding it.
        extra = {"channel": mattermost.channel_name} if mattermost.channel_name else {}
        found.append((Platform.MATTERMOST, default_url, extra))
    elif default_url:
        found.append((Platform.MATTERMOST, default_url, {}))
    slack = links.get(Platform.SLACK)
    if settings.SLACK_BOT_TOKEN:
        channel = slack.channel_id if slack is not None else settings.SLACK_NOTIFY_CHANNEL
        if channel:
            found.append((Platform.SLACK, channel, {}))
    return found


def describe_event(event: Event, review: Review) -> str | None:
    """The notification text (Markdown), or None for a change chat need not hear about."""
    who = f"@{event.actor}" if event.actor else "prr"
    change = event.change
    link = review_link(review)
    if event.type == events.STARTED:
        teams = ", ".join(t.name for t in review.reviewer_teams.all()) or "none"
        return (
            f":rocket: {who} started {link} ({review.kind}). DRI @{review.dri.username}; "
            f"approvals by: {teams}."
        )
    if event.type == events.ITEM_CHANGED:
        item = (
            ReviewItem.objects.select_related("owner_team")
            .filter(review=review, key=change.get("item"))
            .first()
        )
        if item is None or item.owner_team is None:
            return None  # the DRI's own items: the review page shows them, chat need not
        if change.get("state") == ReviewItem.State.DONE:
            return f":white_check_mark: {item.title} approved by {who} on {link}."
        if change.get("state") == ReviewItem.State.OPEN:
            return f":leftwards_arrow_with_hook: {item.title} reopened by {who} on {link}."
        return f"{item.title} marked n/a by {who} on {link}: {change.get('reason', '')}"
    if event.type == events.READY:
        return (
            f":large_green_circle: {link} is ready to close: every required item is complete. "
            f"The DRI @{review.dri.username} can close it (`/prr close`)."
        )
    if event.type == events.CLOSED:
        version = change.get("snapshot")
        url = f"{review_url(review)}snapshots/{version}/"
        forced = f" (forced: {change.get('reason')})" if change.get("forced") else ""
        return (
            f":lock: {who} closed {link}{forced}. The review document is frozen: "
            f"[snapshot v{version}]({url})."
        )
    if event.type == events.REOPENED:
        return f":unlock: {who} reopened {link}: {change.get('reason', '')}"
    if event.type == events.CANCELLED:
        return f":no_entry: {who} cancelled {link}: {change.get('reason', '')}"
    if event.type == events.ITEMS_DUE:
        lines = [
            f"- {i['title']} ({'DRI' if i['owner'] == 'dri' else i['owner']}): "
            f"{'overdue since' if i['overdue'] else 'due'} {str(i['due_at'])[:10]}"
            for i in change.get("items", [])
        ]
        return f":alarm_clock: Reminder for {link}:\n" + "\n".join(lines)
    return None

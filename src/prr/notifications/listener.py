"""Who hears of a review event in their inbox (and by email, as they chose).

- a review started, or reviewers added: the reviewers named and the current members of the
  reviewer teams named;
- an item assigned: the assignee (unless they assigned it to themselves);
- a message: each person @mentioned by username, and the current members of each team
  @mentioned by slug (`@sre`), but not its author;
- an approval (a team's item done by its member), "ready to close", closed: the review's DRI,
  unless the DRI did it.

Called after the change committed; a failure here is logged by `events` and changes nothing
of the review.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from prr.accounts.models import User
from prr.notifications.models import Notification
from prr.notifications.services import notify
from prr.reviews import events
from prr.reviews.events import Event
from prr.reviews.models import Review, ReviewItem
from prr.teams.models import Team
from prr.teams.queries import current_memberships

# `@name` not inside a word or an email address; usernames and team slugs are letters, digits,
# dots, dashes and underscores. Code (`…` and fenced blocks) is not read for mentions.
_MENTION = re.compile(r"(?<![\w@.])@([A-Za-z0-9][A-Za-z0-9._-]*[A-Za-z0-9_]|[A-Za-z0-9])")
_CODE = re.compile(r"```.*?```|`[^`\n]*`", re.DOTALL)
QUOTE_MAX = 140


def on_review_event(event: Event) -> None:
    handler = _HANDLERS.get(event.type)
    if handler is None:
        return
    review = Review.objects.select_related("dri").filter(pk=event.review_id).first()
    if review is not None:
        handler(review, event)


def members_of(teams: Iterable[Team] | Iterable[int]) -> list[User]:
    ids = [t.pk if isinstance(t, Team) else t for t in teams]
    if not ids:
        return []
    return list(
        User.objects.filter(
            pk__in=current_memberships().filter(team_id__in=ids).values("user_id")
        ).distinct()
    )


def _started(review: Review, event: Event) -> None:
    people = [*review.reviewers.all(), *members_of(review.reviewer_teams.all())]
    notify(
        people,
        review=review,
        kind=Notification.Kind.REVIEWER,
        text=f"@{event.actor} started {review.ref} {review.title}; you are a reviewer.",
        link=review.path,
        actor=event.actor,
    )


def _reviewers_added(review: Review, event: Event) -> None:
    users = list(User.objects.filter(username__in=event.change.get("users", [])))
    teams = list(Team.objects.filter(slug__in=event.change.get("teams", [])))
    notify(
        [*users, *members_of(teams)],
        review=review,
        kind=Notification.Kind.REVIEWER,
        text=f"@{event.actor} added you as a reviewer of {review.ref} {review.title}.",
        link=review.path,
        actor=event.actor,
    )


def mentioned(body: str) -> set[str]:
    """The handles @mentioned in a message (lowercase), outside code."""
    return {m.lower() for m in _MENTION.findall(_CODE.sub(" ", body))}


def _message(review: Review, event: Event) -> None:
    body = str(event.change.get("body", ""))
    if "@" not in body:
        return
    handles = mentioned(body)
    if not handles:
        return
    people = list(User.objects.filter(username__in=handles))
    teams = list(Team.objects.filter(slug__in=handles))
    quote = " ".join(body.split())
    if len(quote) > QUOTE_MAX:
        quote = quote[: QUOTE_MAX - 1] + "…"
    anchor = f"#message-{event.change.get('message')}"
    direct = {u.pk for u in people}
    by_team = [u for u in members_of(teams) if u.pk not in direct]
    if people:
        notify(
            people,
            review=review,
            kind=Notification.Kind.MENTION,
            text=f"@{event.actor} mentioned you in {review.ref}: {quote}",
            link=review.path + anchor,
            actor=event.actor,
        )
    if by_team:
        names = ", ".join(f"@{t.slug}" for t in teams)
        notify(
            by_team,
            review=review,
            kind=Notification.Kind.MENTION,
            text=f"@{event.actor} mentioned {names} in {review.ref}: {quote}",
            link=review.path + anchor,
            actor=event.actor,
        )


def _to_dri(review: Review, event: Event, kind: str, text: str, anchor: str = "") -> None:
    notify(
        [review.dri],
        review=review,
        kind=kind,
        text=text,
        link=review.path + anchor,
        actor=event.actor,
    )


def _item_changed(review: Review, event: Event) -> None:
    if event.change.get("state") != ReviewItem.State.DONE:
        return
    item = (
        ReviewItem.objects.select_related("owner_team")
        .filter(review=review, key=event.change.get("item"))
        .first()
    )
    if item is None or item.owner_team is None:
        return  # the DRI's own items: nothing to tell the DRI
    _to_dri(
        review,
        event,
        Notification.Kind.APPROVAL,
        f"{item.owner_team.name}: '{item.title}' done by @{event.actor} on {review.ref}.",
        f"#item-{item.key}",
    )


def _assigned(review: Review, event: Event) -> None:
    assignee = User.objects.filter(username=event.change.get("assignee") or "").first()
    if assignee is None:
        return
    notify(
        [assignee],
        review=review,
        kind=Notification.Kind.ASSIGNED,
        text=f"@{event.actor} assigned '{event.change.get('title')}' on {review.ref} to you.",
        link=f"{review.path}#item-{event.change.get('item')}",
        actor=event.actor,
    )


def _ready(review: Review, event: Event) -> None:
    _to_dri(
        review,
        event,
        Notification.Kind.READY,
        f"{review.ref} {review.title} is ready to close: every required item is done or n/a.",
    )


def _closed(review: Review, event: Event) -> None:
    _to_dri(review, event, Notification.Kind.CLOSED, f"@{event.actor} closed {review.ref}.")


_HANDLERS = {
    events.STARTED: _started,
    events.REVIEWERS_ADDED: _reviewers_added,
    events.MESSAGE_POSTED: _message,
    events.ITEM_CHANGED: _item_changed,
    events.ITEM_ASSIGNED: _assigned,
    events.READY: _ready,
    events.CLOSED: _closed,
}

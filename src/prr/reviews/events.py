"""Events of the review process, handed to listeners once the change that caused them commits.

Services call `publish()` inside their transaction. Listeners (outgoing webhooks, chat
notifications) run only after the commit, so a change that rolls back publishes nothing; in
autocommit (a plain message) they run at once. A failing listener is logged and never undoes
or breaks the change that caused the event.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from typing import Any

from django.db import transaction
from django.utils import timezone

logger = logging.getLogger(__name__)

STARTED = "review.started"
REVIEWERS_ADDED = "review.reviewers_added"
ITEM_CHANGED = "review.item_changed"
ITEM_ASSIGNED = "review.item_assigned"
MESSAGE_POSTED = "review.message_posted"
READY = "review.ready"
CLOSED = "review.closed"
REOPENED = "review.reopened"
CANCELLED = "review.cancelled"
ITEMS_DUE = "review.items_due"

EVENT_TYPES: tuple[str, ...] = (
    STARTED,
    REVIEWERS_ADDED,
    ITEM_CHANGED,
    ITEM_ASSIGNED,
    MESSAGE_POSTED,
    READY,
    CLOSED,
    REOPENED,
    CANCELLED,
    ITEMS_DUE,
)

# In a webhook subscription: every event type, including types added in later versions.
ALL_EVENTS = "*"

EVENT_DESCRIPTIONS: dict[str, str] = {
    STARTED: "a review was started",
    REVIEWERS_ADDED: "people or teams were added as reviewers",
    ITEM_CHANGED: "a checklist item changed state (by hand or by a phrase)",
    ITEM_ASSIGNED: "a checklist item was assigned to a person (or no longer is)",
    MESSAGE_POSTED: "a message was posted in a review's channel",
    READY: "the last required item was completed: the review is ready to close",
    CLOSED: "a review was closed and its snapshot written",
    REOPENED: "a closed review was reopened",
    CANCELLED: "a review was cancelled",
    ITEMS_DUE: "the daily reminder: open items of an open review are due or overdue",
}


@dataclass(frozen=True)
class Event:
    type: str
    review_id: int
    actor: str | None
    change: dict[str, Any]
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    occurred_at: datetime = field(default_factory=timezone.now)


Listener = Callable[[Event], None]
_listeners: list[Listener] = []


def subscribe(listener: Listener) -> Listener:
    """Register a listener (usually from an AppConfig.ready). Returns it, for decorator use."""
    if listener not in _listeners:
        _listeners.append(listener)
    return listener


def unsubscribe(listener: Listener) -> None:
    if listener in _listeners:
        _listeners.remove(listener)


def publish(review_id: int, type: str, *, actor: Any = None, **change: Any) -> Event:
    """Announce an event; listeners receive it after the current transaction commits."""
    if type not in EVENT_TYPES:
        raise ValueError(f"Unknown event type {type!r}")
    event = Event(
        type=type,
        review_id=review_id,
        actor=getattr(actor, "username", None),
        change=change,
    )
    transaction.on_commit(partial(_dispatch, event))
    return event


def _dispatch(event: Event) -> None:
    for listener in list(_listeners):
        try:
            listener(event)
        except Exception:
            logger.exception("Listener %r failed on event %s (%s)", listener, event.id, event.type)

"""What a subscription may hold: an http(s) URL, known event types, a usable secret."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from prr.errors import InvalidInput
from prr.integrations import outgoing_guard
from prr.reviews.events import ALL_EVENTS, EVENT_TYPES

MAX_URL_LENGTH = 2000
MIN_SECRET_LENGTH = 16
MAX_SECRET_LENGTH = 128

_url_validator = URLValidator(schemes=["http", "https"])


def validate_url(url: str) -> str:
    url = url.strip()
    if len(url) > MAX_URL_LENGTH:
        raise InvalidInput(
            f"The URL is too long ({len(url)} characters; {MAX_URL_LENGTH} at most)."
        )
    try:
        _url_validator(url)
    except ValidationError:
        raise InvalidInput(
            f"'{url}' is not a valid webhook URL; give an http:// or https:// URL "
            "such as https://hooks.example.com/prr."
        ) from None
    outgoing_guard.check_url(url)
    return url


def validate_events(events: Iterable[str] | str) -> list[str]:
    """The event types named (comma-separated strings allowed), in the canonical order.

    `*` stands for every event type, including those added in later versions.
    """
    if isinstance(events, str):
        events = [events]
    if not isinstance(events, Iterable):
        raise InvalidInput("Give the event types as a list of names.")
    names = {
        name.strip()
        for entry in events
        for name in (entry.split(",") if isinstance(entry, str) else [repr(entry)])
        if name.strip()
    }
    if not names:
        raise InvalidInput(
            f"Name at least one event type ({', '.join(EVENT_TYPES)}), or '{ALL_EVENTS}' for all."
        )
    unknown = sorted(names - {*EVENT_TYPES, ALL_EVENTS})
    if unknown:
        raise InvalidInput(
            f"Unknown event type{'s' if len(unknown) > 1 else ''} {', '.join(unknown)}; "
            f"known types: {', '.join(EVENT_TYPES)} (or '{ALL_EVENTS}' for all)."
        )
    if ALL_EVENTS in names:
        return [ALL_EVENTS]
    return [t for t in EVENT_TYPES if t in names]


def validate_secret(secret: str) -> str:
    if len(secret) < MIN_SECRET_LENGTH or len(secret) > MAX_SECRET_LENGTH:
        raise InvalidInput(
            f"A webhook secret must have {MIN_SECRET_LENGTH} to {MAX_SECRET_LENGTH} characters "
            "(leave it out to have one generated)."
        )
    if not secret.isascii() or not secret.isprintable() or any(c.isspace() for c in secret):
        raise InvalidInput("A webhook secret must be printable ASCII without spaces.")
    return secret

"""Answers that a listener may reuse for the rest of one HTTP request.

A request that changes a review publishes several events (a message, the item it approved, the
review now ready): "is anyone listening?" is asked once per request, not once per event. Outside
a request (the CLI, the worker) every call asks again. Nothing outlives the request, so another
process's change (a new webhook subscription) is seen by the next request.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.core.signals import request_finished, request_started

T = TypeVar("T")

_state = threading.local()  # gunicorn's sync workers: one request per thread at a time


def once_per_request(func: Callable[[], T]) -> Callable[[], T]:
    """`func()`'s value, computed at its first call in a request and reused until its end."""
    key = f"{func.__module__}.{func.__qualname__}"

    @wraps(func)
    def memo() -> T:
        answers: dict[str, Any] | None = getattr(_state, "answers", None)
        if answers is None:
            return func()
        if key not in answers:
            answers[key] = func()
        return answers[key]  # type: ignore[no-any-return]

    return memo


def _request_started(**kwargs: Any) -> None:
    _state.answers = {}


def _request_finished(**kwargs: Any) -> None:
    _state.answers = None


request_started.connect(_request_started, dispatch_uid="prr.per_request.started")
request_finished.connect(_request_finished, dispatch_uid="prr.per_request.finished")

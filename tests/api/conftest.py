"""An API client per persona: Django's test client sending `Authorization: Bearer <token>`."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from prr.accounts.models import User
from prr.accounts.tokens import create_token
from prr.reviews.items import set_item_state
from prr.reviews.models import Review


class ApiClient:
    def __init__(self, token: str | None) -> None:
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def request(self, method: str, path: str, body: Any = None, **extra: Any) -> Any:
        kwargs: dict[str, Any] = {"headers": {**self.headers, **extra.pop("headers", {})}}
        if body is not None:
            kwargs["data"] = body if isinstance(body, (str, bytes)) else json.dumps(body)
            kwargs["content_type"] = extra.pop("content_type", "application/json")
        kwargs.update(extra)
        return getattr(self.client, method.lower())(f"/api/v1{path}", **kwargs)

    def get(self, path: str, **extra: Any) -> Any:
        return self.request("GET", path, **extra)

    def post(self, path: str, body: Any = None, **extra: Any) -> Any:
        return self.request("POST", path, body if body is not None else {}, **extra)

    def put(self, path: str, body: Any = None, **extra: Any) -> Any:
        return self.request("PUT", path, body if body is not None else {}, **extra)

    def delete(self, path: str, **extra: Any) -> Any:
        return self.request("DELETE", path, **extra)


@pytest.fixture
def api_as(db: None) -> Callable[[User | None], ApiClient]:
    """`api_as(dri).get("/me")`; `api_as(None)` sends no token."""

    numbers = itertools.count(1)

    def make(user: User | None) -> ApiClient:
        if user is None:
            return ApiClient(None)
        # A distinct name each time: a test may ask for two clients of one persona.
        return ApiClient(create_token(user, f"tests {user.username} {next(numbers)}").secret)

    return make


def error_of(response: Any) -> tuple[int, str]:
    """(status, error code) of an error response, checking its shape on the way."""
    body = response.json()
    assert set(body) == {"error", "message", "details"}, body
    assert body["message"], body
    return response.status_code, body["error"]


@pytest.fixture
def ready_review(review: Review, dri: User, sre_member: User, security_member: User) -> Review:
    """PRR-1 with every required item done by its owner: ready to close."""
    for key in ("dashboards", "load-test"):
        set_item_state(review, key, "done", by=dri)
    set_item_state(review, "sre-review", "done", by=sre_member)
    set_item_state(review, "security-review", "done", by=security_member)
    return review

"""A chat server played on 127.0.0.1, and a worker run that sends every queued chat post."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db.models import Model
from django_tasks_db.management.commands.db_worker import Worker

from prr.integrations.chat.models import ChatPost

# (status, JSON body) or (status, JSON body, headers) a route answers; a callable gets the
# request and decides.
Answer = tuple[int, Any] | tuple[int, Any, dict[str, str]]
Route = Answer | Callable[["ChatRequest"], Answer]


@dataclass
class ChatRequest:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: Message
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def form(self) -> dict[str, str]:
        return {k: v[-1] for k, v in parse_qs(self.body.decode()).items()}


@dataclass
class ChatServer:
    """Plays Mattermost or Slack: records every request, answers from `routes`.

    `routes[(method, path)]` is a (status, JSON) pair or a function of the request; a route
    not set answers 404. `fail_next` makes the next N requests answer 500.
    """

    url: str = ""
    requests: list[ChatRequest] = field(default_factory=list)
    routes: dict[tuple[str, str], Route] = field(default_factory=dict)
    fail_next: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def on(self, method: str, path: str, answer: Route) -> None:
        self.routes[(method, path)] = answer

    def answer(self, request: ChatRequest) -> Answer:
        with self.lock:
            self.requests.append(request)
            if self.fail_next > 0:
                self.fail_next -= 1
                return 500, {"error": "the chat server is down"}
        route = self.routes.get((request.method, request.path))
        if route is None:
            return 404, {"error": f"no route {request.method} {request.path}"}
        return route(request) if callable(route) else route

    def to(self, path: str) -> list[ChatRequest]:
        """The requests made to `path`, in order."""
        return [r for r in self.requests if r.path == path]


@pytest.fixture(autouse=True)
def username_fallback(settings: Any) -> None:
    """The chat tests' personas speak under their prr usernames: the small-team setting
    PRR_CHAT_USERNAME_FALLBACK is on here. tests/integrations/chat/test_identity.py shows the
    default, where only an explicit link maps a chat account."""
    settings.CHAT_USERNAME_FALLBACK = True


@pytest.fixture
def chat_server() -> Iterator[ChatServer]:
    server_state = ChatServer()

    class Handler(BaseHTTPRequestHandler):
        def handle_any(self) -> None:
            length = int(self.headers.get("Content-Length", 0))
            parts = urlsplit(self.path)
            request = ChatRequest(
                self.command,
                parts.path,
                parse_qs(parts.query),
                self.headers,
                self.rfile.read(length),
            )
            status, body, *more = server_state.answer(request)
            raw = json.dumps(body).encode()
            self.send_response(status)
            for name, value in (more[0] if more else {}).items():
                self.send_header(name, value)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        do_GET = do_POST = do_PUT = do_DELETE = handle_any

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    server_state.url = f"http://127.0.0.1:{server.server_address[1]}"
    yield server_state
    server.shutdown()
    server.server_close()


@pytest.fixture
def quick_retries(settings: Any) -> None:
    """Retries after milliseconds instead of seconds, and a short timeout, for webhooks, chat
    posts and emails alike."""
    for user in ("WEBHOOK", "CHAT", "EMAIL"):
        setattr(settings, f"{user}_RETRY_DELAY", 0.01)
        setattr(settings, f"{user}_RETRY_MAX_DELAY", 0.05)
        setattr(settings, f"{user}_MAX_ATTEMPTS", 3)
        setattr(settings, f"{user}_TIMEOUT", 2)


def make_worker(name: str = "test-worker") -> Worker:
    return Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id=name,
        excluded_queue_names=[],
    )


def run_worker(name: str = "test-worker") -> None:
    """Run every task due now, in this thread, then return (like `prr worker --batch`)."""
    make_worker(name).run()


SETTLED = ("delivered", "failed")


def run_until_settled(model: type[Model], timeout: float = 10.0) -> list[Any]:
    """Run the worker until every row of `model` (webhook deliveries, chat posts) is delivered
    or failed; returns them, oldest first, or fails the test."""
    deadline = time.monotonic() + timeout
    while True:
        run_worker()
        rows = list(model._default_manager.order_by("pk"))
        if all(row.status in SETTLED for row in rows):
            return rows
        if time.monotonic() > deadline:
            raise AssertionError(f"never settled: {rows}")
        time.sleep(0.01)


@pytest.fixture
def send_chat_posts(quick_retries: None) -> Callable[..., list[ChatPost]]:
    """Run the worker until every chat post is delivered or failed; returns them, oldest first."""

    def send_all(timeout: float = 10.0) -> list[ChatPost]:
        return run_until_settled(ChatPost, timeout)

    return send_all

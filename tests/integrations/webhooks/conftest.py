"""A real HTTP receiver on 127.0.0.1, a worker that drains the queue, and tiny back-off delays."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from click.testing import CliRunner, Result
from django.db import connection

from prr.cli import prr
from prr.integrations.webhooks.models import Delivery
from tests.integrations.conftest import run_until_settled


@dataclass
class Received:
    path: str
    headers: Message  # names are case-insensitive, as in HTTP (urllib sends `X-Prr-Event`)
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Receiver:
    """Records every POST; answers `fail_status` to the first `fail_times`, then `status`."""

    url: str = ""
    requests: list[Received] = field(default_factory=list)
    fail_times: int = 0
    fail_status: int = 500
    status: int = 200
    delay: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def answer(self, received: Received) -> int:
        with self.lock:
            self.requests.append(received)
            failing = len(self.requests) <= self.fail_times
        time.sleep(self.delay)
        return self.fail_status if failing else self.status


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    recorder = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", 0))
            body = self.rfile.read(length)
            status = recorder.answer(Received(self.path, self.headers, body))
            reply = b"thanks" if status < 300 else b"receiver is down"
            self.send_response(status)
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    recorder.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/prr"
    yield recorder
    server.shutdown()
    server.server_close()


@pytest.fixture(autouse=True)
def quick_webhooks(quick_retries: None) -> None:
    """Every webhook test retries after milliseconds, with a short timeout."""


@pytest.fixture
def closed_port_url() -> str:
    """A URL on 127.0.0.1 where nothing listens: connections are refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/nobody-home"


Drain = Callable[..., list[Delivery]]


@pytest.fixture
def drain() -> Drain:
    """Run workers until every delivery has settled (delivered or failed), or fail the test."""

    def drain_all(timeout: float = 10.0) -> list[Delivery]:
        return run_until_settled(Delivery, timeout)

    return drain_all


def in_thread(call: Callable[[], None]) -> Callable[[], None]:
    """`call` made safe to run in a thread: its database connection closes at the end."""

    def run() -> None:
        try:
            call()
        finally:
            connection.close()

    return run


@pytest.fixture
def cli(db: None, settings: Any) -> Callable[..., Result]:
    """`cli("webhook", "list")` runs `prr webhook list` in-process (as in tests/cli)."""
    settings.DEBUG = True
    runner = CliRunner()

    def invoke(*args: str) -> Result:
        return runner.invoke(prr, list(args), catch_exceptions=False)

    return invoke

"""The suite allows outgoing requests to 127.0.0.1 (its fake servers live there); the
hardening tests take that allowance back, and play DNS answers with `dns`."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from tests.web.conftest import as_admin, as_dri, as_outsider, as_sre, signed_in

__all__ = ["as_admin", "as_dri", "as_outsider", "as_sre", "signed_in"]  # persona browsers


@pytest.fixture
def private_refused(settings: Any) -> None:
    """prr as installed: no loopback, private, … destination allowed."""
    settings.OUTGOING_ALLOW_PRIVATE = False
    settings.OUTGOING_ALLOW = []


@pytest.fixture
def dns(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[str]]:
    """`dns["hooks.example.com"] = ["127.0.0.1"]`: what the name resolves to from now on (a
    name set to [] does not resolve). Names not set resolve as usual."""
    answers: dict[str, list[str]] = {}
    real = socket.getaddrinfo

    def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host in answers:
            if not answers[host]:
                raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
            return [
                (socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, int(port or 0)))
                for address in answers[host]
            ]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return answers


@dataclass
class Receiver:
    """An HTTP server on 127.0.0.1 that records the Host header of every POST."""

    port: int = 0
    hosts: list[str] = field(default_factory=list)
    bodies: list[bytes] = field(default_factory=list)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    recorder = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            recorder.bodies.append(self.rfile.read(int(self.headers.get("Content-Length", 0))))
            recorder.hosts.append(self.headers.get("Host", ""))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    recorder.port = server.server_address[1]
    yield recorder
    server.shutdown()
    server.server_close()

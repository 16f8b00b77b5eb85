"""The real `prr serve` (gunicorn, forked workers) against the test database."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.db import connection

PRR = [sys.executable, "-c", "from prr.cli import main; main()"]


def database_url() -> str:
    """The test database, as a PRR_DATABASE_URL another process can open."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def server_env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PRR_")}
    return env | {
        "PRR_DATA_DIR": str(data_dir),
        "PRR_DATABASE_URL": database_url(),
        "PRR_SECRET_KEY": "test-only-secret-key-for-the-served-process",
        "DJANGO_SETTINGS_MODULE": "prr.settings",
    }


@dataclass
class Served:
    url: str
    process: subprocess.Popen[str]
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")


def start_server(data_dir: Path, *, workers: int) -> Served:
    port = free_port()
    log = data_dir / f"serve-{port}.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [*PRR, "serve", "--port", str(port), "--workers", str(workers)],
            env=server_env(data_dir),
            stdout=out,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,  # its own process group: stopped with its workers
        )
    served = Served(f"http://127.0.0.1:{port}", process, log)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"prr serve exited with {process.returncode}:\n{served.output()}")
        try:
            urllib.request.urlopen(served.url + "/api/v1/openapi.json", timeout=2).close()
            return served
        except (urllib.error.URLError, OSError):
            time.sleep(0.2)
    process.kill()
    pytest.fail(f"prr serve did not answer within 30 s:\n{served.output()}")


def stop_server(served: Served) -> None:
    served.process.terminate()
    try:
        served.process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        served.process.kill()
        served.process.wait()
    # A worker stuck in a request outlives its master: end the whole group.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(served.process.pid, signal.SIGKILL)


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[object]:
    """`serve(workers=4)` starts `prr serve` on a free port; it is stopped after the test."""
    started: list[Served] = []

    def start(*, workers: int = 2) -> Served:
        served = start_server(tmp_path, workers=workers)
        started.append(served)
        return served

    yield start
    for served in started:
        stop_server(served)

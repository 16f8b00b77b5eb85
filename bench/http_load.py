"""Benchmark: message posts through the API on the real `prr serve --workers 4`.

For SQLite and for PostgreSQL (a scratch database `prr_bench_http`, created and dropped, on the
server of PRR_TEST_DATABASE_URL or postgres://postgres@127.0.0.1:5432/), it seeds a review and
8 tokens of 8 SRE members, starts `prr serve --workers 4`, and runs at 1, 8 and 32 concurrent
clients (threads, each with its own connection, tokens in turn) first the cheapest
authenticated GET (`/api/v1/me`), then `POST /api/v1/reviews/{ref}/messages` with ordinary
chat messages, each for a few seconds. It prints throughput, p50 and p99 and the goals: POST
throughput at least 0.6x the GET's, p99 under 100 ms at 32 clients on PostgreSQL, no errors.

Usage: `make bench` or `python bench/http_load.py [--seconds 4]`.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

if TYPE_CHECKING:
    import psycopg

# What a client sends for its n-th request: (method, path, body).
Request = Callable[[int, int], tuple[str, str, bytes | None]]

CLIENTS = (1, 8, 32)
TOKENS = 8
WORKERS = 4
SCRATCH = "prr_bench_http"
DEFAULT_PG = "postgres://postgres@127.0.0.1:5432/postgres"
GOAL_RATIO = 0.6  # POST throughput / GET throughput
GOAL_P99_MS = 100.0  # at 32 clients, on PostgreSQL
CHAT = [
    "Looked at the dashboards, the latency graph is missing the p99 line.",
    "Can we link the runbook for the queue-depth alert from the review document?",
    "Load test results are in the capacity section now, with the 2x spike.",
    "Rollback took four minutes in staging; I added the numbers.",
    "Thanks, that answers my question about the retry budget.",
]
PRR = [sys.executable, "-c", "from prr.cli import main; main()"]


# -- seeding, in a child process that opens the benchmark's database --------------------------


def seed() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "prr.settings")
    import django

    django.setup()
    from prr.accounts.services import create_user
    from prr.accounts.tokens import create_token
    from prr.cli.server import prepare_database
    from prr.playbooks.services import get_playbook, get_version
    from prr.reviews.starting import start_review
    from prr.teams.services import add_members, get_team

    prepare_database()
    dri = create_user("dri")
    members = [create_user(f"member{n}") for n in range(TOKENS)]
    add_members(get_team("sre"), members)
    review = start_review(
        version=get_version(get_playbook("prr")), title="HTTP benchmark of the message API", dri=dri
    )
    tokens = [create_token(user, "benchmark").secret for user in members]
    print(json.dumps({"ref": review.ref, "tokens": tokens}))


# -- the load ---------------------------------------------------------------------------------


@dataclass
class Run:
    latencies: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds

    def percentile(self, fraction: float) -> float:
        ordered = sorted(self.latencies)
        if not ordered:
            return float("nan")
        return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] * 1000


def load(port: int, tokens: list[str], clients: int, seconds: float, request: Request) -> Run:
    run = Run()
    lock = threading.Lock()
    start = threading.Barrier(clients + 1)
    deadline = [0.0]

    def client(n: int) -> None:
        token = tokens[n % len(tokens)]
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        latencies: list[float] = []
        errors: dict[str, int] = {}
        start.wait()
        sent = 0
        while time.perf_counter() < deadline[0]:
            method, path, body = request(n, sent)
            sent += 1
            headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
            began = time.perf_counter()
            try:
                connection.request(method, path, body=body, headers=headers)
                response = connection.getresponse()
                response.read()
                if response.will_close:
                    connection.close()  # gunicorn's sync workers close after each response
                status = response.status
            except (OSError, http.client.HTTPException) as exc:
                connection.close()
                errors[type(exc).__name__] = errors.get(type(exc).__name__, 0) + 1
                continue
            if status >= 300:
                errors[str(status)] = errors.get(str(status), 0) + 1
            else:
                latencies.append(time.perf_counter() - began)
        connection.close()
        with lock:
            run.latencies.extend(latencies)
            for key, count in errors.items():
                run.errors[key] = run.errors.get(key, 0) + count

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    began = time.perf_counter()
    deadline[0] = began + seconds
    start.wait()
    for thread in threads:
        thread.join()
    run.seconds = time.perf_counter() - began
    return run


class GetMe:
    def __call__(self, client: int, n: int) -> tuple[str, str, bytes | None]:
        return "GET", "/api/v1/me", None


class PostMessage:
    def __init__(self, ref: str) -> None:
        self.path = f"/api/v1/reviews/{ref}/messages"

    def __call__(self, client: int, n: int) -> tuple[str, str, bytes | None]:
        body = json.dumps({"body": f"{CHAT[(client + n) % len(CHAT)]} (#{client}.{n})"})
        return "POST", self.path, body.encode()


# -- one database ------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def server_env(database_url: str, data_dir: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PRR_")}
    return env | {
        "PRR_DATA_DIR": data_dir,
        "PRR_DATABASE_URL": database_url,
        "PRR_SECRET_KEY": "benchmark-only-secret-key-not-for-production",
        "DJANGO_SETTINGS_MODULE": "prr.settings",
    }


def wait_until_up(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"prr serve exited with {process.returncode}:\n{log.read_text()}")
        with contextlib.suppress(OSError, http.client.HTTPException):
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/api/v1/openapi.json")
            if connection.getresponse().status == 200:
                return
        time.sleep(0.2)
    raise SystemExit(f"prr serve did not answer within 60 s:\n{log.read_text()}")


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)


def bench_database(vendor: str, database_url: str, data_dir: str, seconds: float) -> list[Row]:
    env = server_env(database_url, data_dir)
    seeded = subprocess.run(
        [sys.executable, __file__, "--seed"], env=env, check=True, capture_output=True, text=True
    )
    seeding = json.loads(seeded.stdout.strip().splitlines()[-1])
    port = free_port()
    log = Path(data_dir) / f"serve-{vendor}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [*PRR, "serve", "--port", str(port), "--workers", str(WORKERS)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stopped with its workers
        )
    rows: list[Row] = []
    try:
        wait_until_up(port, process, log)
        tokens, post = seeding["tokens"], PostMessage(seeding["ref"])
        load(port, tokens, 8, 1.0, GetMe())  # warm every worker up
        load(port, tokens, 8, 1.0, post)
        for clients in CLIENTS:
            get = load(port, tokens, clients, seconds, GetMe())
            posted = load(port, tokens, clients, seconds, post)
            rows.append(Row(vendor, clients, get, posted))
    finally:
        stop(process)
    return rows


@dataclass
class Row:
    vendor: str
    clients: int
    get: Run
    post: Run

    def verdict(self) -> tuple[bool, str]:
        ratio = self.post.rate / self.get.rate
        failures = []
        if ratio < GOAL_RATIO:
            failures.append(f"POST/GET {ratio:.2f} < {GOAL_RATIO}")
        if self.get.errors or self.post.errors:
            failures.append(f"errors GET {self.get.errors} POST {self.post.errors}")
        if (
            self.vendor == "postgresql"
            and self.clients == max(CLIENTS)
            and self.post.percentile(0.99) >= GOAL_P99_MS
        ):
            failures.append(f"POST p99 >= {GOAL_P99_MS:.0f} ms")
        return not failures, "; ".join(failures)


def print_table(rows: list[Row]) -> bool:
    print(
        f"{'database':<11}{'clients':>7}   {'GET /me req/s':>13} {'p50':>7} {'p99':>7}"
        f"   {'POST message req/s':>18} {'p50':>7} {'p99':>7}   {'POST/GET':>8} {'errors':>6}"
    )
    passed = True
    for row in rows:
        ok, why = row.verdict()
        passed = passed and ok
        errors = sum(row.get.errors.values()) + sum(row.post.errors.values())
        print(
            f"{row.vendor:<11}{row.clients:>7}   {row.get.rate:>13.0f} "
            f"{row.get.percentile(0.5):>5.1f}ms {row.get.percentile(0.99):>5.1f}ms"
            f"   {row.post.rate:>18.0f} {row.post.percentile(0.5):>5.1f}ms "
            f"{row.post.percentile(0.99):>5.1f}ms   {row.post.rate / row.get.rate:>8.2f} "
            f"{errors:>6}   {'PASS' if ok else 'FAIL ' + why}"
        )
    print(
        f"Goals: POST throughput >= {GOAL_RATIO}x GET, p99 < {GOAL_P99_MS:.0f} ms at "
        f"{max(CLIENTS)} clients on PostgreSQL, zero errors: {'PASS' if passed else 'FAIL'}"
    )
    return passed


def with_database(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


def postgres_admin(url: str) -> psycopg.Connection[Any]:
    import psycopg

    return psycopg.connect(url.replace("postgres://", "postgresql://", 1), autocommit=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=4.0, help="per endpoint and level")
    parser.add_argument("--seed", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.seed:
        seed()
        return
    print(
        f"prr serve --workers {WORKERS}, {TOKENS} tokens, {args.seconds:g} s per endpoint "
        f"and level, ordinary chat messages"
    )
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as data_dir:
        rows += bench_database(
            "sqlite", f"sqlite:///{data_dir}/bench.sqlite3", data_dir, args.seconds
        )
        pg_url = os.environ.get("PRR_TEST_DATABASE_URL", DEFAULT_PG)
        try:
            admin = postgres_admin(pg_url)
        except Exception as exc:
            print(f"PostgreSQL at {pg_url} is not reachable ({exc}): skipped.")
        else:
            with admin as conn:
                conn.execute(f"DROP DATABASE IF EXISTS {SCRATCH}")
                conn.execute(f"CREATE DATABASE {SCRATCH}")
            try:
                rows += bench_database(
                    "postgresql", with_database(pg_url, SCRATCH), data_dir, args.seconds
                )
            finally:
                with postgres_admin(pg_url) as conn:
                    conn.execute(f"DROP DATABASE IF EXISTS {SCRATCH} WITH (FORCE)")
    sys.exit(0 if print_table(rows) else 1)


if __name__ == "__main__":
    main()

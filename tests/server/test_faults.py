"""Faults prr must survive, with the real processes: `prr serve` (gunicorn) and `prr worker`.

- Two servers and two workers on one PostgreSQL, under concurrent approvals and messages
  through both: nothing lost or duplicated, each item's state is the last timeline event that
  changed it, each webhook delivered once.
- The server killed (SIGKILL, master and workers) in the middle of a load: after a restart,
  every message that got a 2xx is stored and no change is half-written.
- SQLite with `prr serve --workers 4`, a `prr worker` and the CLI writing at once: no 500,
  no 503 at this load.
"""

from __future__ import annotations

import http.client
import itertools
import json
import os
import signal
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from prr.accounts.models import User
from prr.accounts.services import create_user
from prr.accounts.tokens import create_token
from prr.integrations.webhooks.models import Delivery
from prr.integrations.webhooks.services import add_subscription
from prr.reviews.models import Message, Review, ReviewItem, TimelineEvent
from prr.teams.models import Team
from prr.teams.services import add_members
from tests.integrations.webhooks.conftest import Receiver, receiver
from tests.server.conftest import PRR, Served, server_env, start_server, stop_server

__all__ = ["receiver"]  # the webhook receiver fixture, on 127.0.0.1

pytestmark = pytest.mark.django_db(transaction=True)


# What the worker processes need here: webhooks to the receiver on 127.0.0.1, quick retries.
WORKER_ENV = {
    "PRR_OUTGOING_ALLOW_PRIVATE": "true",
    "PRR_WEBHOOK_RETRY_DELAY": "1",
    "PRR_WEBHOOK_RETRY_MAX_DELAY": "2",
}


@dataclass
class Person:
    user: User
    token: str
    approve: str = ""  # the phrase that approves their team's item
    reopen: str = ""


@dataclass
class Outcomes:
    """What the clients were told, gathered from every thread."""

    statuses: Counter[int] = field(default_factory=Counter)
    acknowledged: dict[int, str] = field(default_factory=dict)  # message id -> body
    effects: list[tuple[int, str, str]] = field(default_factory=list)  # message, item, state
    failures: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, status: int, body: Any, sent: str) -> None:
        with self.lock:
            self.statuses[status] += 1
            if status == 201 and isinstance(body, dict):
                message = body["message"]
                if message["body"] != sent:
                    self.failures.append(f"sent {sent!r}, stored {message['body']!r}")
                self.acknowledged[message["id"]] = message["body"]
                for effect in body["effects"]:
                    self.effects.append((message["id"], effect["item"], effect["state"]))
            elif status >= 500:
                self.failures.append(f"{status}: {str(body)[:300]}")


def people(review: Review) -> dict[str, list[Person]]:
    """Two SRE and two Security members (with their approval and reopen phrases) and the DRI."""
    sre, security = Team.objects.get(slug="sre"), Team.objects.get(slug="security")
    crowd: dict[str, list[Person]] = {"sre": [], "security": [], "dri": []}
    for team, phrase in ((sre, "SRE review"), (security, "Security review")):
        for n in range(2):
            user = create_user(f"{team.slug}{n}")
            add_members(team, [user])
            crowd[team.slug].append(
                Person(
                    user,
                    create_token(user, "load").secret,
                    f"{phrase} is completed",
                    f"{phrase} is reopened",
                )
            )
    dri = review.dri
    crowd["dri"].append(Person(dri, create_token(dri, "load").secret))
    return crowd


def call(method: str, url: str, token: str, payload: dict[str, Any]) -> tuple[int, Any]:
    request = urllib.request.Request(
        url,
        data=json.dumps(payload).encode(),
        method=method,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(errors="replace")
    except (urllib.error.URLError, http.client.HTTPException, OSError) as error:
        return 0, str(error)  # no answer: the server is down (or was killed)


def post(server: str, person: Person, body: str, outcomes: Outcomes) -> int:
    status, answer = call(
        "POST", f"{server}/api/v1/reviews/PRR-1/messages", person.token, {"body": body}
    )
    outcomes.add(status, answer, body)
    return status


def run_clients(clients: list[Callable[[], None]], timeout: float = 120) -> None:
    threads = [threading.Thread(target=client) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    assert not any(thread.is_alive() for thread in threads), "a client hung"


def member_client(
    servers: list[str], person: Person, rounds: int, outcomes: Outcomes, tag: str
) -> Callable[[], None]:
    """Approves, talks, reopens, talks, in turn, through each server in turn."""

    def run() -> None:
        texts = itertools.cycle([person.approve, "Looking at the graphs", person.reopen, "ok"])
        for n in range(rounds):
            server = servers[n % len(servers)]
            post(server, person, f"{next(texts)} ({tag} #{n})", outcomes)

    return run


def assert_consistent(review: Review, outcomes: Outcomes) -> None:
    """Nothing lost, nothing duplicated, nothing half-written."""
    assert outcomes.failures == []
    stored = dict(
        Message.objects.filter(review=review)
        .exclude(source=Message.Source.SYSTEM)
        .values_list("pk", "body")
    )
    # Every acknowledged message is stored as it was sent, once.
    assert {pk: stored.get(pk) for pk in outcomes.acknowledged} == outcomes.acknowledged
    bodies = Counter(stored.values())
    assert [body for body, count in bodies.items() if count > 1] == []
    # Every item is in the state of the last timeline event that changed it, and every such
    # event that a message caused points at a stored message with the same effect.
    changes = TimelineEvent.objects.filter(review=review, kind="item.changed").order_by("pk")
    last: dict[int, str] = {}
    for event in changes:
        assert event.item_id is not None
        last[event.item_id] = event.data["state"]
        if event.message_id is not None:
            assert event.message_id in stored
    for item in ReviewItem.objects.filter(review=review):
        assert item.state == last.get(item.pk, ReviewItem.State.OPEN), item.key
    by_message = {
        (e.message_id, e.item.key, e.data["state"]) for e in changes.select_related("item")
    }
    assert set(outcomes.effects) <= by_message


# -- two servers and two workers on one PostgreSQL ----------------------------------------------


@dataclass
class Worker:
    process: subprocess.Popen[str]
    log: Path


def start_worker(data_dir: Path) -> Worker:
    data_dir.mkdir(exist_ok=True)
    log = data_dir / f"worker-{len(list(data_dir.glob('worker-*.log')))}.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [*PRR, "worker", "--interval", "0.2"],
            env=server_env(data_dir) | WORKER_ENV,
            stdout=out,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
    return Worker(process, log)


def stop_worker(worker: Worker) -> None:
    worker.process.terminate()
    try:
        worker.process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        worker.process.kill()
        worker.process.wait()


@pytest.fixture
def processes(tmp_path: Path) -> Iterator[tuple[Callable[..., Served], Callable[..., Worker]]]:
    """`serve(name)` and `work(name)`: a server and a worker, each with its own data
    directory (as on different hosts), stopped after the test."""
    servers: list[Served] = []
    workers: list[Worker] = []

    def serve(name: str, *, workers: int = 2) -> Served:
        data_dir = tmp_path / name
        data_dir.mkdir(exist_ok=True)
        served = start_server(data_dir, workers=workers)
        servers.append(served)
        return served

    def work(name: str) -> Worker:
        worker = start_worker(tmp_path / name)
        workers.append(worker)
        return worker

    yield serve, work
    for served in servers:
        stop_server(served)
    for worker in workers:
        stop_worker(worker)


def wait_until_delivered(expected: int, timeout: float = 60) -> list[Delivery]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        deliveries = list(Delivery.objects.all())
        if len(deliveries) >= expected and all(d.status != "pending" for d in deliveries):
            return deliveries
        time.sleep(0.3)
    counts = Counter(d.status for d in Delivery.objects.all())
    pytest.fail(f"deliveries not settled after {timeout} s: {dict(counts)} of {expected}")


@pytest.mark.postgres_only(reason="several hosts share PostgreSQL, not SQLite")
def test_two_servers_and_two_workers_lose_and_duplicate_nothing(
    review: Review, admin: User, receiver: Receiver, processes: Any
) -> None:
    serve, work = processes
    add_subscription(receiver.url, "*", by=admin)
    crowd = people(review)
    servers = [serve("host-a").url, serve("host-b").url]
    work("host-a")
    work("host-b")
    outcomes = Outcomes()
    rounds = 12
    clients = [
        member_client(servers, person, rounds, outcomes, f"{person.user.username}")
        for person in crowd["sre"] + crowd["security"]
    ]
    dri = crowd["dri"][0]

    def dri_client() -> None:
        for n in range(rounds):
            state = "done" if n % 2 == 0 else "open"
            status, answer = call(
                "PUT",
                f"{servers[n % 2]}/api/v1/reviews/PRR-1/items/dashboards/state",
                dri.token,
                {"state": state},
            )
            outcomes.add(status, answer, "")
            post(servers[(n + 1) % 2], dri, f"Dashboards are {state} now (#{n})", outcomes)

    run_clients([*clients, dri_client])

    assert {s for s in outcomes.statuses if s >= 300} == set(), outcomes.statuses
    assert len(outcomes.acknowledged) == rounds * (len(clients) + 1)
    assert_consistent(review, outcomes)

    # Each event is one delivery, and each delivery reached the receiver exactly once.
    messages = Message.objects.filter(review=review).exclude(source=Message.Source.SYSTEM)
    changes = TimelineEvent.objects.filter(review=review, kind="item.changed").count()
    expected = messages.count() + changes
    deliveries = wait_until_delivered(expected)
    assert Counter(d.status for d in deliveries) == Counter({"delivered": len(deliveries)})
    kinds = Counter(d.event_type for d in deliveries)
    assert kinds["review.message_posted"] == messages.count()
    assert kinds["review.item_changed"] == changes
    received = Counter(r.headers["X-PRR-Delivery"] for r in receiver.requests)
    assert sorted(received) == sorted(str(d.pk) for d in deliveries)
    assert [d for d, count in received.items() if count > 1] == []


# -- the server killed in the middle of a load ---------------------------------------------------


def test_a_server_killed_mid_load_keeps_every_acknowledged_message(
    review: Review, processes: Any
) -> None:
    serve, _ = processes
    crowd = people(review)
    served = serve("host", workers=4)
    outcomes = Outcomes()
    stop = threading.Event()

    def client(person: Person, n: int) -> Callable[[], None]:
        def run() -> None:
            texts = itertools.cycle([person.approve, "graphs", person.reopen, "fine"])
            for i in itertools.count():
                if (
                    stop.is_set()
                    or post(served.url, person, f"{next(texts)} ({n}.{i})", outcomes) == 0
                ):
                    return

        return run

    members = crowd["sre"] + crowd["security"]
    threads = [threading.Thread(target=client(members[n % 4], n)) for n in range(12)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 30
    while len(outcomes.acknowledged) < 60 and time.monotonic() < deadline:
        time.sleep(0.05)
    os.killpg(served.process.pid, signal.SIGKILL)  # the master and every worker, mid-request
    served.process.wait(timeout=10)
    stop.set()
    for thread in threads:
        thread.join(timeout=60)
    assert len(outcomes.acknowledged) >= 60, outcomes.statuses

    restarted = serve("host", workers=2)
    status, answer = call("GET", f"{restarted.url}/api/v1/reviews/PRR-1", crowd["dri"][0].token, {})
    assert status == 200, answer
    assert {s for s in outcomes.statuses if s >= 500} == set(), outcomes.failures
    assert_consistent(review, outcomes)
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA integrity_check")
            assert cursor.fetchone() == ("ok",)


# -- SQLite: four web workers, a worker and the CLI writing at once ------------------------------


@pytest.mark.sqlite_only
def test_sqlite_serves_four_workers_a_worker_and_the_cli_writing_at_once(
    review: Review, admin: User, receiver: Receiver, processes: Any, tmp_path: Path
) -> None:
    serve, work = processes
    add_subscription(receiver.url, "*", by=admin)  # the worker writes each delivery's outcome
    crowd = people(review)
    served = serve("host", workers=4)
    work("host")
    outcomes = Outcomes()
    done = threading.Event()
    cli_runs: list[int] = []
    cli_errors: list[str] = []

    def cli_writer() -> None:
        env = server_env(tmp_path / "host")
        for n in itertools.count():
            if done.is_set():
                return
            run = subprocess.run(
                [
                    *PRR,
                    "review",
                    "post",
                    "PRR-1",
                    f"From the CLI (#{n})",
                    "--as",
                    review.dri.username,
                ],
                env=env,
                capture_output=True,
                text=True,
            )
            cli_runs.append(run.returncode)
            if run.returncode:
                cli_errors.append(run.stderr)

    members = crowd["sre"] + crowd["security"]
    clients = [member_client([served.url], members[n % 4], 25, outcomes, f"c{n}") for n in range(8)]
    cli = threading.Thread(target=cli_writer)
    cli.start()
    try:
        run_clients(clients)
    finally:
        done.set()
        cli.join(timeout=60)

    print(f"\nSQLite under load: {dict(outcomes.statuses)}; CLI posts: {len(cli_runs)}")
    assert outcomes.statuses[500] == 0, outcomes.failures
    assert outcomes.statuses[503] == 0, outcomes.statuses
    assert cli_runs
    assert set(cli_runs) == {0}, cli_errors
    assert_consistent(review, outcomes)
    cli_messages = Message.objects.filter(review=review, body__startswith="From the CLI")
    assert cli_messages.count() == len(cli_runs)

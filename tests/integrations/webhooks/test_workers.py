"""Workers running at once share the queue: each event reaches the receiver exactly once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading

import pytest
from click.testing import CliRunner
from django.db import connection
from django_tasks_db.models import DBTaskResult

from prr.cli import prr
from prr.integrations.webhooks.models import Delivery
from prr.integrations.webhooks.services import add_subscription
from prr.reviews.channel import post_message
from tests.integrations.conftest import run_worker

from .conftest import in_thread

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.postgres_only
def test_two_workers_at_once_deliver_each_event_exactly_once(review, dri, receiver):
    add_subscription(receiver.url, ["review.message_posted"], by=None)
    add_subscription(receiver.url + "/second", ["review.message_posted"], by=None)
    for n in range(15):
        post_message(review, author=dri, body=f"Progress note {n}")
    receiver.delay = 0.01  # so that both workers are at work at the same time
    barrier = threading.Barrier(2)

    def worker(name):
        def work():
            barrier.wait()
            run_worker(name)

        return in_thread(work)

    threads = [threading.Thread(target=worker(name)) for name in ("alpha", "beta")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(t.is_alive() for t in threads)

    assert Delivery.objects.count() == 30
    assert set(Delivery.objects.values_list("status", flat=True)) == {"delivered"}
    sent = [(r.path, r.headers["X-PRR-Delivery"]) for r in receiver.requests]
    assert len(sent) == 30
    assert len(set(sent)) == 30
    ran_on = {w for ids in DBTaskResult.objects.values_list("worker_ids", flat=True) for w in ids}
    assert ran_on == {"alpha", "beta"}  # both took some


# Fills a fresh SQLite file with 30 queued deliveries (15 messages, 2 subscriptions).
FILL = """
import sys
import django

django.setup()
from prr.accounts.services import create_user
from prr.integrations.webhooks.services import add_subscription
from prr.playbooks.services import get_playbook, get_version
from prr.reviews.channel import post_message
from prr.reviews.starting import start_review

url = sys.argv[1]
dri = create_user("dana")
review = start_review(
    version=get_version(get_playbook("prr")),
    title="Payments API: two workers share one queue",
    dri=dri,
    kind="service",
)
add_subscription(url, ["review.message_posted"], by=None)
add_subscription(url + "/second", ["review.message_posted"], by=None)
for n in range(15):
    post_message(review, author=dri, body=f"Progress note {n}")
"""


@pytest.mark.skipif(
    connection.vendor != "sqlite", reason="the PostgreSQL run has the threaded test above"
)
def test_two_worker_processes_on_sqlite_deliver_each_event_exactly_once(tmp_path, receiver):
    # The SQLite test database lives in memory, where threads cannot wait for each other's
    # locks; real workers share a file (WAL, busy timeout), so this test runs real processes.
    env = {k: v for k, v in os.environ.items() if k != "PRR_DATABASE_URL"}
    env |= {"PRR_DATA_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "prr.settings"}
    prr_command = [sys.executable, "-c", "from prr.cli import main; main()"]

    def run(*args):
        done = subprocess.run(args, env=env, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        return done.stdout

    run(*prr_command, "init")
    run(sys.executable, "-c", FILL, receiver.url)
    receiver.delay = 0.05  # so that both workers are at work at the same time
    workers = [
        subprocess.Popen(
            [*prr_command, "worker", "--batch"], env=env, stdout=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    outputs = [worker.communicate(timeout=60)[0] for worker in workers]
    assert [worker.returncode for worker in workers] == [0, 0]

    sent = [(r.path, r.headers["X-PRR-Delivery"]) for r in receiver.requests]
    assert len(sent) == 30
    assert len(set(sent)) == 30
    ran = [line for output in outputs for line in output.splitlines() if "deliver_webhook(" in line]
    assert len(ran) == 30
    assert all("deliver_webhook(" in output for output in outputs)  # both took some
    statuses = json.loads(run(*prr_command, "webhook", "deliveries", "--json", "--limit", "100"))
    assert [d["status"] for d in statuses] == ["delivered"] * 30


def test_prr_worker_batch_sends_what_is_due_and_logs_each_task(review, dri, receiver):
    add_subscription(receiver.url, ["review.message_posted"], by=None)
    post_message(review, author=dri, body="First note")
    post_message(review, author=dri, body="Second note")
    result = CliRunner().invoke(prr, ["worker", "--batch"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("Worker ")
    task_lines = [line for line in lines if "deliver_webhook(" in line]
    assert len(task_lines) == 2
    assert all(": delivered in " in line for line in task_lines)
    assert lines[-1].endswith("stopped after 2 tasks.")
    assert len(receiver.requests) == 2
    assert set(Delivery.objects.values_list("status", flat=True)) == {"delivered"}


def test_prr_worker_stops_after_max_tasks(review, dri, receiver):
    add_subscription(receiver.url, ["review.message_posted"], by=None)
    for n in range(3):
        post_message(review, author=dri, body=f"Note {n}")
    result = CliRunner().invoke(prr, ["worker", "--max-tasks", "2", "--interval", "0"])
    assert result.exit_code == 0, result.output
    assert len(receiver.requests) == 2
    assert Delivery.objects.filter(status="pending").count() == 1

"""`prr worker`: runs queued background work (webhook deliveries, chat posts)."""

from __future__ import annotations

import logging
import os
import secrets
import socket
import threading
from datetime import datetime
from typing import Any

import click

from prr.cli.base import PrrCommand

task_logger = logging.getLogger("prr.tasks")

QUEUE = "default"
RESCUE_EVERY = 60.0  # seconds between looks for deliveries a dead worker left half-sent


def rescue_abandoned() -> int:
    """Re-queue webhook deliveries and chat posts whose worker died while sending them."""
    from prr.integrations.chat import outgoing
    from prr.integrations.webhooks import tasks
    from prr.notifications import email

    return tasks.rescue_abandoned() + outgoing.rescue_abandoned() + email.rescue_abandoned()


def rescue_loop(stop: threading.Event) -> None:
    """Every minute, re-queue deliveries whose worker died while sending them."""
    from django.db import close_old_connections, connection

    while not stop.wait(RESCUE_EVERY):
        try:
            count = rescue_abandoned()
        except Exception as exc:  # the database may be briefly away; try again later
            click.echo(f"Could not look for abandoned deliveries: {exc}", err=True)
            close_old_connections()
        else:
            if count:
                click.echo(f"Re-queued {count} deliveries abandoned by a stopped worker.")
    connection.close()


def heartbeat_loop(stop: threading.Event, worker: str, started_at: datetime) -> None:
    """Tell /readyz this worker is alive, every HEARTBEAT_EVERY seconds, until it stops."""
    from django.db import close_old_connections, connection

    from prr.operations import heartbeats

    while not stop.wait(heartbeats.HEARTBEAT_EVERY):
        try:
            heartbeats.beat(worker, started_at)
        except Exception as exc:  # the database may be briefly away; beat again later
            click.echo(f"Could not record the worker's heartbeat: {exc}", err=True)
            close_old_connections()
    connection.close()


def prune_loop(stop: threading.Event, every: float | None = None) -> None:
    """Every hour, delete what is only kept for a while (prr.operations.pruning)."""
    from django.db import close_old_connections, connection

    from prr.operations import pruning

    while not stop.wait(pruning.PRUNE_EVERY if every is None else every):
        try:
            pruned = pruning.prune()
        except Exception as exc:  # the database may be briefly away; prune next time
            click.echo(f"Could not prune old rows: {exc}", err=True)
            close_old_connections()
        else:
            if pruned.total:
                click.echo(f"Pruned {pruned.summary()}.")
    connection.close()


def notifications_loop(stop: threading.Event, worker: str) -> None:
    """Every PRR_REMINDER_INTERVAL seconds, end the waivers that expired, send the reminders
    and queue the daily email digests that are due (each at most once a day, whichever worker
    gets there first)."""
    from django.conf import settings
    from django.db import close_old_connections, connection

    from prr.notifications import email, reminders
    from prr.reviews import waivers

    while not stop.wait(settings.REMINDER_INTERVAL):
        try:
            expired = waivers.expire_waivers()
            if expired:
                click.echo(f"Ended {len(expired)} expired waiver(s).")
            reminded = reminders.send_reminders(worker)
            digests = email.send_digests()
        except Exception as exc:  # the database may be briefly away; look again later
            click.echo(f"Could not send reminders and digests: {exc}", err=True)
            close_old_connections()
        else:
            if reminded or digests:
                click.echo(f"Sent {reminded} reminder(s); queued {digests} email digest(s).")
    connection.close()


def worker_id() -> str:
    # Unique across hosts and restarts; django-tasks-db allows 64 characters.
    return f"{socket.gethostname()[:40]}-{os.getpid()}-{secrets.token_hex(4)}"


def log_task(sender: Any, task_result: Any, **kwargs: Any) -> None:
    """One line per task run: when, which task on what, what came of it and how long it took,
    and the id of the request that queued it; a JSON object with PRR_LOG_FORMAT=json."""
    from django.conf import settings

    from prr.operations.task_context import request_id_of

    finished = task_result.finished_at
    took = (finished - task_result.started_at).total_seconds() if task_result.started_at else 0.0
    args = ", ".join(repr(a) for a in task_result.args)
    if str(task_result.status).lower() == "successful":
        outcome = str(task_result.return_value)
    else:
        error = task_result.errors[-1].exception_class_path if task_result.errors else "?"
        outcome = f"task failed ({error})"
    request_id = request_id_of(task_result)
    if settings.LOG_FORMAT == "json":
        task_logger.info(
            "%s(%s): %s",
            task_result.task.name,
            args,
            outcome,
            extra={
                "request_id": request_id,
                "task": task_result.task.name,
                "task_id": str(task_result.id),
                "outcome": outcome,
                "duration_ms": round(took * 1000, 1),
            },
        )
        return
    queued_by = f" [request {request_id}]" if request_id else ""
    click.echo(
        f"{finished:%Y-%m-%d %H:%M:%S} {task_result.task.name}({args}): {outcome} in {took:.2f}s"
        + queued_by
    )


@click.command(cls=PrrCommand)
@click.option(
    "--interval",
    type=click.FloatRange(min=0),
    default=1.0,
    show_default=True,
    metavar="SECONDS",
    help="Seconds to wait before looking again when nothing is due.",
)
@click.option("--batch", is_flag=True, help="Run what is due now, then exit.")
@click.option(
    "--max-tasks",
    type=click.IntRange(min=1),
    default=None,
    help="Exit after running this many tasks.",
)
def worker(interval: float, batch: bool, max_tasks: int | None) -> None:
    """Run queued background work until stopped; any number of workers may run at once.

    It sends webhook deliveries, chat posts and emails; unless --batch, it also sends reminders
    and digests, ends expired waivers, syncs LDAP teams (with PRR_LDAP_URL) and prunes old
    records hourly.

    Ctrl-C or SIGTERM stops it after the task at hand; a second one stops it at once.
    """
    from django_tasks.signals import task_finished, task_started
    from django_tasks_db.management.commands.db_worker import Worker

    runner = Worker(
        queue_names=[QUEUE],
        interval=interval,
        batch=batch,
        backend_name="default",
        startup_delay=not batch,
        max_tasks=max_tasks,
        worker_id=worker_id(),
        excluded_queue_names=[],
    )
    click.echo(f"Worker {runner.worker_id} takes tasks from queue '{QUEUE}'.")
    if count := rescue_abandoned():
        click.echo(f"Re-queued {count} deliveries abandoned by a stopped worker.")
    from django.utils import timezone

    from prr.operations import heartbeats

    started_at = timezone.now()
    heartbeats.beat(runner.worker_id, started_at)
    stop = threading.Event()
    if not batch:
        threading.Thread(target=rescue_loop, args=(stop,), daemon=True).start()
        threading.Thread(
            target=heartbeat_loop, args=(stop, runner.worker_id, started_at), daemon=True
        ).start()
        from prr.cli.directory import start_directory_sync

        start_directory_sync(stop, runner.worker_id)  # only when PRR_LDAP_URL is set
        threading.Thread(target=prune_loop, args=(stop,), daemon=True).start()
        threading.Thread(
            target=notifications_loop, args=(stop, runner.worker_id), daemon=True
        ).start()
    from prr.operations import task_context

    # The task's lines carry the id of the request that queued it (started: set; finished:
    # log_task's line, then cleared).
    task_started.connect(task_context.task_started)
    task_finished.connect(log_task)
    task_finished.connect(task_context.task_finished)
    runner.configure_signals()
    try:
        runner.run()
    finally:
        stop.set()
        runner.reset_signals()
        task_finished.disconnect(log_task)
        task_finished.disconnect(task_context.task_finished)
        task_started.disconnect(task_context.task_started)
        heartbeats.stop(runner.worker_id)
    click.echo(f"Worker {runner.worker_id} stopped after {runner._run_tasks} tasks.")

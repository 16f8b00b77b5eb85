"""Logs: one JSON line per request with its id, errors with the id, the id in queued tasks."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from prr.accounts.models import User
from prr.accounts.tokens import create_token
from prr.cli.worker import log_task
from prr.config import ConfigError, env_choice
from prr.integrations.webhooks import transport
from prr.integrations.webhooks.models import Subscription
from prr.operations.config import LOG_FORMATS
from prr.operations.logs import (
    JsonFormatter,
    PlainFormatter,
    RequestIdFilter,
    current_request_id,
    logging_config,
)
from prr.reviews.models import Review

pytestmark = pytest.mark.django_db


class Lines:
    def __init__(self, stream: io.StringIO) -> None:
        self.stream = stream

    def all(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.stream.getvalue().splitlines()]

    def of(self, logger: str) -> list[dict[str, Any]]:
        return [line for line in self.all() if line["logger"] == logger]


@pytest.fixture
def json_lines(settings: Any) -> Iterator[Lines]:
    """What PRR_LOG_FORMAT=json writes, captured: the settings' handler, on a buffer."""
    settings.LOG_FORMAT = "json"
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    loggers = [logging.getLogger(name) for name in ("prr.requests", "prr.tasks")]
    levels = [logger.level for logger in loggers]
    root.addHandler(handler)
    for logger in loggers:
        logger.setLevel(logging.INFO)
    yield Lines(stream)
    root.removeHandler(handler)
    for logger, level in zip(loggers, levels, strict=True):
        logger.setLevel(level)


def test_each_request_is_one_json_line_with_its_id(client: Client, json_lines: Lines) -> None:
    response = client.get("/healthz")

    [line] = json_lines.of("prr.requests")
    assert line["request_id"] == response["X-Request-ID"]
    assert len(line["request_id"]) == 32
    assert {k: line[k] for k in ("method", "route", "path", "status", "level")} == {
        "method": "GET",
        "route": "healthz",
        "path": "/healthz",
        "status": 200,
        "level": "info",
    }
    assert isinstance(line["duration_ms"], float)
    assert line["time"].endswith("+00:00")


def test_a_sane_incoming_request_id_is_kept(client: Client, json_lines: Lines) -> None:
    response = client.get("/healthz", headers={"X-Request-ID": "lb-7f3a9c.01"})

    assert response["X-Request-ID"] == "lb-7f3a9c.01"
    assert json_lines.of("prr.requests")[0]["request_id"] == "lb-7f3a9c.01"


@pytest.mark.parametrize(
    "incoming", ["x" * 300, "id with spaces", "<script>", '"quoted"', "-leading-dash"]
)
def test_an_insane_incoming_request_id_is_replaced(client: Client, incoming: str) -> None:
    response = client.get("/healthz", headers={"X-Request-ID": incoming})

    assert response["X-Request-ID"] != incoming
    assert len(response["X-Request-ID"]) == 32


def test_the_line_names_the_user_who_made_the_request(
    client: Client, json_lines: Lines, dri: User
) -> None:
    token = create_token(dri, "logs test").secret

    client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    client.get("/healthz")  # nobody asked who it is: no user, and no query to find out

    users = [line.get("user") for line in json_lines.of("prr.requests")]
    assert users == ["dana", None]


@pytest.mark.urls("tests.operations.failing_urls")
def test_an_error_is_logged_with_the_request_id(json_lines: Lines) -> None:
    client = Client(raise_request_exception=False)

    response = client.get("/boom", headers={"X-Request-ID": "req-boom-1"})

    assert response.status_code == 500
    errors = [line for line in json_lines.all() if line["level"] == "error"]
    assert errors, json_lines.all()
    assert errors[0]["request_id"] == "req-boom-1"
    assert "RuntimeError: the view failed" in errors[0]["error"]
    assert json_lines.of("prr.requests")[0]["status"] == 500


# Real commits: the event that queues the delivery is handed over when the request's
# transaction commits, inside the request, as in production.
@pytest.mark.django_db(transaction=True)
def test_a_task_queued_by_a_request_keeps_its_id_into_the_worker(
    client: Client,
    json_lines: Lines,
    review: Review,
    dri: User,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    Subscription.objects.create(
        url="https://hooks.example.com/prr", events=["review.message_posted"]
    )
    monkeypatch.setattr(transport, "post", lambda *args, **kwargs: transport.Response(200, 3))
    token = create_token(dri, "logs test").secret

    response = client.post(
        f"/api/v1/reviews/{review.ref}/messages",
        {"body": "Dashboards are linked in the doc."},
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}", "X-Request-ID": "req-post-42"},
    )
    assert response.status_code == 201, response.content
    [queued] = DBTaskResult.objects.all()
    assert queued.args_kwargs["request_id"] == "req-post-42"

    run_worker_once()

    [task_line] = json_lines.of("prr.tasks")
    assert task_line["request_id"] == "req-post-42"
    assert task_line["task"] == "deliver_webhook"
    assert task_line["outcome"] == "delivered"
    assert current_request_id.get() == ""  # nothing leaks into the next task


def test_a_task_queued_outside_a_request_has_no_id(review: Review) -> None:
    from prr.integrations.webhooks.tasks import enqueue_delivery

    enqueue_delivery(12345)

    assert "request_id" not in DBTaskResult.objects.get().args_kwargs


def test_plain_worker_lines_name_the_request(
    settings: Any, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from prr.integrations.webhooks.tasks import enqueue_delivery

    token = current_request_id.set("req-plain-7")
    try:
        enqueue_delivery(12345)  # no such delivery: skipped
    finally:
        current_request_id.reset(token)

    run_worker_once()

    out = capsys.readouterr().out
    assert "deliver_webhook(12345): skipped in " in out
    assert out.rstrip().endswith("[request req-plain-7]")


def run_worker_once() -> None:
    from django_tasks.signals import task_finished, task_started

    from prr.operations import task_context

    runner = Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    )
    task_started.connect(task_context.task_started)
    task_finished.connect(log_task)
    task_finished.connect(task_context.task_finished)
    try:
        # What Worker.run does for each task, without closing the test's connection.
        for queued in DBTaskResult.objects.ready():
            queued.claim(runner.worker_id)
            runner.run_task(queued)
    finally:
        task_started.disconnect(task_context.task_started)
        task_finished.disconnect(log_task)
        task_finished.disconnect(task_context.task_finished)


def test_plain_lines_carry_the_request_id_when_there_is_one() -> None:
    record = logging.makeLogRecord({"msg": "Delivery 3 failed", "request_id": "req-9"})

    assert PlainFormatter().format(record) == "[request req-9] Delivery 3 failed"
    assert PlainFormatter().format(logging.makeLogRecord({"msg": "hello"})) == "hello"


def test_plain_is_the_default_and_logs_no_request_lines() -> None:
    config = logging_config(env_choice("PRR_LOG_FORMAT_UNSET_IN_TESTS", LOG_FORMATS, "plain"))

    assert config["handlers"]["console"]["formatter"] == "plain"
    assert config["loggers"]["prr.requests"]["level"] == "WARNING"


def test_an_unknown_log_format_is_refused_with_the_choices(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PRR_LOG_FORMAT", "xml")

    with pytest.raises(ConfigError, match="'xml' is not one of: plain, json"):
        env_choice("PRR_LOG_FORMAT", LOG_FORMATS, "plain")

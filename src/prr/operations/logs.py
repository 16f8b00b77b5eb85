"""Logs: plain text (the default, and `prr demo`'s) or one JSON object a line (PRR_LOG_FORMAT).

Every line written while a request or a task is handled carries that request's id: the web
process takes it from `X-Request-ID` or makes one (`RequestObservationMiddleware`), a task
queued by the request keeps it (`prr.operations.task_context`), and the worker's lines for
that task show it.
"""

from __future__ import annotations

import json
import logging
import re
import uuid
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

current_request_id: ContextVar[str] = ContextVar("prr_request_id", default="")

# What an incoming X-Request-ID may be: a load balancer's or a client's id, never a payload.
SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:+=/-]{0,127}")

# Fields a line may carry besides the message, in this order (`logger.info(..., extra={…})`).
FIELDS = (
    "request_id",
    "user",
    "method",
    "route",
    "path",
    "status",
    "duration_ms",
    "task",
    "task_id",
    "outcome",
)
_RECORD_ATTRIBUTES = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime"}


def request_id_from(header: str | None) -> str:
    """The caller's id when it is a sane one, else a new one."""
    if header and SANE_REQUEST_ID.fullmatch(header):
        return header
    return uuid.uuid4().hex


class RequestIdFilter(logging.Filter):
    """Puts the current request id on every record (empty outside requests and tasks)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", ""):
            record.request_id = current_request_id.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, the known fields, the error."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in FIELDS:
            value = getattr(record, name, None)
            if value not in (None, ""):
                line[name] = value
        for name, value in record.__dict__.items():  # other `extra` keys a caller gave
            if name not in _RECORD_ATTRIBUTES and name not in FIELDS and not name.startswith("_"):
                line[name] = value
        if record.exc_info:
            line["error"] = self.formatException(record.exc_info)
        elif record.stack_info:
            line["error"] = self.formatStack(record.stack_info)
        return json.dumps(line, default=str, ensure_ascii=False)


class PlainFormatter(logging.Formatter):
    """The message as before, with `[request <id>]` when it was written for a request."""

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        request_id = getattr(record, "request_id", "")
        return f"[request {request_id}] {text}" if request_id else text


def logging_config(log_format: str) -> dict[str, Any]:
    """Django's LOGGING for PRR_LOG_FORMAT: JSON lines also log one line per request."""
    formatter = "json" if log_format == "json" else "plain"
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": "prr.operations.logs.RequestIdFilter"}},
        "formatters": {
            "plain": {"()": "prr.operations.logs.PlainFormatter"},
            "json": {"()": "prr.operations.logs.JsonFormatter"},
        },
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": formatter,
                "filters": ["request_id"],
            }
        },
        "root": {"handlers": ["console"], "level": "WARNING"},
        "loggers": {
            # The request lines (the middleware) and the worker's task lines; in plain mode
            # gunicorn's access log and the worker's own output already say it.
            "prr.requests": {"level": "INFO" if log_format == "json" else "WARNING"},
            "prr.tasks": {"level": "INFO" if log_format == "json" else "WARNING"},
        },
    }


def gunicorn_logging() -> dict[str, Any]:
    """gunicorn's own lines (start, workers booted and exiting) as JSON too; its access log is
    off, the middleware's request lines say more. gunicorn applies this after Django did, so it
    repeats Django's configuration."""
    config = logging_config("json")
    config["loggers"] |= {
        "gunicorn.error": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "gunicorn.access": {"handlers": [], "level": "CRITICAL", "propagate": False},
    }
    return config

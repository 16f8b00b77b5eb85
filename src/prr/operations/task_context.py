"""A task queued while a request is handled keeps that request's id, for the worker's logs.

The id is stored beside the task's arguments (`args_kwargs["request_id"]`, which the task
function never sees), and the worker puts it back in `current_request_id` while the task
runs, so every line logged for the task, and any task it queues in turn, carries it.
"""

from __future__ import annotations

from typing import Any

from django_tasks_db.backend import DatabaseBackend

from prr.operations.logs import current_request_id


class RequestIdDatabaseBackend(DatabaseBackend):
    """django-tasks-db's backend, recording the current request id with each task."""

    def _task_to_db_task(self, task: Any, args: Any, kwargs: Any) -> Any:
        db_result = super()._task_to_db_task(task, args, kwargs)
        request_id = current_request_id.get()
        if request_id:
            db_result.args_kwargs = {**db_result.args_kwargs, "request_id": request_id}
            db_result.save(update_fields=["args_kwargs"])
        return db_result


def request_id_of(task_result: Any) -> str:
    db_result = getattr(task_result, "db_result", None)
    stored = getattr(db_result, "args_kwargs", None) or {}
    return str(stored.get("request_id", "")) if isinstance(stored, dict) else ""


def task_started(sender: Any, task_result: Any, **kwargs: Any) -> None:
    """The `task_started` signal, in the worker: the task runs under its request's id."""
    current_request_id.set(request_id_of(task_result))


def task_finished(sender: Any, task_result: Any, **kwargs: Any) -> None:
    current_request_id.set("")

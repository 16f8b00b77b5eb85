"""Domain errors: what a service raises when it refuses, in words for the person who asked.

Every face turns these into its own form: an HTTP status, a form error, a CLI exit code, a
chat reply. A message is complete on its own; `details` carries structured extras (for
instance the list of items still missing when a close is refused).
"""

from __future__ import annotations

from typing import Any


class PrrError(Exception):
    """Base of every refusal a user can meet."""

    code = "error"

    def __init__(self, message: str, *, details: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details

    def __str__(self) -> str:
        return self.message


class NotFound(PrrError):
    """The object named does not exist (or is not visible to the caller)."""

    code = "not_found"


class PermissionDenied(PrrError):
    """The caller may not do this."""

    code = "permission_denied"


class RuleViolation(PrrError):
    """A rule of the process refuses the change."""

    code = "rule_violation"


class InvalidInput(PrrError):
    """The input itself is malformed or invalid (a title, a playbook file, a state name)."""

    code = "invalid"


def is_database_busy(exc: BaseException) -> bool:
    """A database error that means another process held a lock longer than we waited."""
    from django.db import OperationalError

    text = str(exc).lower()
    return isinstance(exc, OperationalError) and (
        "locked" in text or "busy" in text or "could not obtain lock" in text
    )

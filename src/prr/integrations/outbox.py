"""One mechanism for what workers send (webhook deliveries, chat posts, emails): a claim for
each attempt, retries with back-off, a retry by hand.

A row to send is claimed with one conditional UPDATE before anything is sent, so however many
workers run (and even if its task ran twice) it is sent by one of them at a time, once per
attempt. A worker that dies while sending loses its claim when the lease ends, and
`rescue_abandoned` queues it again. Each kind of row is an `Outbox`, which says only what is
its own (how to send one, how to queue its next attempt, the settings it follows); `attempt`,
`retry` and `rescue_abandoned` do the rest the same way for all of them.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Generic, Protocol, TypeVar

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.text import capfirst

from prr.errors import NotFound, PrrError, RuleViolation

# The defaults of each user's settings (WEBHOOK_*, CHAT_*, EMAIL_*; see `Limits`).
DEFAULT_TIMEOUT = 10.0  # seconds to wait for the other side's answer
DEFAULT_MAX_ATTEMPTS = 8  # attempts in a round before a row is failed
DEFAULT_RETRY_DELAY = 10.0  # seconds before the 2nd attempt of a round, then doubled
DEFAULT_RETRY_MAX_DELAY = 3600.0  # the longest wait between two attempts
LEASE_MARGIN = 60.0  # a claim outlives the timeout by this much before another worker may take it

PENDING, SENDING, RETRYING, DELIVERED, FAILED = (
    "pending",
    "sending",
    "retrying",
    "delivered",
    "failed",
)
_RELEASE = {"lease_until": None, "claim_token": ""}


class OutboxRow(models.Model):
    """What a row sent by a worker keeps: its state, its attempts and the claim of the worker
    sending it now."""

    class Status(models.TextChoices):
        PENDING = PENDING, "pending (queued, not tried yet)"
        SENDING = SENDING, "sending (a worker holds it)"
        RETRYING = RETRYING, "retrying (waiting for the next attempt)"
        DELIVERED = DELIVERED
        FAILED = FAILED, "failed (gave up; retry by hand)"

    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    round = models.PositiveIntegerField(
        default=1, help_text="1, then one more for each retry by hand."
    )
    attempts = models.PositiveIntegerField(
        default=0, help_text="Attempts made in this round (a retry by hand starts again at 0)."
    )
    attempts_in_all = models.PositiveIntegerField(
        default=0, help_text="Attempts made in all rounds."
    )
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claim_token = models.CharField(max_length=32, blank=True)
    lease_until = models.DateTimeField(
        null=True, blank=True, help_text="A worker sending it holds it until then."
    )
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["-pk"]
        indexes = [models.Index(fields=["status", "-id"])]

    @property
    def label(self) -> str:
        """`Delivery #42`, `Chat post #7`: the row as messages and logs name it."""
        return f"{capfirst(self._meta.verbose_name)} #{self.pk}"


Row = TypeVar("Row", bound=OutboxRow)


@dataclass(frozen=True)
class Limits:
    """The settings one user of the outbox follows, `{prefix}_TIMEOUT`, `_MAX_ATTEMPTS`,
    `_RETRY_DELAY` and `_RETRY_MAX_DELAY`, read at each use (so tests can make them tiny)."""

    prefix: str

    def _setting(self, name: str, default: float) -> float:
        value = getattr(settings, f"{self.prefix}_{name}", None)
        return float(default if value is None else value)

    def timeout(self) -> float:
        return self._setting("TIMEOUT", DEFAULT_TIMEOUT)

    def max_attempts(self) -> int:
        return int(self._setting("MAX_ATTEMPTS", DEFAULT_MAX_ATTEMPTS))

    def retry_delay(self, attempts_made: int, retry_after: float | None = None) -> timedelta:
        """The wait after the `attempts_made`-th failed attempt of a round: 10 s, 20 s, 40 s, …,
        or what the other side asked for (`Retry-After`); never more than `_RETRY_MAX_DELAY`."""
        cap = self._setting("RETRY_MAX_DELAY", DEFAULT_RETRY_MAX_DELAY)
        if retry_after is not None:
            return timedelta(seconds=min(max(retry_after, 0.0), cap))
        base = self._setting("RETRY_DELAY", DEFAULT_RETRY_DELAY)
        return timedelta(seconds=min(base * 2 ** max(attempts_made - 1, 0), cap))


class Answer(Protocol):
    """What one attempt came to, as its sender tells it (`webhooks.transport.Response` is one)."""

    @property
    def ok(self) -> bool: ...

    @property
    def error(self) -> str: ...

    @property
    def permanent(self) -> bool:
        """Sending it again as it is cannot succeed: the row fails at once."""
        ...

    @property
    def retry_after(self) -> float | None:
        """The other side said when to come back, in seconds (instead of the back-off)."""
        ...


@dataclass(frozen=True)
class Reply:
    """An `Answer` from a sender that is not an HTTP call (SMTP), or from a sender that broke."""

    ok: bool
    error: str = ""
    permanent: bool = False
    retry_after: float | None = None


@dataclass(frozen=True)
class Outbox(Generic[Row]):
    """One user of the outbox: its rows, and what it does its own way."""

    model: type[Row]
    limits: Limits
    send: Callable[[Row], Answer]
    """Makes one attempt at sending the row; an exception counts as a failed attempt."""
    enqueue: Callable[[int, datetime | None], None]
    """Queues the task that makes the row's next attempt (now, or not before the time given),
    in the caller's transaction."""
    noun: str
    """What a refusal calls such a row: "delivery", "post", "email"."""
    logger: logging.Logger
    """Where failures are logged: the user's own logger, so that each can be told apart."""
    retry_command: str = ""
    """The command that retries one by hand (`prr chat retry`), named when a row fails on a
    permanent refusal."""
    related: tuple[str, ...] = ()
    """The relations `send` reads (`select_related`)."""
    cannot_send: Callable[[Row], str] | None = None
    """Why the row cannot be sent now at all ("" if it can): it fails, no attempt counted."""
    check_retry: Callable[[Row], None] | None = None
    """Raises a PrrError when a retry by hand must wait for something of this user's."""
    log_attempt: Callable[[Row, datetime, Answer], None] | None = None
    """Records the attempt (started then), in the transaction that records its outcome."""
    not_found: Callable[[int], PrrError] | None = None
    """The refusal for an id that names no row (default: "No chat post #7.")."""

    def missing(self, pk: int) -> PrrError:
        if self.not_found is not None:
            return self.not_found(pk)
        return NotFound(f"No {self.model._meta.verbose_name} #{pk}.")


def claim(box: Outbox[Any], pk: int, token: str) -> bool:
    """Take the row for one attempt, if it is due and nobody else holds it."""
    now = timezone.now()
    due = Q(status__in=[PENDING, RETRYING]) & (
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    )
    abandoned = Q(status=SENDING, lease_until__lt=now)
    claimed: int = box.model._default_manager.filter(due | abandoned, pk=pk).update(
        status=SENDING,
        claim_token=token,
        lease_until=now + timedelta(seconds=box.limits.timeout() + LEASE_MARGIN),
        attempts=F("attempts") + 1,
        attempts_in_all=F("attempts_in_all") + 1,
    )
    return claimed == 1


def attempt(box: Outbox[Any], pk: int) -> str:
    """Make the next attempt at sending a row; what became of it: `delivered`, `retrying`,
    `failed`, or `skipped` (not due, held by another worker, delivered or failed already)."""
    token = secrets.token_hex(16)
    if not claim(box, pk, token):
        return "skipped"
    row = box.model._default_manager.select_related(*box.related).filter(pk=pk).first()
    if row is None:  # removed a moment ago
        return "skipped"
    if box.cannot_send is not None and (reason := box.cannot_send(row)):
        box.model._default_manager.filter(pk=pk, claim_token=token).update(
            status=FAILED,
            attempts=F("attempts") - 1,
            attempts_in_all=F("attempts_in_all") - 1,
            last_error=reason,
            **_RELEASE,
        )
        return FAILED
    started_at = timezone.now()
    answer: Answer
    try:
        answer = box.send(row)
    except Exception as exc:  # a sender's bug must not leave the row held until its lease ends
        box.logger.exception("%s %s: its sender failed", _kind(box), pk)
        answer = Reply(ok=False, error=f"{type(exc).__name__}: {exc}")
    return settle(box, row, token, started_at, answer)


def settle(box: Outbox[Row], row: Row, token: str, started_at: datetime, answer: Answer) -> str:
    """Record what an attempt came to and what comes next, if this worker still holds the row:
    delivered; retrying later (after the back-off, or when the other side asked), its next
    attempt queued; or failed, on a permanent refusal or when the round's attempts ran out."""
    status, changes = _next_state(box, row, answer)
    held = box.model._default_manager.filter(pk=row.pk, claim_token=token)
    try:
        with transaction.atomic():
            if box.log_attempt is not None:
                box.log_attempt(row, started_at, answer)
            applied = held.update(**changes, **_RELEASE) == 1
            if applied and status == RETRYING:
                box.enqueue(row.pk, changes["next_attempt_at"])
    except IntegrityError:
        if box.model._default_manager.filter(pk=row.pk).exists():
            raise
        return "removed"  # deleted while it was being sent (a removed webhook's deliveries)
    if not applied:
        box.logger.warning(
            "%s %s: attempt %s ended after its claim was taken over; its outcome (%s) is not "
            "applied.",
            _kind(box),
            row.pk,
            row.attempts_in_all,
            status,
        )
        return "superseded"
    if status == FAILED:
        how = "on a permanent error" if answer.permanent else "for good"
        box.logger.warning("%s %s failed %s: %s", _kind(box), row.pk, how, changes["last_error"])
    return status


def _kind(box: Outbox[Any]) -> str:
    return str(capfirst(box.model._meta.verbose_name))


def _next_state(box: Outbox[Row], row: Row, answer: Answer) -> tuple[str, dict[str, Any]]:
    now = timezone.now()
    if answer.ok:
        return DELIVERED, {"status": DELIVERED, "delivered_at": now, "last_error": ""}
    if answer.permanent:
        return FAILED, {"status": FAILED, "last_error": _given_up(box, row, answer.error)}
    if row.attempts >= box.limits.max_attempts():
        return FAILED, {"status": FAILED, "last_error": answer.error}
    next_attempt_at = now + box.limits.retry_delay(row.attempts, answer.retry_after)
    return RETRYING, {
        "status": RETRYING,
        "next_attempt_at": next_attempt_at,
        "last_error": answer.error,
    }


def _given_up(box: Outbox[Row], row: Row, error: str) -> str:
    reason = (error or "Refused").rstrip()
    reason += "" if reason.endswith((".", "!", "?")) else "."
    reason += " Not retried: sending it again as it is cannot succeed."
    if box.retry_command:
        reason += f" Fix the cause, then send it again with `{box.retry_command} {row.pk}`."
    return reason


def retry(box: Outbox[Row], pk: int) -> Row:
    """Send a row again by hand, now, in a new round of attempts (counted from 0 again).

    For a failed row, one waiting for its next attempt, one whose worker died while sending
    it, or one queued so long ago that its task must be lost (`lost`). Refused for a row
    delivered already, one being sent right now, and one queued and not tried yet. The row is
    locked meanwhile, so two retries at once make one new round.
    """
    now = timezone.now()
    with transaction.atomic():
        row = (
            box.model._default_manager.select_for_update(of=("self",))
            .select_related(*box.related)
            .filter(pk=pk)
            .first()
        )
        if row is None:
            raise box.missing(pk)
        if row.status == DELIVERED:
            raise RuleViolation(f"{row.label} was already delivered; nothing to retry.")
        abandoned = row.lease_until is not None and row.lease_until < now
        if row.status == SENDING and not abandoned:
            raise RuleViolation(f"{row.label} is being sent right now; look again in a moment.")
        if row.status == PENDING and not lost(box, row, now):
            raise RuleViolation(
                f"{row.label} is queued and not tried yet; only a failed {box.noun} is sent "
                "again (or one waiting for its next attempt)."
            )
        if box.check_retry is not None:
            box.check_retry(row)
        row.status = PENDING
        row.round += 1
        row.attempts = 0
        row.next_attempt_at = now  # queued again now: `lost` counts from here
        row.claim_token = ""
        row.lease_until = None
        row.save(
            update_fields=[
                "status",
                "round",
                "attempts",
                "next_attempt_at",
                "claim_token",
                "lease_until",
            ]
        )
        box.enqueue(row.pk, None)
    return row


def lost(box: Outbox[Any], row: OutboxRow, now: datetime) -> bool:
    """A queued row that no worker took within a claim's lease: its task is gone (a worker
    died after taking the task, before claiming the row), so nothing will send it."""
    queued = row.next_attempt_at or row.created_at
    return queued < now - timedelta(seconds=box.limits.timeout() + LEASE_MARGIN)


def rescue_abandoned(box: Outbox[Any], limit: int = 1000) -> int:
    """Queue a new attempt for rows whose worker died while sending them (their lease ran out).

    Any worker may run this at any time: `claim` lets only one attempt through per row.
    """
    stalled = list(
        box.model._default_manager.filter(
            status=SENDING, lease_until__lt=timezone.now()
        ).values_list("pk", flat=True)[:limit]
    )
    for pk in stalled:
        box.enqueue(pk, None)
    if stalled:
        box.logger.warning(
            "Re-queued %d %s abandoned by a worker.",
            len(stalled),
            box.model._meta.verbose_name_plural,
        )
    return len(stalled)

"""Personal API tokens: created (shown once), listed, revoked, and checked on each request."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from prr.accounts.models import ApiToken, User
from prr.accounts.services import ensure_can_act
from prr.errors import InvalidInput, NotFound, PermissionDenied, RuleViolation

TOKEN_NAME_MAX = 100
# `last_used_at` is written at most this often per token, so reads do not all become writes.
LAST_USED_PRECISION = timedelta(minutes=1)


@dataclass(frozen=True)
class NewToken:
    token: ApiToken
    secret: str  # the whole token: shown once, never stored


def digest(raw: str) -> str:
    # A token has 256 random bits, so a plain SHA-256 is enough (no slow password hash).
    return hashlib.sha256(raw.encode()).hexdigest()


def new_secret(kind: str) -> tuple[str, str]:
    """(prefix, token) for a new `KIND_<prefix>_<secret>` token; the prefix finds its row."""
    prefix = secrets.token_hex(6)
    return prefix, f"{kind}_{prefix}_{secrets.token_urlsafe(32)}"


def presented_prefix(raw: str, kind: str) -> str | None:
    """The prefix of a presented `KIND_<prefix>_…` token, or None when it is not one."""
    parts = raw.strip().split("_", 2)
    if len(parts) != 3 or parts[0] != kind or len(parts[1]) != 12:
        return None
    return parts[1]


def matches(stored_digest: str, raw: str) -> bool:
    """Whether `raw` is the token whose digest is stored, compared in constant time."""
    return hmac.compare_digest(stored_digest, digest(raw.strip()))


def is_stale(last_used_at: datetime | None, now: datetime) -> bool:
    """Whether `last_used_at` is old enough to be written again."""
    return last_used_at is None or now - last_used_at > LAST_USED_PRECISION


def create_token(user: User, name: str, *, by: User | None = None) -> NewToken:
    """A new token acting as `user`. `by` (None: the trusted operator) must be the user or an
    admin."""
    if by is not None and by.pk != user.pk and not by.is_superuser:
        raise PermissionDenied("Only an admin can create a token for someone else.")
    ensure_can_act(user)
    name = " ".join(name.split())
    if not name:
        raise InvalidInput("A token needs a name (what it is for, e.g. 'deploy pipeline').")
    if len(name) > TOKEN_NAME_MAX:
        raise InvalidInput(f"A token name is at most {TOKEN_NAME_MAX} characters.")
    prefix, raw = new_secret("prr")
    try:
        with transaction.atomic():
            token = ApiToken.objects.create(user=user, name=name, prefix=prefix, digest=digest(raw))
    except IntegrityError:
        raise RuleViolation(
            f"@{user.username} already has an active token named '{name}'; revoke it or choose "
            "another name."
        ) from None
    return NewToken(token, raw)


def list_tokens(user: User | None = None, *, include_revoked: bool = False) -> QuerySet[ApiToken]:
    tokens = ApiToken.objects.select_related("user")
    if user is not None:
        tokens = tokens.filter(user=user)
    if not include_revoked:
        tokens = tokens.filter(revoked_at__isnull=True)
    return tokens


def get_token(token_id: int, *, seen_by: User | None = None) -> ApiToken:
    """A token by id. `seen_by` (None: the operator) sees only their own, or any as an admin;
    someone else's token is "not found" to them, so ids reveal nothing."""
    try:
        token = ApiToken.objects.select_related("user").get(pk=token_id)
    except ApiToken.DoesNotExist:
        raise NotFound(f"No API token #{token_id}.") from None
    if seen_by is not None and token.user_id != seen_by.pk and not seen_by.is_superuser:
        raise NotFound(f"No API token #{token_id}.")
    return token


def revoke_token(token: ApiToken, *, by: User | None = None) -> ApiToken:
    """Revoke a token at once; `by` must be its owner or an admin (None: the operator)."""
    if by is not None and by.pk != token.user_id and not by.is_superuser:
        raise PermissionDenied("Only the token's owner or an admin can revoke it.")
    updated = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    if not updated:
        raise RuleViolation(f"Token #{token.pk} ('{token.name}') is already revoked.")
    token.refresh_from_db()
    return token


def authenticate_token(raw: str) -> User | None:
    """The active user a presented token acts as, or None for any bad, revoked or unknown one."""
    prefix = presented_prefix(raw, "prr")
    if prefix is None:
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(prefix=prefix, revoked_at__isnull=True)
        .first()
    )
    if token is None or not matches(token.digest, raw):
        return None
    if not token.user.is_active:
        return None
    now = timezone.now()
    if is_stale(token.last_used_at, now):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user

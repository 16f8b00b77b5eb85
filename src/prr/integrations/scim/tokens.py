"""Bearer tokens for identity providers: created (shown once), listed, revoked, checked."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from prr.errors import InvalidInput, NotFound, RuleViolation
from prr.integrations.scim.models import ScimToken

TOKEN_NAME_MAX = 100
TOKEN_KIND = "prrscim"
# As for API tokens: `last_used_at` is written at most this often, so reads stay reads.
LAST_USED_PRECISION = timedelta(minutes=1)


@dataclass(frozen=True)
class NewScimToken:
    token: ScimToken
    secret: str  # the whole token: shown once, never stored


def _digest(raw: str) -> str:
    # A token has 256 random bits, so a plain SHA-256 is enough (no slow password hash).
    return hashlib.sha256(raw.encode()).hexdigest()


def create_scim_token(name: str) -> NewScimToken:
    name = " ".join(name.split())
    if not name:
        raise InvalidInput(
            "A SCIM token needs a name: the identity provider using it, e.g. 'okta'."
        )
    if len(name) > TOKEN_NAME_MAX:
        raise InvalidInput(f"A SCIM token name is at most {TOKEN_NAME_MAX} characters.")
    prefix = secrets.token_hex(6)
    raw = f"{TOKEN_KIND}_{prefix}_{secrets.token_urlsafe(32)}"
    try:
        with transaction.atomic():
            token = ScimToken.objects.create(name=name, prefix=prefix, digest=_digest(raw))
    except IntegrityError:
        raise RuleViolation(
            f"An active SCIM token is already named '{name}'; revoke it or choose another name."
        ) from None
    return NewScimToken(token, raw)


def list_scim_tokens(*, include_revoked: bool = False) -> QuerySet[ScimToken]:
    tokens = ScimToken.objects.all()
    return tokens if include_revoked else tokens.filter(revoked_at__isnull=True)


def revoke_scim_token(token_id: int) -> ScimToken:
    try:
        token = ScimToken.objects.get(pk=token_id)
    except ScimToken.DoesNotExist:
        raise NotFound(f"No SCIM token #{token_id}.") from None
    updated = ScimToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    if not updated:
        raise RuleViolation(f"SCIM token #{token.pk} ('{token.name}') is already revoked.")
    token.refresh_from_db()
    return token


def authenticate_scim_token(raw: str) -> ScimToken | None:
    """The active token presented, or None for a bad, revoked or unknown one."""
    raw = raw.strip()
    parts = raw.split("_", 2)
    if len(parts) != 3 or parts[0] != TOKEN_KIND or len(parts[1]) != 12:
        return None
    token = ScimToken.objects.filter(prefix=parts[1], revoked_at__isnull=True).first()
    if token is None or not hmac.compare_digest(token.digest, _digest(raw)):
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_PRECISION:
        ScimToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token

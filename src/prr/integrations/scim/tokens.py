"""Bearer tokens for identity providers: created (shown once), listed, revoked, checked."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from prr.accounts.tokens import digest, is_stale, matches, new_secret, presented_prefix
from prr.errors import InvalidInput, NotFound, RuleViolation
from prr.integrations.scim.models import ScimToken

TOKEN_NAME_MAX = 100
TOKEN_KIND = "prrscim"


@dataclass(frozen=True)
class NewScimToken:
    token: ScimToken
    secret: str  # the whole token: shown once, never stored


def create_scim_token(name: str) -> NewScimToken:
    name = " ".join(name.split())
    if not name:
        raise InvalidInput(
            "A SCIM token needs a name: the identity provider using it, e.g. 'okta'."
        )
    if len(name) > TOKEN_NAME_MAX:
        raise InvalidInput(f"A SCIM token name is at most {TOKEN_NAME_MAX} characters.")
    prefix, raw = new_secret(TOKEN_KIND)
    try:
        with transaction.atomic():
            token = ScimToken.objects.create(name=name, prefix=prefix, digest=digest(raw))
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
    prefix = presented_prefix(raw, TOKEN_KIND)
    if prefix is None:
        return None
    token = ScimToken.objects.filter(prefix=prefix, revoked_at__isnull=True).first()
    if token is None or not matches(token.digest, raw):
        return None
    now = timezone.now()
    if is_stale(token.last_used_at, now):
        ScimToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token

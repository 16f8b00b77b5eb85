"""Who an OIDC sign-in is: the rules that turn a provider's claims into a prr user.

- The username claim (`PRR_OIDC_USERNAME_CLAIM`) in lower case is the prr username; an
  existing user is matched by it, never by email (addresses get reused and not every provider
  verifies them). `dana@example.com` is `dana` only when `PRR_OIDC_USERNAME_DOMAIN` is
  `example.com`.
- A person prr does not know is created, without a password; name and email follow the
  provider's claims at each sign-in.
- A deactivated user, a bot and a break-glass account are refused.
- The groups claim, when the token carries it, updates the teams linked with `--source oidc`.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction

from prr.accounts.models import User
from prr.accounts.services import USERNAME_RE, create_user
from prr.errors import PrrError, RuleViolation
from prr.teams.directory import apply_user_groups
from prr.teams.models import Source

logger = logging.getLogger(__name__)

NAME_MAX_CHARS = 150
EMAIL_MAX_CHARS = 254


class SignInRefused(PrrError):
    """A sign-in that ends on an explanation instead of a session."""

    code = "sign_in_refused"

    def __init__(self, message: str, *, title: str = "Sign-in failed", status: int = 400) -> None:
        super().__init__(message)
        self.title = title
        self.status = status


class AccountDeactivated(SignInRefused):
    def __init__(self, user: User) -> None:
        super().__init__(
            f"Your prr account (@{user.username}) is deactivated, so you cannot sign in. "
            "Ask a prr admin to reactivate it if this is a mistake.",
            title="Your prr account is deactivated",
            status=403,
        )


@dataclass(frozen=True)
class ClaimNames:
    """Which claims hold the username, name, email and groups (the PRR_OIDC_*_CLAIM settings)."""

    username: str
    name: str
    email: str
    groups: str
    username_domain: str = ""

    @classmethod
    def from_settings(cls) -> ClaimNames:
        return cls(
            username=settings.OIDC_USERNAME_CLAIM,
            name=settings.OIDC_NAME_CLAIM,
            email=settings.OIDC_EMAIL_CLAIM,
            groups=settings.OIDC_GROUPS_CLAIM,
            username_domain=settings.OIDC_USERNAME_DOMAIN,
        )


def username_from_claims(claims: Mapping[str, Any], names: ClaimNames) -> str:
    value = claims.get(names.username)
    if not isinstance(value, str) or not value.strip():
        raise SignInRefused(
            f"The sign-in provider sent no '{names.username}' claim, which prr takes the "
            "username from. Ask your prr admin to set PRR_OIDC_USERNAME_CLAIM to a claim "
            "your provider sends.",
            status=403,
        )
    username = value.strip().lower()
    local, at, domain = username.rpartition("@")
    if at and names.username_domain and domain == names.username_domain:
        username = local
    if not USERNAME_RE.match(username):
        raise SignInRefused(
            f"The sign-in provider names you {value!r} (claim '{names.username}'), which is not "
            "a valid prr username (lowercase letters, digits, '.', '_' or '-'). Ask your prr "
            "admin to check PRR_OIDC_USERNAME_CLAIM and PRR_OIDC_USERNAME_DOMAIN.",
            status=403,
        )
    return username


def groups_from_claims(claims: Mapping[str, Any], names: ClaimNames) -> list[str] | None:
    """The groups, or None when the token says nothing about them (then teams stay as they are).

    An absent claim is not an empty list: Entra ID leaves `groups` out when a person is in too
    many groups, and emptying their teams then would be wrong.
    """
    if not names.groups or names.groups not in claims:
        return None
    value = claims[names.groups]
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(g, str) for g in value):
        return value
    logger.warning("OIDC groups claim %r is not a list of strings; teams unchanged", names.groups)
    return None


def _text_claim(claims: Mapping[str, Any], name: str, max_chars: int) -> str:
    value = claims.get(name) if name else None
    return value.strip()[:max_chars] if isinstance(value, str) else ""


def sign_in_from_claims(claims: Mapping[str, Any], names: ClaimNames | None = None) -> User:
    """The prr user these verified claims are, created on first sign-in; teams updated."""
    names = names or ClaimNames.from_settings()
    username = username_from_claims(claims, names)
    if username in settings.BREAK_GLASS_USERS:
        # A break-glass account is the way in when the provider is down or compromised; a
        # provider that could sign in as it would defeat that.
        raise SignInRefused(
            f"@{username} is a break-glass account: it signs in with its password only.",
            status=403,
        )
    display_name = _text_claim(claims, names.name, NAME_MAX_CHARS)
    email = _text_claim(claims, names.email, EMAIL_MAX_CHARS)
    if "@" not in email:
        email = ""
    with transaction.atomic():
        user = User.objects.select_for_update().filter(username=username).first()
        if user is None:
            try:
                user = create_user(username, display_name=display_name, email=email)
            except RuleViolation:
                # The same person's first sign-in in another tab, a moment earlier.
                user = User.objects.select_for_update().get(username=username)
        if not user.is_active:
            raise AccountDeactivated(user)
        if user.is_bot:
            raise SignInRefused(f"@{username} is a bot account in prr; people only.", status=403)
        _update_profile(user, display_name=display_name, email=email)
        groups = groups_from_claims(claims, names)
        if groups is not None:
            apply_user_groups(user, groups, source=Source.OIDC)
    return user


def _update_profile(user: User, *, display_name: str, email: str) -> None:
    changed = []
    if display_name and user.display_name != display_name:
        user.display_name = display_name
        changed.append("display_name")
    if email and user.email != email:
        user.email = email
        changed.append("email")
    if changed:
        user.save(update_fields=changed)

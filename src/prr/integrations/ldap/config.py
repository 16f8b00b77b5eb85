"""Strict readers of the PRR_LDAP_* settings, and the settings as the sync uses them.

`prr.settings` calls the readers with the variable names (so the README test sees every one);
they refuse a bad value with a message naming the variable, as `prr.config` does. This module
imports nothing heavy: every prr command reads the settings.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from prr.config import ConfigError

DEFAULT_GROUP_FILTER = (
    "(|(objectClass=groupOfNames)(objectClass=groupOfUniqueNames)"
    "(objectClass=posixGroup)(objectClass=group))"
)
# An attribute description (RFC 4512 §2.5): a name, or a numeric OID.
ATTRIBUTE_RE = re.compile(r"^(?:[A-Za-z][A-Za-z0-9-]*|\d+(?:\.\d+)+)$")
# One RDN component, `attr=value`; values may hold escaped commas, which the split skips.
RDN_RE = re.compile(r"^\s*(?:[A-Za-z][A-Za-z0-9-]*|\d+(?:\.\d+)+)\s*=.+$", re.DOTALL)


def env_ldap_url(name: str) -> str:
    """`ldap://host[:port]` or `ldaps://host[:port]`; empty turns LDAP off."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return ""
    parts = urlsplit(raw)
    if parts.scheme.lower() not in {"ldap", "ldaps"}:
        raise ConfigError(f"{name}={raw!r}: use ldap://host[:port] or ldaps://host[:port]")
    try:
        parts.port  # noqa: B018 (reading it validates it)
    except ValueError:
        raise ConfigError(f"{name}={raw!r}: the port is not a number") from None
    if not parts.hostname:
        raise ConfigError(f"{name}={raw!r}: name the server, e.g. ldaps://ldap.example.com")
    # Base DNs, filters and credentials have their own settings; a URL carrying them would
    # silently mean something else to other LDAP tools.
    if parts.path not in {"", "/"} or parts.query or parts.username:
        raise ConfigError(f"{name}={raw!r}: give only the scheme, host and port")
    return f"{parts.scheme.lower()}://{parts.netloc}"


def is_dn(value: str) -> bool:
    """Whether `value` reads as a distinguished name (`cn=sre,ou=groups,dc=example,dc=com`)."""
    components = re.split(r"(?<!\\)[,;]", value)
    return bool(value.strip()) and all(RDN_RE.match(c) for c in components)


def env_dn(name: str) -> str:
    raw = os.environ.get(name, "").strip()
    if raw and not is_dn(raw):
        raise ConfigError(f"{name}={raw!r} is not a DN; e.g. ou=people,dc=example,dc=com")
    return raw


def env_ldap_filter(name: str, default: str) -> str:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    depth = 0
    for char in raw.replace("\\(", "").replace("\\)", ""):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth < 0:
            break
    if not (raw.startswith("(") and raw.endswith(")")) or depth != 0:
        raise ConfigError(
            f"{name}={raw!r} is not an LDAP filter: write it in parentheses, balanced, "
            "e.g. (objectClass=groupOfNames)"
        )
    return raw


def env_attribute(name: str, default: str) -> str:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    if not ATTRIBUTE_RE.match(raw):
        raise ConfigError(f"{name}={raw!r} is not an LDAP attribute name (e.g. uid)")
    return raw


def env_file(name: str) -> str:
    raw = os.environ.get(name, "").strip()
    if raw and not Path(raw).is_file():
        raise ConfigError(f"{name}={raw}: no such file")
    return raw


def check_ldap_settings(
    *, url: str, bind_dn: str, bind_password: str, user_base: str, group_base: str, start_tls: bool
) -> None:
    """What the settings must say together once PRR_LDAP_URL is set."""
    if not url:
        return
    missing = [
        n
        for n, v in (("PRR_LDAP_USER_BASE_DN", user_base), ("PRR_LDAP_GROUP_BASE_DN", group_base))
        if not v
    ]
    if missing:
        raise ConfigError(f"PRR_LDAP_URL is set: set {' and '.join(missing)} too")
    # A simple bind with a DN and an empty password is an "unauthenticated bind" (RFC 4513
    # §5.1.2) that many servers accept as anonymous: a forgotten password would look fine.
    if bind_dn and not bind_password:
        raise ConfigError("PRR_LDAP_BIND_DN is set but PRR_LDAP_BIND_PASSWORD (or _FILE) is empty")
    if bind_password and not bind_dn:
        raise ConfigError("PRR_LDAP_BIND_PASSWORD is set: set PRR_LDAP_BIND_DN too")
    if start_tls and url.startswith("ldaps://"):
        raise ConfigError("PRR_LDAP_START_TLS is for ldap:// URLs; ldaps:// is TLS from the start")


@dataclass(frozen=True)
class LdapSettings:
    url: str
    bind_dn: str
    bind_password: str
    user_base: str
    group_base: str
    group_filter: str
    username_attribute: str
    nested_groups: bool
    start_tls: bool
    ca_file: str
    sync_interval: int

    @property
    def configured(self) -> bool:
        return bool(self.url)

    @classmethod
    def from_django(cls, settings: Any = None) -> LdapSettings:
        if settings is None:
            from django.conf import settings
        return cls(
            url=settings.LDAP_URL,
            bind_dn=settings.LDAP_BIND_DN,
            bind_password=settings.LDAP_BIND_PASSWORD,
            user_base=settings.LDAP_USER_BASE_DN,
            group_base=settings.LDAP_GROUP_BASE_DN,
            group_filter=settings.LDAP_GROUP_FILTER,
            username_attribute=settings.LDAP_USERNAME_ATTRIBUTE,
            nested_groups=settings.LDAP_NESTED_GROUPS,
            start_tls=settings.LDAP_START_TLS,
            ca_file=settings.LDAP_CA_FILE,
            sync_interval=settings.LDAP_SYNC_INTERVAL,
        )

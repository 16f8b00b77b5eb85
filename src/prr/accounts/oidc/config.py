"""Strict readers of the sign-in settings (PRR_OIDC_*, PRR_PASSWORD_LOGIN, PRR_BREAK_GLASS_USERS).

`prr.settings` calls them with the variable names; each refuses a bad value with a message
naming the variable. Nothing heavy is imported: every prr command reads the settings.
"""

from __future__ import annotations

import os
import re
from urllib.parse import urlsplit

from prr.config import ConfigError

LOOPBACK_HOSTS = {"localhost", "127.0.0.1", "::1"}
# Kept in step with prr.accounts.services.USERNAME_RE (not imported: it pulls in the ORM).
USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{0,149}$")
DOMAIN_RE = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$")


def env_issuer(name: str) -> str:
    """The issuer URL, exactly as the provider names itself; empty turns OIDC sign-in off."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return ""
    parts = urlsplit(raw)
    if parts.scheme not in {"https", "http"} or not parts.hostname:
        raise ConfigError(f"{name}={raw!r}: use the issuer's https:// URL")
    # Plain http would let anyone on the path forge the discovery document, keys included;
    # only a provider on this machine (a test, a local Keycloak) may use it.
    if parts.scheme == "http" and parts.hostname not in LOOPBACK_HOSTS:
        raise ConfigError(f"{name}={raw!r}: an issuer must be https:// (http only on localhost)")
    if parts.query or parts.fragment or parts.username:
        raise ConfigError(f"{name}={raw!r}: an issuer URL has no query, fragment or user")
    return raw.rstrip("/")


def env_claim(name: str, default: str, *, optional: bool = False) -> str:
    """A claim name (`preferred_username`, `https://example.com/groups`); empty only if optional."""
    raw = os.environ.get(name)
    value = default if raw is None else raw.strip()
    if not value and not optional:
        raise ConfigError(f"{name} is empty; name the claim, e.g. {default}")
    if any(c.isspace() for c in value):
        raise ConfigError(f"{name}={raw!r}: a claim name has no spaces")
    return value


def env_scopes(name: str, default: str) -> str:
    """Space- or comma-separated scopes, `openid` among them; returned space-separated."""
    raw = os.environ.get(name)
    scopes = (default if raw is None or not raw.strip() else raw).replace(",", " ").split()
    if "openid" not in scopes:
        raise ConfigError(f"{name}={raw!r}: the scopes must include openid")
    return " ".join(dict.fromkeys(scopes))


def env_domain(name: str) -> str:
    raw = os.environ.get(name, "").strip().lower().lstrip("@")
    if raw and not DOMAIN_RE.match(raw):
        raise ConfigError(f"{name}={raw!r} is not a domain name, e.g. example.com")
    return raw


def env_usernames(name: str) -> list[str]:
    """Comma-separated prr usernames (a leading @ is accepted), in lower case."""
    names = [p.strip().lstrip("@").lower() for p in os.environ.get(name, "").split(",")]
    for username in names:
        if username and not USERNAME_RE.match(username):
            raise ConfigError(f"{name}: {username!r} is not a valid prr username")
    return [n for n in names if n]


def check_sign_in_settings(
    *, issuer: str, client_id: str, client_secret: str, password_login: bool
) -> None:
    """Refuse combinations that would lock people out or half-configure OIDC."""
    if issuer and not client_id:
        raise ConfigError("PRR_OIDC_ISSUER is set but PRR_OIDC_CLIENT_ID is empty")
    if issuer and not client_secret:
        raise ConfigError(
            "PRR_OIDC_ISSUER is set but PRR_OIDC_CLIENT_SECRET (or PRR_OIDC_CLIENT_SECRET_FILE) "
            "is empty; prr is a confidential client"
        )
    if not issuer and client_id:
        raise ConfigError("PRR_OIDC_CLIENT_ID is set but PRR_OIDC_ISSUER is empty")
    if not password_login and not issuer:
        raise ConfigError(
            "PRR_PASSWORD_LOGIN=false needs PRR_OIDC_ISSUER: nobody could sign in otherwise"
        )

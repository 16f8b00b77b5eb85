"""The provider's endpoints, from `{issuer}/.well-known/openid-configuration` (OIDC Discovery).

Fetched at the first sign-in rather than at start-up, so prr starts (and its CLI works) while
the provider is down; kept for an hour, a failure not at all, so the next try asks again.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any

import requests
from django.conf import settings

from prr.errors import PrrError

CACHE_SECONDS = 3600
ENDPOINTS = ("authorization_endpoint", "token_endpoint", "userinfo_endpoint", "jwks_uri")


class ProviderUnavailable(PrrError):
    """The sign-in provider cannot be asked, or its answer is not usable."""

    code = "provider_unavailable"


@dataclass(frozen=True)
class ProviderMetadata:
    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    userinfo_endpoint: str
    jwks_uri: str


_cache: dict[str, tuple[float, ProviderMetadata]] = {}
_lock = threading.Lock()


def provider_metadata() -> ProviderMetadata:
    """The configured issuer's metadata, fetched once an hour."""
    issuer: str = settings.OIDC_ISSUER
    with _lock:
        cached = _cache.get(issuer)
    if cached is not None and time.monotonic() - cached[0] < CACHE_SECONDS:
        return cached[1]
    metadata = fetch_metadata(issuer, timeout=settings.OIDC_TIMEOUT)
    with _lock:
        _cache[issuer] = (time.monotonic(), metadata)
    return metadata


def forget_provider_metadata() -> None:
    """Ask the provider again at the next sign-in (its keys or endpoints changed)."""
    with _lock:
        _cache.clear()


def fetch_metadata(issuer: str, *, timeout: float) -> ProviderMetadata:
    url = f"{issuer}/.well-known/openid-configuration"
    unusable = f"The sign-in provider's discovery document ({url})"
    try:
        response = requests.get(url, timeout=timeout, headers={"Accept": "application/json"})
    except requests.RequestException as exc:
        raise ProviderUnavailable(
            f"The sign-in provider {issuer} cannot be reached ({type(exc).__name__}). "
            "Try again in a moment; if it lasts, tell your prr admin (PRR_OIDC_ISSUER)."
        ) from None
    if response.status_code != 200:
        raise ProviderUnavailable(f"{unusable} answered HTTP {response.status_code}.")
    try:
        document: Any = response.json()
    except ValueError:
        raise ProviderUnavailable(f"{unusable} is not JSON.") from None
    if not isinstance(document, dict):
        raise ProviderUnavailable(f"{unusable} is not a JSON object.")
    missing = [key for key in ("issuer", *ENDPOINTS) if not isinstance(document.get(key), str)]
    if missing:
        raise ProviderUnavailable(f"{unusable} has no {', '.join(missing)}.")
    # OIDC Discovery §4.3: the issuer in the document must be the one asked for, or its ID
    # tokens would carry an `iss` prr does not expect.
    if document["issuer"].rstrip("/") != issuer.rstrip("/"):
        raise ProviderUnavailable(
            f"{unusable} names the issuer {document['issuer']!r}, not PRR_OIDC_ISSUER={issuer!r}."
        )
    algorithms = document.get("id_token_signing_alg_values_supported")
    if isinstance(algorithms, list) and "RS256" not in algorithms:
        raise ProviderUnavailable(f"{unusable} does not offer RS256-signed ID tokens.")
    return ProviderMetadata(issuer=document["issuer"], **{key: document[key] for key in ENDPOINTS})

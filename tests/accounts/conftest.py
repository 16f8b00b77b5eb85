"""OIDC sign-in against the real test provider (tests/oidc_provider), started once per session.

`oidc` points prr at it (as `PRR_OIDC_*` would) and returns a `SignInFlow`: the prr side is
Django's test client, the person's browser at the provider is a `ProviderBrowser`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client

from prr.accounts.oidc.discovery import forget_provider_metadata
from tests.oidc_provider.process import ProviderBrowser, RunningProvider, start_provider

PRR_BASE_URL = "http://testserver"


@pytest.fixture(scope="session")
def oidc_provider() -> Iterator[RunningProvider]:
    with start_provider() as provider:
        yield provider


@dataclass
class SignInFlow:
    provider: RunningProvider

    def start(self, client: Client, next_url: str = "") -> str:
        """Press "Sign in with SSO": the provider's authorization URL prr redirects to."""
        response = client.get("/oidc/start/", {"next": next_url} if next_url else {})
        assert response.status_code == 302, response.content.decode()[:500]
        return str(response["Location"])

    def at_provider(self, authorize_url: str, username: str, *, consent: bool = True) -> str:
        """Log in at the provider: the callback URL it sends the browser back to."""
        callback = ProviderBrowser(self.provider).authorize(
            authorize_url, username, consent=consent
        )
        assert callback.startswith(f"{PRR_BASE_URL}/oidc/callback/"), callback
        return callback

    def back_at_prr(self, client: Client, callback: str) -> Any:
        """Follow the provider's redirect back to prr: prr's response."""
        parts = urlsplit(callback)
        return client.get(f"{parts.path}?{parts.query}")

    def sign_in(self, client: Client, username: str, next_url: str = "") -> Any:
        return self.back_at_prr(client, self.at_provider(self.start(client, next_url), username))


def query_of(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


@pytest.fixture
def oidc(settings: Any, oidc_provider: RunningProvider, db: None) -> Iterator[SignInFlow]:
    settings.BASE_URL = PRR_BASE_URL
    settings.OIDC_ISSUER = oidc_provider.issuer
    settings.OIDC_CLIENT_ID = oidc_provider.client_id
    settings.OIDC_CLIENT_SECRET = oidc_provider.client_secret
    settings.OIDC_RP_SCOPES = "openid profile email groups"
    settings.OIDC_GROUPS_CLAIM = "groups"
    settings.OIDC_USERNAME_DOMAIN = ""
    settings.BREAK_GLASS_USERS = []
    oidc_provider.configure_client(
        redirect_uris=[f"{PRR_BASE_URL}/oidc/callback/"], skip_authorization=True
    )
    forget_provider_metadata()
    yield SignInFlow(oidc_provider)
    forget_provider_metadata()

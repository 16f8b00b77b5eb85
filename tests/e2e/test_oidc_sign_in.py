"""Signing in with single sign-on in chromium, against a real OIDC provider on 127.0.0.1.

The provider (tests/oidc_provider: django-oauth-toolkit, an RSA key made at start) runs as its
own process for the module; prr is `live_server`. Each failure ends on a prr page whose "Back
to sign in" leads to a sign-in that works.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from prr.accounts.models import User
from prr.accounts.oidc.discovery import forget_provider_metadata
from prr.accounts.services import deactivate_user
from prr.teams.directory import link_team
from tests.e2e.conftest import NewContext
from tests.oidc_provider.process import RunningProvider, start_provider

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def oidc_provider() -> Iterator[RunningProvider]:
    with start_provider() as provider:
        yield provider


@pytest.fixture
def provider(
    oidc_provider: RunningProvider, live_server: LiveServer, settings: Any
) -> Iterator[RunningProvider]:
    """prr set up for the provider as `PRR_OIDC_*` would, passwords turned off."""
    settings.BASE_URL = live_server.url
    settings.OIDC_ISSUER = oidc_provider.issuer
    settings.OIDC_CLIENT_ID = oidc_provider.client_id
    settings.OIDC_CLIENT_SECRET = oidc_provider.client_secret
    settings.OIDC_RP_SCOPES = "openid profile email groups"
    settings.OIDC_NAME = "Example SSO"
    settings.PASSWORD_LOGIN = False
    oidc_provider.configure_client(
        redirect_uris=[f"{live_server.url}/oidc/callback/"], skip_authorization=True
    )
    forget_provider_metadata()
    yield oidc_provider
    forget_provider_metadata()


def press_sso(page: Page, path: str = "/") -> None:
    page.goto(path)
    expect(page).to_have_url(re.compile(r"/login/"))
    expect(page.get_by_label("Password")).to_have_count(0)
    page.get_by_role("link", name="Sign in with Example SSO").click()


def log_in_at_provider(page: Page, username: str, password: str = "provider-password") -> None:
    expect(page.get_by_role("heading", name="Test provider")).to_be_visible()
    page.get_by_label("Provider username").fill(username)
    page.get_by_label("Provider password").fill(password)
    page.get_by_role("button", name="Log in").click()


def held_callback(page: Page, provider: RunningProvider, username: str) -> str:
    """Sign in at the provider and start a sign-in, but hold the redirect back to prr: its URL.

    Playwright cannot stop a redirect's later hops in the page, so the two redirects are
    followed by hand with the page's own request context (its cookies are the page's).
    """
    page.goto(f"{provider.origin}/accounts/login/?next=/o/.well-known/openid-configuration")
    log_in_at_provider(page, username)
    start = page.request.get("/oidc/start/", max_redirects=0)
    assert start.status == 302, start.text()
    back = page.request.get(start.headers["location"], max_redirects=0)
    assert back.status == 302, back.text()
    return back.headers["location"]


def expect_failure_then_recovery(page: Page, title: str, username: str) -> None:
    expect(page.get_by_role("heading", name=title)).to_be_visible()
    page.get_by_role("link", name="Back to sign in").click()
    page.get_by_role("link", name="Sign in with Example SSO").click()
    # Still logged in at the provider: straight back, signed in.
    expect(page.get_by_role("link", name=f"@{username}")).to_be_visible()


def test_signing_in_with_sso_creates_the_user_and_their_teams(
    new_context: NewContext, provider: RunningProvider, teams: dict[str, Any]
) -> None:
    link_team(teams["sre"], source="oidc", group="Engineering-SRE")
    provider.put_person(
        "nadia", name="Nadia Haddad", email="nadia@example.com", groups=["Engineering-SRE"]
    )
    page = new_context().new_page()

    press_sso(page, "/teams/")
    log_in_at_provider(page, "nadia")

    expect(page).to_have_url(re.compile(r"/teams/$"))
    expect(page.get_by_role("link", name="@nadia")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Nadia Haddad")
    user = User.objects.get(username="nadia")
    assert user.email == "nadia@example.com"
    assert list(user.memberships.values_list("team__slug", "source")) == [("sre", "oidc")]


def test_a_wrong_state_ends_on_a_prr_page(
    new_context: NewContext, provider: RunningProvider
) -> None:
    provider.put_person("nadia")
    page = new_context().new_page()
    callback = urlsplit(held_callback(page, provider, "nadia"))
    params = {k: v[0] for k, v in parse_qs(callback.query).items()}

    page.goto(f"/oidc/callback/?{urlencode({**params, 'state': 'tampered'})}")

    expect(page.locator(".error")).to_contain_text("the state does not match")
    expect_failure_then_recovery(page, "This sign-in link is not valid here", "nadia")


def test_an_expired_code_ends_on_a_prr_page(
    new_context: NewContext, provider: RunningProvider
) -> None:
    provider.put_person("nadia")
    page = new_context().new_page()
    callback = held_callback(page, provider, "nadia")
    provider.expire_codes()

    page.goto(callback)

    expect(page.locator(".error")).to_contain_text("expired or was already used")
    expect_failure_then_recovery(page, "The sign-in code has expired", "nadia")


def test_a_deactivated_account_is_told_so(
    new_context: NewContext, provider: RunningProvider, dri: User
) -> None:
    deactivate_user(dri)
    provider.put_person("dana", name="Dana Reyes")
    page = new_context().new_page()

    press_sso(page)
    log_in_at_provider(page, "dana")

    expect(page.get_by_role("heading", name="Your prr account is deactivated")).to_be_visible()
    expect(page.locator(".error")).to_contain_text("@dana")
    page.get_by_role("link", name="Back to sign in").click()
    expect(page.get_by_role("link", name="Sign in with Example SSO")).to_be_visible()
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)


def test_a_refusal_at_the_provider_ends_on_a_prr_page(
    new_context: NewContext, provider: RunningProvider
) -> None:
    provider.configure_client(skip_authorization=False)
    provider.put_person("nadia")
    page = new_context().new_page()

    press_sso(page)
    log_in_at_provider(page, "nadia")
    page.get_by_role("button", name="Cancel").click()

    expect(page.get_by_role("heading", name="The sign-in provider said no")).to_be_visible()
    expect(page.locator(".error")).to_contain_text("did not let you in")
    page.get_by_role("link", name="Back to sign in").click()
    expect(page.get_by_role("link", name="Sign in with Example SSO")).to_be_visible()


def test_the_break_glass_admin_still_signs_in_with_a_password(
    new_context: NewContext, provider: RunningProvider, admin: User, settings: Any
) -> None:
    settings.BREAK_GLASS_USERS = ["ada"]
    admin.set_password("e2e-Correct-Horse-7")
    admin.save()
    page = new_context().new_page()

    page.goto("/login/")
    page.get_by_role("link", name="Break-glass sign-in with a password").click()
    page.get_by_label("Username").fill("ada")
    page.get_by_label("Password").fill("e2e-Correct-Horse-7")
    page.get_by_role("button", name="Sign in", exact=True).click()

    expect(page.get_by_role("link", name="@ada")).to_be_visible()

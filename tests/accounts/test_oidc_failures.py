"""Every way an OIDC sign-in can fail ends on a prr page saying what happened, with a way back."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from django.test import Client

from prr.accounts.models import User
from prr.accounts.services import deactivate_user
from prr.teams.directory import link_team
from prr.teams.queries import current_memberships
from tests.accounts.conftest import SignInFlow, query_of


def assert_failure_page(response, status: int, *words: str) -> str:
    html = response.content.decode()
    assert response.status_code == status, html[:800]
    for word in words:
        assert word in html
    assert 'href="/login/">Back to sign in</a>' in html
    assert "Traceback" not in html
    return html


def assert_signed_out(client: Client) -> None:
    assert client.get("/").status_code == 302


def test_a_callback_with_a_wrong_state_is_refused(oidc: SignInFlow) -> None:
    oidc.provider.put_person("nadia")
    client = Client()
    callback = oidc.at_provider(oidc.start(client), "nadia")

    response = client.get("/oidc/callback/", {**query_of(callback), "state": "forged"})

    assert_failure_page(response, 400, "This sign-in link is not valid here", "state")
    assert_signed_out(client)
    assert not User.objects.filter(username="nadia").exists()


def test_a_callback_in_another_browser_is_refused(oidc: SignInFlow) -> None:
    # A sign-in started by an attacker, finished in the victim's browser (login CSRF).
    oidc.provider.put_person("mallory")
    callback = oidc.at_provider(oidc.start(Client()), "mallory")
    victim = Client()

    response = oidc.back_at_prr(victim, callback)

    assert_failure_page(response, 400, "not started from this browser")
    assert_signed_out(victim)


def test_a_replayed_callback_is_refused(oidc: SignInFlow) -> None:
    oidc.provider.put_person("nadia")
    client = Client()
    callback = oidc.at_provider(oidc.start(client), "nadia")
    assert oidc.back_at_prr(client, callback).status_code == 302
    client.post("/logout/")

    response = oidc.back_at_prr(client, callback)

    assert_failure_page(response, 400, "already used")
    assert_signed_out(client)


def test_an_expired_code_is_refused(oidc: SignInFlow) -> None:
    oidc.provider.put_person("nadia")
    client = Client()
    callback = oidc.at_provider(oidc.start(client), "nadia")
    assert oidc.provider.expire_codes() >= 1

    response = oidc.back_at_prr(client, callback)

    assert_failure_page(response, 400, "The sign-in code has expired", "Sign in again")
    assert_signed_out(client)
    assert not User.objects.filter(username="nadia").exists()


def test_a_code_used_once_is_refused_the_second_time(oidc: SignInFlow) -> None:
    oidc.provider.put_person("nadia")
    client = Client()
    first = oidc.at_provider(oidc.start(client), "nadia")
    assert oidc.back_at_prr(client, first).status_code == 302
    client.post("/logout/")
    # A fresh sign-in, its state valid, but carrying the code the provider already redeemed.
    second = query_of(oidc.at_provider(oidc.start(client), "nadia"))

    response = client.get(
        "/oidc/callback/", {"code": query_of(first)["code"], "state": second["state"]}
    )

    assert_failure_page(response, 400, "expired or was already used")
    assert_signed_out(client)


def test_the_provider_s_refusal_is_shown(oidc: SignInFlow) -> None:
    oidc.provider.configure_client(skip_authorization=False)
    oidc.provider.put_person("nadia")
    client = Client()
    callback = oidc.at_provider(oidc.start(client), "nadia", consent=False)
    assert query_of(callback)["error"] == "access_denied"

    response = oidc.back_at_prr(client, callback)

    assert_failure_page(response, 403, "The sign-in provider said no", "did not let you in")
    assert_signed_out(client)


def test_a_provider_error_without_our_state_shows_none_of_its_words(oidc: SignInFlow) -> None:
    client = Client()
    oidc.start(client)

    response = client.get(
        "/oidc/callback/",
        {"error": "server_error", "error_description": "Call 555-0100", "state": "forged"},
    )

    html = assert_failure_page(response, 400, "not valid here")
    assert "555-0100" not in html


def test_a_deactivated_prr_account_is_refused_and_keeps_its_teams(
    oidc: SignInFlow, teams, sre_member: User
) -> None:
    link_team(teams["security"], source="oidc", group="SecOps")
    deactivate_user(sre_member)
    oidc.provider.put_person("sam", groups=["SecOps"])
    client = Client()

    response = oidc.sign_in(client, "sam")

    assert_failure_page(response, 403, "Your prr account is deactivated", "@sam")
    assert_signed_out(client)
    assert not current_memberships().filter(user=sre_member, team__slug="security").exists()


def test_a_break_glass_account_cannot_be_signed_into_by_the_provider(
    oidc: SignInFlow, settings, admin: User
) -> None:
    settings.BREAK_GLASS_USERS = ["ada"]
    oidc.provider.put_person("ada")
    client = Client()

    response = oidc.sign_in(client, "ada")

    assert_failure_page(response, 403, "@ada is a break-glass account")
    assert_signed_out(client)


def test_a_username_prr_cannot_use_is_refused_naming_the_setting(oidc: SignInFlow) -> None:
    oidc.provider.put_person("ravi@other.example")

    response = oidc.sign_in(Client(), "ravi@other.example")

    assert_failure_page(response, 403, "not a valid prr username", "PRR_OIDC_USERNAME_CLAIM")
    assert not User.objects.exists()


def test_a_wrong_client_secret_is_an_error_page_for_the_admin(oidc: SignInFlow, settings) -> None:
    settings.OIDC_CLIENT_SECRET = "not-the-secret"
    oidc.provider.put_person("nadia")
    client = Client()

    response = oidc.sign_in(client, "nadia")

    assert_failure_page(response, 502, "invalid_client", "PRR_OIDC_CLIENT_SECRET")
    assert_signed_out(client)


def test_an_unreachable_issuer_is_a_clear_page(oidc: SignInFlow, settings) -> None:
    # A port nothing listens on: the provider is down.
    settings.OIDC_ISSUER = "http://127.0.0.1:9/o"

    response = Client().get("/oidc/start/")

    assert_failure_page(response, 503, "cannot be reached", "http://127.0.0.1:9/o")


def test_a_discovery_document_for_another_issuer_is_refused(oidc: SignInFlow, settings) -> None:
    # The provider answers at this address, but names itself differently.
    settings.OIDC_ISSUER = oidc.provider.issuer.replace("127.0.0.1", "localhost")

    response = Client().get("/oidc/start/")

    assert_failure_page(response, 503, "names the issuer")


def test_without_an_issuer_there_is_no_sso(db, settings) -> None:
    settings.OIDC_ISSUER = ""

    assert Client().get("/oidc/start/").status_code == 404
    assert Client().get("/oidc/callback/", {"code": "x", "state": "y"}).status_code == 404


@pytest.mark.parametrize(
    ("claims", "reason"),
    [
        ({"iss": "https://evil.example", "aud": "prr", "exp": 4e9, "sub": "1"}, "issued by"),
        ({"iss": "https://idp", "aud": "other", "exp": 4e9, "sub": "1"}, "another client"),
        ({"iss": "https://idp", "aud": ["prr", "x"], "exp": 4e9, "sub": "1"}, "another party"),
        ({"iss": "https://idp", "aud": "prr", "exp": 1, "sub": "1"}, "expired"),
        ({"iss": "https://idp", "aud": "prr", "exp": 4e9}, "no subject"),
    ],
)
def test_an_id_token_not_from_our_issuer_for_us_and_current_is_refused(claims, reason) -> None:
    # The real provider only issues good tokens; these are what a forged one would claim.
    from prr.accounts.oidc.backend import check_id_token
    from prr.accounts.oidc.signin import SignInRefused

    with pytest.raises(SignInRefused, match=reason):
        check_id_token(claims, issuer="https://idp", client_id="prr")


def test_the_failure_page_links_back_to_a_working_sign_in_page(oidc: SignInFlow) -> None:
    client = Client()
    response = client.get("/oidc/callback/", {"code": "x", "state": "y"})
    assert response.status_code == 400

    page = client.get("/login/")
    assert page.status_code == 200
    assert 'href="/oidc/start/">Sign in with SSO</a>' in page.content.decode()
    assert urlsplit(oidc.start(client)).path == "/o/authorize/"

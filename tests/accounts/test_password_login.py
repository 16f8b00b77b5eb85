"""`PRR_PASSWORD_LOGIN=false`: single sign-on for everyone but the break-glass accounts."""

from __future__ import annotations

import pytest
from django.test import Client

from prr.accounts.models import User
from prr.accounts.services import set_password
from prr.accounts.tokens import create_token

PASSPHRASE = "a long enough passphrase"
OIDC_SESSION = "prr.accounts.oidc.backend.OidcBackend"


@pytest.fixture
def sso_only(settings) -> None:
    settings.OIDC_ISSUER = "https://idp.example.com"
    settings.OIDC_CLIENT_ID = "prr"
    settings.OIDC_CLIENT_SECRET = "secret"
    settings.OIDC_NAME = "Okta"
    settings.PASSWORD_LOGIN = False
    settings.BREAK_GLASS_USERS = ["ada"]


def sign_in(client: Client, username: str):
    return client.post("/login/", {"username": username, "password": PASSPHRASE})


def test_the_sign_in_page_offers_the_provider_and_hides_the_form(sso_only, db) -> None:
    html = Client().get("/login/?next=/teams/").content.decode()

    assert 'href="/oidc/start/?next=/teams/">Sign in with Okta</a>' in html
    assert 'id="id_password"' not in html
    assert (
        'href="/login/?password&amp;next=/teams/">Break-glass sign-in with a password</a>' in html
    )


def test_the_break_glass_form_is_there_on_request(sso_only, db) -> None:
    html = Client().get("/login/?password").content.decode()

    assert '<label for="id_password">Password</label>' in html
    assert "for break-glass accounts only" in html


def test_with_both_on_the_page_shows_both(settings, db) -> None:
    settings.OIDC_ISSUER = "https://idp.example.com"
    html = Client().get("/login/").content.decode()

    assert ">Sign in with SSO</a>" in html
    assert '<label for="id_password">Password</label>' in html


def test_someone_else_s_password_is_refused(sso_only, dri: User) -> None:
    set_password(dri, PASSPHRASE)
    client = Client()

    response = sign_in(client, "dana")

    assert response.status_code == 200
    assert "Password sign-in is only for break-glass accounts" in response.content.decode()
    assert client.get("/").status_code == 302


def test_an_admin_is_not_a_break_glass_account_unless_listed(sso_only, settings, admin) -> None:
    set_password(admin, PASSPHRASE)
    settings.BREAK_GLASS_USERS = ["root"]

    response = sign_in(Client(), "ada")

    assert response.status_code == 200
    assert "only for break-glass accounts" in response.content.decode()


def test_a_break_glass_account_signs_in_with_its_password(sso_only, admin: User) -> None:
    set_password(admin, PASSPHRASE)
    client = Client()

    response = sign_in(client, "ada")

    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_the_admin_site_refuses_passwords_too(sso_only, admin: User, dri: User) -> None:
    dri.is_staff = True
    dri.save()
    set_password(dri, PASSPHRASE)

    response = Client().post("/admin/login/", {"username": "dana", "password": PASSPHRASE})

    assert response.status_code == 200
    assert "Please enter the correct username and password" in response.content.decode()


def test_a_password_session_ends_when_password_sign_in_is_turned_off(settings, dri) -> None:
    set_password(dri, PASSPHRASE)
    client = Client()
    assert sign_in(client, "dana").status_code == 302
    settings.OIDC_ISSUER = "https://idp.example.com"
    settings.PASSWORD_LOGIN = False

    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_a_session_opened_with_sso_goes_on(sso_only, dri: User) -> None:
    client = Client()
    client.force_login(dri, backend=OIDC_SESSION)

    assert client.get("/").status_code == 200


def test_api_tokens_keep_working(sso_only, dri: User) -> None:
    token = create_token(dri, "laptop").secret

    response = Client().get("/api/v1/reviews", HTTP_AUTHORIZATION=f"Bearer {token}")

    assert response.status_code == 200

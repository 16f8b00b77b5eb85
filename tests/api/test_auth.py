"""Who may call the API: a valid token of an active user, or a signed-in browser with CSRF."""

from __future__ import annotations

import pytest
from django.test import Client

from prr.accounts.services import deactivate_user
from prr.accounts.tokens import create_token, revoke_token
from tests.api.conftest import error_of


def test_it_requires_a_token(api_as, review):
    response = api_as(None).get("/reviews")
    assert error_of(response) == (401, "unauthorized")
    assert response["WWW-Authenticate"] == 'Bearer realm="prr"'
    assert "Bearer" in response.json()["message"]


@pytest.mark.parametrize(
    "header",
    [
        "Bearer prr_000000000000_not-a-real-secret",
        "Bearer garbage",
        "Bearer ",
        "Basic ZGFuYTpzZWNyZXQ=",
        "prr_000000000000_no-scheme",
    ],
)
def test_it_refuses_a_wrong_or_garbled_token(client, review, header):
    response = client.get("/api/v1/reviews", headers={"Authorization": header})
    assert error_of(response) == (401, "unauthorized")
    assert response["WWW-Authenticate"] == 'Bearer realm="prr"'


def test_it_refuses_a_token_with_the_right_prefix_and_a_wrong_secret(client, dri):
    secret = create_token(dri, "ci").secret
    forged = secret[: secret.rindex("_") + 1] + "x" * 43
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {forged}"})
    assert error_of(response) == (401, "unauthorized")


def test_it_refuses_a_revoked_token(client, dri):
    created = create_token(dri, "ci")
    revoke_token(created.token)
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {created.secret}"})
    assert error_of(response) == (401, "unauthorized")


def test_it_refuses_a_deactivated_users_token(client, dri):
    secret = create_token(dri, "ci").secret
    deactivate_user(dri)
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert error_of(response) == (401, "unauthorized")


def test_a_token_acts_as_its_user(api_as, outsider, ready_review):
    response = api_as(outsider).post("/reviews/PRR-1/close", {})
    assert error_of(response) == (403, "permission_denied")
    assert "Only the DRI (@dana) or an admin" in response.json()["message"]
    ready_review.refresh_from_db()
    assert ready_review.status == "open"


def test_me_names_the_tokens_user(api_as, sre_member):
    response = api_as(sre_member).get("/me")
    assert response.status_code == 200
    # The same person as `prr user list --json` shows (before: no `email` here).
    assert response.json() == {
        "username": "sam",
        "name": "Sam Okafor",
        "email": sre_member.email,
        "admin": False,
        "bot": False,
        "active": True,
        "teams": ["sre"],
    }


def test_using_a_token_records_when(client, dri):
    created = create_token(dri, "ci")
    assert created.token.last_used_at is None
    client.get("/api/v1/me", headers={"Authorization": f"Bearer {created.secret}"})
    created.token.refresh_from_db()
    assert created.token.last_used_at is not None


def test_a_token_request_needs_no_csrf_token(dri, review):
    secret = create_token(dri, "ci").secret
    browserless = Client(enforce_csrf_checks=True)
    response = browserless.post(
        "/api/v1/reviews/PRR-1/messages",
        data={"body": "Dashboards are linked in the summary"},
        content_type="application/json",
        headers={"Authorization": f"Bearer {secret}"},
    )
    assert response.status_code == 201, response.content


def signed_in_browser(user) -> Client:
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(user)
    browser.get("/reviews/1/")  # its forms carry a CSRF token, so it sets the cookie
    return browser


def test_a_browser_session_can_read(dri, review):
    response = signed_in_browser(dri).get("/api/v1/reviews/PRR-1")
    assert response.status_code == 200
    assert response.json()["ref"] == "PRR-1"


def test_a_session_post_without_csrf_token_is_refused(dri, review):
    response = signed_in_browser(dri).post(
        "/api/v1/reviews/PRR-1/messages",
        data={"body": "Dashboards are linked"},
        content_type="application/json",
    )
    status, code = error_of(response)
    assert (status, code) == (403, "csrf_failed")
    assert "X-CSRFToken" in response.json()["message"]
    assert not review.messages.exists()


def test_a_session_post_with_csrf_token_is_accepted(dri, review):
    browser = signed_in_browser(dri)
    csrf = browser.cookies["csrftoken"].value
    response = browser.post(
        "/api/v1/reviews/PRR-1/messages",
        data={"body": "Dashboards are linked"},
        content_type="application/json",
        headers={"X-CSRFToken": csrf},
    )
    assert response.status_code == 201, response.content
    assert response.json()["message"]["author"] == "dana"


def test_a_deactivated_users_session_is_refused(dri, review):
    browser = signed_in_browser(dri)
    deactivate_user(dri)  # the session cookie stays in the browser
    assert error_of(browser.get("/api/v1/reviews")) == (401, "unauthorized")


@pytest.mark.parametrize("header", [None, "Bearer prr_000000000000_wrong"])
def test_an_unsafe_request_without_valid_credentials_is_401(review, header):
    outside_client = Client(enforce_csrf_checks=True)  # like curl: CSRF is enforced
    headers = {"Authorization": header} if header else {}
    response = outside_client.post(
        "/api/v1/reviews/PRR-1/messages",
        data={"body": "hello there"},
        content_type="application/json",
        headers=headers,
    )
    assert error_of(response) == (401, "unauthorized")
    assert response["WWW-Authenticate"] == 'Bearer realm="prr"'

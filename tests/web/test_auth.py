"""Every page but sign-in needs a signed-in, active user."""

from __future__ import annotations

import pytest
from django.test import Client

from prr.accounts.services import deactivate_user, set_password

PAGES = [
    "/",
    "/reviews/new/",
    "/reviews/1/",
    "/reviews/1/live/",
    "/reviews/1/close/",
    "/reviews/1/snapshots/1/",
    "/reviews/1/snapshots/1.md",
    "/playbooks/",
    "/playbooks/upload/",
    "/playbooks/small/v1/",
    "/teams/",
    "/password/",
]


@pytest.mark.parametrize("url", PAGES)
def test_anonymous_users_are_sent_to_sign_in_with_next(client: Client, review, url) -> None:
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"/login/?next={url}"


def test_anonymous_post_changes_nothing(client: Client, review) -> None:
    response = client.post(f"/reviews/{review.number}/messages/", {"body": "hello there"})
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
    assert review.messages.count() == 0


def test_sign_in_page_has_the_labelled_fields(client: Client, db) -> None:
    html = client.get("/login/").content.decode()
    assert '<label for="id_username">Username</label>' in html
    assert '<label for="id_password">Password</label>' in html
    assert ">Sign in</button>" in html


def test_signing_in_honours_next(client: Client, dri) -> None:
    set_password(dri, "a long enough passphrase")
    response = client.post(
        "/login/",
        {"username": "dana", "password": "a long enough passphrase", "next": "/teams/"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/teams/"
    assert client.get("/teams/").status_code == 200


def test_a_wrong_password_is_refused(client: Client, dri) -> None:
    set_password(dri, "a long enough passphrase")
    response = client.post("/login/", {"username": "dana", "password": "wrong"})
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()
    assert client.get("/").status_code == 302


def test_a_deactivated_user_is_signed_out(as_dri, dri) -> None:
    deactivate_user(dri)
    response = as_dri.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_signing_out_is_a_post_from_the_header(as_dri) -> None:
    html = as_dri.get("/").content.decode()
    assert 'action="/logout/"' in html
    assert ">Sign out</button>" in html
    response = as_dri.post("/logout/")
    assert response.status_code == 302
    assert response["Location"] == "/login/"
    assert as_dri.get("/").status_code == 302


def test_changing_the_password(client: Client, dri) -> None:
    set_password(dri, "a long enough passphrase")
    client.force_login(dri)
    response = client.post(
        "/password/",
        {
            "old_password": "a long enough passphrase",
            "new_password1": "another long passphrase",
            "new_password2": "another long passphrase",
        },
        follow=True,
    )
    assert "Your password is changed." in response.content.decode()
    dri.refresh_from_db()
    assert dri.check_password("another long passphrase")


def test_a_wrong_old_password_changes_nothing(as_dri, dri) -> None:
    set_password(dri, "a long enough passphrase")
    as_dri.force_login(dri)
    response = as_dri.post(
        "/password/",
        {
            "old_password": "nope",
            "new_password1": "another long passphrase",
            "new_password2": "another long passphrase",
        },
    )
    assert response.status_code == 200
    assert "Your old password was entered incorrectly" in response.content.decode()
    dri.refresh_from_db()
    assert dri.check_password("a long enough passphrase")

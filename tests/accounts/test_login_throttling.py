"""Sign-in throttling: wrong passwords, counted per account and per address, lock for a while."""

from __future__ import annotations

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.utils import timezone

from prr.accounts.models import User
from prr.accounts.services import set_password
from tests.cli import conftest as cli_conftest
from tests.cli.conftest import Cli

PASSPHRASE = "a long enough passphrase"
ACCOUNT_LOCKED = "Too many failed sign-ins for this account; try again in 15 minutes"
ADDRESS_LOCKED = "Too many failed sign-ins from your network address; try again in"

cli = cli_conftest.cli  # `prr …` in-process, as in tests/cli


@pytest.fixture(autouse=True)
def _fast_hasher_and_default_limits(settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.LOGIN_FAILURE_LIMIT = 5
    settings.LOGIN_IP_FAILURE_LIMIT = 20
    settings.LOGIN_COOLOFF_MINUTES = 15
    settings.TRUSTED_PROXIES = []


@pytest.fixture
def dana(dri: User) -> User:
    return set_password(dri, PASSPHRASE)


def sign_in(
    username: str, password: str, *, address: str = "192.0.2.10", path: str = "/login/", **extra
):
    client = Client(REMOTE_ADDR=address, **extra)
    return client, client.post(path, {"username": username, "password": password})


def fail_times(count: int, username: str = "dana", **kwargs) -> None:
    for _ in range(count):
        _, response = sign_in(username, "not the password", **kwargs)
        assert response.status_code in (200, 429)


def test_four_wrong_passwords_still_let_the_right_one_in(dana: User) -> None:
    fail_times(4)

    client, response = sign_in("dana", PASSPHRASE)

    assert response.status_code == 302
    assert client.get("/").status_code == 200


def test_the_fifth_wrong_password_locks_the_account(dana: User) -> None:
    fail_times(4)

    _, response = sign_in("dana", "not the password")

    assert response.status_code == 429
    page = response.content.decode()
    assert ACCOUNT_LOCKED in page
    assert "ask an administrator" in page
    # prr's own sign-in page, not django-axes' bare text.
    assert '<label for="id_password">Password</label>' in page


def test_a_locked_account_refuses_even_the_right_password(dana: User) -> None:
    fail_times(5)

    client, response = sign_in("dana", PASSPHRASE)

    assert response.status_code == 429
    assert ACCOUNT_LOCKED in response.content.decode()
    assert client.get("/").status_code == 302  # not signed in


def test_the_account_is_locked_from_every_address_and_spelling(dana: User) -> None:
    fail_times(5, address="192.0.2.10")

    _, response = sign_in("Dana", PASSPHRASE, address="198.51.100.7")

    assert response.status_code == 429
    assert ACCOUNT_LOCKED in response.content.decode()


def test_another_user_is_not_locked_by_someone_else_s_failures(dana: User, admin: User) -> None:
    set_password(admin, PASSPHRASE)
    fail_times(5, address="192.0.2.10")

    _, response = sign_in("ada", PASSPHRASE, address="198.51.100.7")

    assert response.status_code == 302


def test_an_address_is_locked_after_its_own_limit_across_usernames(
    settings, dana: User, admin: User
) -> None:
    settings.LOGIN_IP_FAILURE_LIMIT = 6
    set_password(admin, PASSPHRASE)
    for name in ("nobody", "root", "test", "guest", "admin", "oracle"):
        fail_times(1, name, address="203.0.113.5")

    _, from_there = sign_in("ada", PASSPHRASE, address="203.0.113.5")
    _, from_elsewhere = sign_in("ada", PASSPHRASE, address="198.51.100.7")

    assert from_there.status_code == 429
    assert ADDRESS_LOCKED in from_there.content.decode()
    assert from_elsewhere.status_code == 302


def test_the_lock_ends_after_the_cool_off(dana: User) -> None:
    fail_times(5)
    # django-axes stamps attempts with its own clock: move them back instead of the clock.
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))

    _, response = sign_in("dana", PASSPHRASE)

    assert response.status_code == 302


def test_the_message_counts_down_the_minutes_left(dana: User) -> None:
    fail_times(5)
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=11, seconds=30))

    _, response = sign_in("dana", PASSPHRASE)

    assert response.status_code == 429
    assert "try again in 4 minutes" in response.content.decode()


def test_attempts_during_the_lock_do_not_extend_it(dana: User) -> None:
    fail_times(5)
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=14))
    fail_times(3)

    _, still_locked = sign_in("dana", PASSPHRASE)
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    _, after = sign_in("dana", PASSPHRASE)

    assert "try again in 1 minute " in still_locked.content.decode()
    assert after.status_code == 302


def test_the_admin_sign_in_is_throttled_too(dana: User) -> None:
    dana.is_staff = True
    dana.save()
    fail_times(5, path="/admin/login/")

    _, response = sign_in("dana", PASSPHRASE, path="/admin/login/")

    assert response.status_code == 429
    page = response.content.decode()
    assert ACCOUNT_LOCKED in page
    assert 'id="login-form"' in page  # the admin's own sign-in page


def test_a_lock_from_the_admin_page_holds_on_the_web_page(dana: User) -> None:
    fail_times(5, path="/admin/login/")

    _, response = sign_in("dana", PASSPHRASE)

    assert response.status_code == 429


def test_break_glass_password_sign_in_is_throttled_with_sso_on(settings, admin: User) -> None:
    settings.OIDC_ISSUER = "https://idp.example.com"
    settings.OIDC_CLIENT_ID = "prr"
    settings.OIDC_CLIENT_SECRET = "secret"
    settings.PASSWORD_LOGIN = False
    settings.BREAK_GLASS_USERS = ["ada"]
    set_password(admin, PASSPHRASE)
    fail_times(5, "ada")

    _, response = sign_in("ada", PASSPHRASE)

    assert response.status_code == 429
    assert ACCOUNT_LOCKED in response.content.decode()


def test_api_tokens_are_not_throttled(settings, dana: User) -> None:
    from prr.accounts.tokens import create_token

    token = create_token(dana, "laptop").secret
    fail_times(5)

    response = Client(REMOTE_ADDR="192.0.2.10").get(
        "/api/v1/reviews", HTTP_AUTHORIZATION=f"Bearer {token}"
    )

    assert response.status_code == 200


# -- the client address behind a reverse proxy ----------------------------------------------


def test_forwarded_for_is_ignored_without_a_trusted_proxy(settings, dana: User) -> None:
    settings.LOGIN_IP_FAILURE_LIMIT = 3
    for i, name in enumerate(("nobody", "root", "guest")):
        # Each claims another address: the header is not believed, REMOTE_ADDR counts.
        fail_times(1, name, address="10.0.0.2", HTTP_X_FORWARDED_FOR=f"198.51.100.{i}")

    _, response = sign_in("dana", PASSPHRASE, address="10.0.0.2")

    assert response.status_code == 429


def test_behind_a_trusted_proxy_the_forwarded_client_counts(settings, dana: User) -> None:
    settings.LOGIN_IP_FAILURE_LIMIT = 3
    settings.TRUSTED_PROXIES = ["10.0.0.0/24"]
    behind_proxy = {"address": "10.0.0.2"}
    for name in ("nobody", "root", "guest"):
        fail_times(1, name, HTTP_X_FORWARDED_FOR="203.0.113.5", **behind_proxy)

    _, attacker = sign_in("dana", PASSPHRASE, HTTP_X_FORWARDED_FOR="203.0.113.5", **behind_proxy)
    _, colleague = sign_in(
        "dana",
        PASSPHRASE,
        # What the client sent first is not believed: the proxy's own entry is the right-most.
        HTTP_X_FORWARDED_FOR="203.0.113.5, 198.51.100.7",
        **behind_proxy,
    )

    assert attacker.status_code == 429
    assert ADDRESS_LOCKED in attacker.content.decode()
    assert colleague.status_code == 302
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.5"}


# -- unlocking ------------------------------------------------------------------------------


def test_prr_user_unlock_lets_the_user_in_at_once(cli: Cli, dana: User) -> None:
    fail_times(5)

    result = cli("user", "unlock", "dana")

    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("Unlocked @dana: ")
    _, response = sign_in("dana", PASSPHRASE)
    assert response.status_code == 302


def test_prr_user_unlock_an_address(cli: Cli, settings, dana: User) -> None:
    settings.LOGIN_IP_FAILURE_LIMIT = 2
    fail_times(1, "nobody", address="203.0.113.5")
    fail_times(1, "root", address="203.0.113.5")

    result = cli("user", "unlock", "--address", "203.0.113.5")

    assert result.exit_code == 0, result.stderr
    assert result.stdout == "Unlocked 203.0.113.5: 2 failed sign-in record(s) forgotten.\n"
    _, response = sign_in("dana", PASSPHRASE, address="203.0.113.5")
    assert response.status_code == 302


def test_prr_user_unlock_says_when_there_was_nothing_to_unlock(cli: Cli, dana: User) -> None:
    result = cli("user", "unlock", "dana")

    assert result.exit_code == 0
    assert result.stdout == "@dana had no failed sign-ins to forget; nothing to unlock.\n"


def test_prr_user_unlock_refuses_an_unknown_user_and_a_bad_address(cli: Cli, db) -> None:
    unknown = cli("user", "unlock", "nobody")
    bad = cli("user", "unlock", "--address", "not-an-ip")
    neither = cli("user", "unlock")

    assert (unknown.exit_code, unknown.stderr) == (1, "Error: No user @nobody.\n")
    assert (bad.exit_code, bad.stderr) == (1, "Error: 'not-an-ip' is not an IP address.\n")
    assert neither.exit_code == 2
    assert "Name the user to unlock, or give --address." in neither.stderr


def test_an_admin_unlocks_from_the_admin_pages(dana: User, admin: User) -> None:
    fail_times(5)
    attempt = AccessAttempt.objects.get(username="dana")
    admin_client = Client()
    admin_client.force_login(admin)

    listing = admin_client.get("/admin/axes/accessattempt/")
    deleted = admin_client.post(f"/admin/axes/accessattempt/{attempt.pk}/delete/", {"post": "yes"})

    assert listing.status_code == 200
    assert "dana" in listing.content.decode()
    assert deleted.status_code == 302
    _, response = sign_in("dana", PASSPHRASE)
    assert response.status_code == 302

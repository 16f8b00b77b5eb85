"""People: creating users with a valid handle and password, deactivating them."""

from __future__ import annotations

from typing import Any

import pytest

from prr.accounts.models import User
from prr.accounts.services import create_user, deactivate_user, get_active_user, get_user
from prr.errors import InvalidInput, NotFound, PermissionDenied, RuleViolation

pytestmark = pytest.mark.django_db


def test_it_creates_a_user_from_a_handle() -> None:
    user = create_user(" @Alice.Wong ", display_name=" Alice Wong ", email=" alice@example.com ")

    assert (user.username, user.handle, user.name) == ("alice.wong", "@alice.wong", "Alice Wong")
    assert user.email == "alice@example.com"
    assert get_user("@ALICE.WONG") == user
    assert not user.has_usable_password()
    assert not user.is_superuser


def test_it_creates_an_admin() -> None:
    user = create_user("ada", admin=True)

    assert user.is_superuser
    assert user.is_staff


@pytest.mark.parametrize("username", ["", "@", "alice wong", "-alice", ".alice", "alice!", "é"])
def test_it_refuses_a_bad_username(username: str) -> None:
    with pytest.raises(InvalidInput) as info:
        create_user(username)

    assert info.value.message == (
        f"{username!r} is not a valid username: use lowercase letters, digits, '.', '_' "
        "or '-', starting with a letter or digit."
    )
    assert not User.objects.exists()


def test_it_refuses_a_username_that_is_taken_whatever_the_case(dri: User) -> None:
    with pytest.raises(RuleViolation) as info:
        create_user("@DANA")

    assert info.value.message == "A user @dana already exists."
    assert User.objects.count() == 1


def test_it_refuses_a_weak_password_with_the_validators_words() -> None:
    with pytest.raises(InvalidInput) as info:
        create_user("alice", password="password")

    assert info.value.message == "Password refused: This password is too common."
    assert not User.objects.exists()


def test_it_refuses_a_short_password() -> None:
    with pytest.raises(InvalidInput) as info:
        create_user("alice", password="x7#q")

    assert info.value.message == (
        "Password refused: This password is too short. It must contain at least 8 characters."
    )


def test_it_sets_a_strong_password(settings: Any) -> None:
    # A fast hasher: the behaviour under test is the validation, not the hashing cost.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    user = create_user("alice", password="correct-horse-battery-staple-42")

    assert user.check_password("correct-horse-battery-staple-42")


def test_it_deactivates_a_user(outsider: User) -> None:
    deactivate_user(outsider)

    outsider.refresh_from_db()
    assert outsider.is_active is False


def test_it_refuses_deactivating_a_user_twice(outsider: User) -> None:
    deactivate_user(outsider)

    with pytest.raises(RuleViolation) as info:
        deactivate_user(outsider)

    assert info.value.message == "@oscar is already deactivated."


def test_it_refuses_a_deactivation_by_someone_who_is_not_an_admin(
    dri: User, outsider: User
) -> None:
    with pytest.raises(PermissionDenied) as info:
        deactivate_user(outsider, by=dri)

    assert info.value.message == "Only an admin can deactivate users."
    outsider.refresh_from_db()
    assert outsider.is_active is True


def test_it_lets_an_admin_deactivate_a_user(admin: User, outsider: User) -> None:
    deactivate_user(outsider, by=admin)

    outsider.refresh_from_db()
    assert outsider.is_active is False


def test_it_refuses_a_deactivation_by_a_deactivated_admin(admin: User, outsider: User) -> None:
    deactivate_user(admin)

    with pytest.raises(PermissionDenied):
        deactivate_user(outsider, by=admin)

    outsider.refresh_from_db()
    assert outsider.is_active is True


def test_it_finds_an_active_user(dri: User) -> None:
    assert get_active_user("@dana") == dri


def test_it_refuses_a_deactivated_user_who_tries_to_act(outsider: User) -> None:
    deactivate_user(outsider)

    with pytest.raises(PermissionDenied) as info:
        get_active_user("oscar")

    assert info.value.message == "@oscar is deactivated and cannot act."


def test_it_says_when_a_user_does_not_exist() -> None:
    with pytest.raises(NotFound) as info:
        get_user("@Nobody")

    assert info.value.message == "No user @nobody."


def test_only_an_admin_or_the_user_sets_a_password(dri, outsider, admin) -> None:
    from prr.accounts.services import set_password
    from prr.errors import PermissionDenied

    with pytest.raises(PermissionDenied, match="Only an admin"):
        set_password(dri, "a-long-Passphrase-42", by=outsider)
    set_password(dri, "a-long-Passphrase-42", by=dri)
    set_password(dri, "another-long-Passphrase-43", by=admin)
    dri.refresh_from_db()
    assert dri.check_password("another-long-Passphrase-43")

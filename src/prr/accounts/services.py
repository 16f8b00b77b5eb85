"""People: creating, finding and deactivating users."""

from __future__ import annotations

import re

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from prr.accounts.models import User
from prr.errors import InvalidInput, NotFound, PermissionDenied, RuleViolation

USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{0,149}$")


def get_user(username: str) -> User:
    """The user with this handle (a leading @ is accepted)."""
    handle = username.strip().lstrip("@").lower()
    try:
        return User.objects.get(username=handle)
    except User.DoesNotExist:
        raise NotFound(f"No user @{handle}.") from None


def get_active_user(username: str) -> User:
    user = get_user(username)
    ensure_can_act(user)
    return user


def is_admin(user: User | None) -> bool:
    """An active admin, or `None`: the operator at the server's command line, who is trusted.
    The one test behind every "only an admin can …" rule (and the faces' forms for them)."""
    return user is None or (user.is_active and user.is_superuser)


def ensure_admin(by: User | None, action: str) -> None:
    """Refuse `action` ("create teams") to anyone but an admin or the operator."""
    if not is_admin(by):
        raise PermissionDenied(f"Only an admin can {action}.")


def ensure_can_act(user: User) -> None:
    if not user.is_active:
        raise PermissionDenied(f"@{user.username} is deactivated and cannot act.")


def create_user(
    username: str,
    *,
    display_name: str = "",
    email: str = "",
    admin: bool = False,
    password: str | None = None,
    is_bot: bool = False,
) -> User:
    handle = username.strip().lstrip("@").lower()
    if not USERNAME_RE.match(handle):
        raise InvalidInput(
            f"{username!r} is not a valid username: use lowercase letters, digits, '.', '_' "
            "or '-', starting with a letter or digit."
        )
    user = User(
        username=handle,
        display_name=display_name.strip(),
        email=email.strip(),
        is_superuser=admin,
        is_staff=admin,
        is_bot=is_bot,
    )
    if password:
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise InvalidInput("Password refused: " + " ".join(exc.messages)) from None
        user.set_password(password)
    else:
        user.set_unusable_password()
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:
        raise RuleViolation(f"A user @{handle} already exists.") from None
    return user


def set_password(user: User, password: str, *, by: User | None = None) -> User:
    """Set a user's password (by the operator, an admin, or the user themselves)."""
    if by is not None and by.pk != user.pk:
        ensure_admin(by, "set another user's password")
    if user.is_bot:
        raise RuleViolation(f"@{user.username} is a bot; bots do not sign in.")
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise InvalidInput("Password refused: " + " ".join(exc.messages)) from None
    user.set_password(password)
    user.save(update_fields=["password"])
    return user


def deactivate_user(user: User, *, by: User | None = None) -> User:
    """Deactivated users keep their history but can no longer sign in or act."""
    ensure_admin(by, "deactivate users")
    if not user.is_active:
        raise RuleViolation(f"@{user.username} is already deactivated.")
    user.is_active = False
    user.save(update_fields=["is_active"])
    return user

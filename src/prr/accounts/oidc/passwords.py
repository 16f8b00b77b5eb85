"""Password sign-in, which `PRR_PASSWORD_LOGIN=false` keeps for break-glass accounts only.

Break-glass accounts are the usernames in `PRR_BREAK_GLASS_USERS`, and only those: being an
admin is not enough, since an admin who leaves the organisation must lose access when the
provider disables them. API tokens are not passwords and keep working.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from prr.accounts.models import User


def password_sign_in_allowed(user: User) -> bool:
    return bool(settings.PASSWORD_LOGIN) or user.username in settings.BREAK_GLASS_USERS


class PasswordBackend(ModelBackend):
    """Django's username-and-password backend, under the rule above.

    The rule holds for sessions too: once password sign-in is turned off, a session opened
    with a password by someone else ends at their next request.
    """

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if isinstance(user, User) and password_sign_in_allowed(user):
            return user
        return None

    def get_user(self, user_id: int) -> User | None:
        user = super().get_user(user_id)
        if isinstance(user, User) and password_sign_in_allowed(user):
            return user
        return None

"""Who is calling: a personal token (`Authorization: Bearer …`) or a browser session.

Token requests need no CSRF token (a cross-site page cannot set the header); session requests
that change something must carry Django's CSRF token, as the web UI's forms do.
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

from prr.accounts.models import User
from prr.accounts.tokens import authenticate_token


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = authenticate_token(token)
        if user is not None:
            request.user = user
        return user


class ActiveSessionAuth(SessionAuth):
    """The signed-in user of the web UI, if active (CSRF is checked for unsafe methods).

    A request with no signed-in session is simply not authenticated here (so it gets a 401),
    rather than refused for a missing CSRF token it never needed.
    """

    def _get_key(self, request: HttpRequest) -> str | None:
        if not request.user.is_authenticated:
            return None
        return super()._get_key(request)

    def authenticate(self, request: HttpRequest, key: str | None) -> User | None:
        user = request.user
        if user.is_authenticated and user.is_active:
            return user
        return None


AUTH = [TokenAuth(), ActiveSessionAuth()]

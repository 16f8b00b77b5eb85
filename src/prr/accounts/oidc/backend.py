"""The authentication backend for the OIDC callback: code → tokens → verified claims → user.

mozilla-django-oidc's backend, with its endpoints taken from discovery when needed (its own
`__init__` reads them from settings at every `authenticate()`, password sign-ins included), the
ID token's issuer and audience checked (it checks only the signature, nonce and expiry), and
each failure raised as a `SignInRefused` the callback view shows, never a stack trace.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

import jwt
import requests
from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.http import HttpRequest
from django.urls import reverse
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from prr.accounts.models import User
from prr.accounts.oidc.discovery import ProviderUnavailable, provider_metadata
from prr.accounts.oidc.signin import SignInRefused, sign_in_from_claims


def callback_url() -> str:
    """Where the provider sends people back: register it as the client's redirect URI."""
    return f"{settings.BASE_URL}{reverse(settings.OIDC_AUTHENTICATION_CALLBACK_URL)}"


class OidcBackend(OIDCAuthenticationBackend):  # type: ignore[misc]
    OIDC_RP_SIGN_ALGO = "RS256"
    OIDC_RP_IDP_SIGN_KEY = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.UserModel = User

    # Read by the library's methods; resolved only when a sign-in needs them.
    @property
    def OIDC_OP_TOKEN_ENDPOINT(self) -> str:
        return provider_metadata().token_endpoint

    @property
    def OIDC_OP_USER_ENDPOINT(self) -> str:
        return provider_metadata().userinfo_endpoint

    @property
    def OIDC_OP_JWKS_ENDPOINT(self) -> str:
        return provider_metadata().jwks_uri

    @property
    def OIDC_RP_CLIENT_ID(self) -> str:
        return str(settings.OIDC_CLIENT_ID)

    @property
    def OIDC_RP_CLIENT_SECRET(self) -> str:
        return str(settings.OIDC_CLIENT_SECRET)

    def authenticate(
        self,
        request: HttpRequest | None,
        nonce: str | None = None,
        code_verifier: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        # Only the callback view passes a nonce: anything else (a password form) is not ours.
        if request is None or nonce is None or not settings.OIDC_ISSUER:
            return None
        self.request = request
        tokens = self._exchange(request.GET.get("code", ""), code_verifier)
        id_token, access_token = tokens.get("id_token"), tokens.get("access_token")
        if not isinstance(id_token, str) or not isinstance(access_token, str):
            raise SignInRefused("The provider's token response has no ID token.", status=502)
        try:
            payload = self.verify_token(id_token, nonce=nonce)
        except (SuspiciousOperation, jwt.PyJWTError, KeyError, ValueError) as exc:
            raise _unverified(str(exc)) from None
        except requests.RequestException:
            raise _unverified("its keys (JWKS) cannot be fetched") from None
        check_id_token(payload, issuer=provider_metadata().issuer, client_id=self.OIDC_RP_CLIENT_ID)
        return sign_in_from_claims({**payload, **self._userinfo(access_token, payload)})

    def _exchange(self, code: str, code_verifier: str | None) -> dict[str, Any]:
        payload = {
            "client_id": self.OIDC_RP_CLIENT_ID,
            "client_secret": self.OIDC_RP_CLIENT_SECRET,
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": callback_url(),
        }
        if code_verifier is not None:
            payload["code_verifier"] = code_verifier
        try:
            tokens = self.get_token(payload)
        except requests.HTTPError as exc:
            raise _token_error(exc.response) from None
        except requests.RequestException:
            raise ProviderUnavailable(
                "The sign-in provider did not answer the code exchange. Sign in again."
            ) from None
        except ValueError:
            raise SignInRefused("The provider's token response is not JSON.", status=502) from None
        if not isinstance(tokens, dict):
            raise SignInRefused("The provider's token response is not an object.", status=502)
        return tokens

    def _userinfo(self, access_token: str, payload: Mapping[str, Any]) -> dict[str, Any]:
        try:
            info = self.get_userinfo(access_token, None, payload)
        except (requests.RequestException, SuspiciousOperation, jwt.PyJWTError, ValueError):
            raise SignInRefused(
                "The sign-in provider's userinfo endpoint did not answer. Sign in again.",
                status=502,
            ) from None
        # OIDC Core §5.3.2: userinfo about someone else must not be used.
        if not isinstance(info, dict) or info.get("sub") != payload.get("sub"):
            raise _unverified("its userinfo is about another subject")
        return info

    def get_user(self, user_id: int) -> User | None:
        user = super().get_user(user_id)
        # Django's ModelBackend ends a deactivated user's session; the library's does not.
        return user if isinstance(user, User) and user.is_active else None


def check_id_token(payload: Mapping[str, Any], *, issuer: str, client_id: str) -> None:
    """OIDC Core §3.1.3.7: the token is from our issuer, for us, and current."""
    if payload.get("iss") != issuer:
        raise _unverified(f"it was issued by {payload.get('iss')!r}, not {issuer!r}")
    audience = payload.get("aud")
    audiences = [audience] if isinstance(audience, str) else audience
    if not isinstance(audiences, list) or client_id not in audiences:
        raise _unverified("it is meant for another client")
    if len(audiences) > 1 and payload.get("azp") != client_id:
        raise _unverified("it was issued to another party (azp)")
    expires = payload.get("exp")
    if not isinstance(expires, int | float) or expires < time.time():
        raise _unverified("it has expired")
    if not isinstance(payload.get("sub"), str) or not payload["sub"]:
        raise _unverified("it names no subject")


def _unverified(reason: str) -> SignInRefused:
    return SignInRefused(
        f"The provider's ID token could not be verified ({reason}). Sign in again; if it "
        "happens again, tell your prr admin.",
        title="The sign-in could not be verified",
        status=400,
    )


def _token_error(response: requests.Response | None) -> SignInRefused:
    error = ""
    if response is not None:
        try:
            body = response.json()
            error = str(body.get("error", "")) if isinstance(body, dict) else ""
        except ValueError:
            pass
    if error == "invalid_grant":
        return SignInRefused(
            "The provider refused the sign-in code: it has expired or was already used (a "
            "page reloaded, or the back button). Sign in again.",
            title="The sign-in code has expired",
            status=400,
        )
    return SignInRefused(
        f"The sign-in provider refused to exchange the sign-in code ({error or 'no reason'}). "
        "Tell your prr admin: PRR_OIDC_CLIENT_ID and PRR_OIDC_CLIENT_SECRET may be wrong, or "
        "the redirect URI is not registered.",
        status=502,
    )

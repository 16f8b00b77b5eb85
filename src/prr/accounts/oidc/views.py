"""The two ends of a sign-in: off to the provider, and back with a code (or a refusal).

Every way a sign-in can fail ends on a page of prr's saying what happened, with a way back to
the sign-in page: a wrong or stale state, the provider's error, an expired or reused code, a
token that does not verify, a deactivated account, an unreachable provider.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import auth
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.generic import View
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from prr.accounts.oidc.backend import callback_url
from prr.accounts.oidc.discovery import ProviderUnavailable, provider_metadata
from prr.accounts.oidc.signin import SignInRefused
from prr.errors import PrrError

DESCRIPTION_MAX_CHARS = 300


def sign_in_failed(request: HttpRequest, error: PrrError) -> HttpResponse:
    if isinstance(error, SignInRefused):
        title, status = error.title, error.status
    elif isinstance(error, ProviderUnavailable):
        title, status = "The sign-in provider cannot be reached", 503
    else:
        title, status = "Sign-in failed", 400
    context = {"title": title, "message": error.message, "oidc_name": settings.OIDC_NAME}
    return render(request, "accounts/sign_in_failed.html", context, status=status)


class StartView(OIDCAuthenticationRequestView):  # type: ignore[misc]
    """Sends the browser to the provider's authorization endpoint (state, nonce, PKCE)."""

    def __init__(self, **kwargs: Any) -> None:
        # Skips the library's __init__, which reads the endpoint from settings: prr has it
        # from discovery, and only once a sign-in starts.
        View.__init__(self, **kwargs)

    def get(self, request: HttpRequest) -> HttpResponse:
        if not settings.OIDC_ISSUER:
            raise Http404("Single sign-on is not set up on this prr.")
        try:
            metadata = provider_metadata()
        except ProviderUnavailable as error:
            return sign_in_failed(request, error)
        self.OIDC_OP_AUTH_ENDPOINT = metadata.authorization_endpoint
        self.OIDC_RP_CLIENT_ID = settings.OIDC_CLIENT_ID
        response: HttpResponse = super().get(request)
        return response

    def get_extra_params(self, request: HttpRequest) -> dict[str, str]:
        # Applied after the library's own parameters: the redirect URI comes from
        # PRR_BASE_URL (what the provider has registered), not from the request's Host.
        return {"redirect_uri": callback_url()}


class CallbackView(OIDCAuthenticationCallbackView):  # type: ignore[misc]
    """The provider's redirect back: `?code=…&state=…`, or `?error=…&state=…`."""

    def get(self, request: HttpRequest) -> HttpResponse:
        if not settings.OIDC_ISSUER:
            raise Http404("Single sign-on is not set up on this prr.")
        # The state is used once, whatever follows, so a replayed redirect cannot be retried.
        states: dict[str, Any] = request.session.get("oidc_states", {})
        started = states.pop(request.GET.get("state", ""), None)
        request.session.modified = True
        if started is None:
            return sign_in_failed(
                request,
                SignInRefused(
                    "This sign-in was not started from this browser, or it was already used "
                    "or has expired (the state does not match). Start again from the sign-in "
                    "page.",
                    title="This sign-in link is not valid here",
                ),
            )
        if request.GET.get("error"):
            return sign_in_failed(request, _provider_error(request))
        if not request.GET.get("code"):
            return sign_in_failed(
                request, SignInRefused("The provider sent no sign-in code. Start again.")
            )
        # Saved now: the code exchange is slow, and another tab may start a sign-in meanwhile
        # (the library reloads the session for the same reason).
        request.session.save()
        request.session = request.session.__class__(request.session.session_key)
        try:
            user = auth.authenticate(
                request=request, nonce=started["nonce"], code_verifier=started.get("code_verifier")
            )
        except PrrError as error:
            return sign_in_failed(request, error)
        if user is None:
            return sign_in_failed(request, SignInRefused("The provider did not sign you in."))
        self.user = user
        response: HttpResponse = self.login_success()
        return response


def _provider_error(request: HttpRequest) -> SignInRefused:
    error = request.GET.get("error", "")[:100]
    description = request.GET.get("error_description", "")[:DESCRIPTION_MAX_CHARS]
    if error == "access_denied":
        message = "The sign-in provider did not let you in (you cancelled, or access is denied)."
    else:
        message = f"The sign-in provider refused the sign-in: {error}."
    if description:
        message += f" It said: “{description}”"
    return SignInRefused(message, title="The sign-in provider said no", status=403)

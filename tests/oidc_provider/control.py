"""Test-only endpoints: what an administrator would do in the provider's console.

Each needs the control token the process was started with, so only the test that started it
can change who exists, which groups they are in, the client's settings, or expire codes.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.contrib.auth.models import Group, User
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.views.decorators.csrf import csrf_exempt
from oauth2_provider.models import Application, Grant

from tests.oidc_provider import CLIENT_ID, CLIENT_SECRET

View = Callable[[HttpRequest], HttpResponse]


def _controlled(view: Callable[[dict[str, Any]], dict[str, Any]]) -> View:
    @csrf_exempt
    def wrapped(request: HttpRequest) -> HttpResponse:
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        if request.method != "POST" or not constant_time_compare(
            token, os.environ["OIDC_PROVIDER_CONTROL_TOKEN"]
        ):
            return JsonResponse({"error": "forbidden"}, status=403)
        return JsonResponse(view(json.loads(request.body or b"{}")))

    return wrapped


@_controlled
def put_person(body: dict[str, Any]) -> dict[str, Any]:
    """Create or update a person: password, name, email, groups, active."""
    user, _ = User.objects.get_or_create(username=body["username"])
    user.set_password(body.get("password", "provider-password"))
    user.first_name = body.get("name", "")
    user.email = body.get("email", "")
    user.is_active = body.get("active", True)
    user.save()
    user.groups.set(Group.objects.get_or_create(name=name)[0] for name in body.get("groups", []))
    return {"username": user.username, "sub": str(user.pk)}


@_controlled
def configure_client(body: dict[str, Any]) -> dict[str, Any]:
    """The redirect URIs, and whether the person is asked to consent."""
    app = Application.objects.get(client_id=CLIENT_ID)
    if "redirect_uris" in body:
        app.redirect_uris = " ".join(body["redirect_uris"])
    if "skip_authorization" in body:
        app.skip_authorization = body["skip_authorization"]
    app.save()
    return {"redirect_uris": app.redirect_uris.split()}


@_controlled
def expire_codes(body: dict[str, Any]) -> dict[str, Any]:
    """Age every authorization code past its lifetime (django-oauth-toolkit checks `expires`)."""
    count = Grant.objects.update(expires=timezone.now() - timedelta(seconds=1))
    return {"expired": count}


def create_client() -> Application:
    return Application.objects.create(
        name="prr",
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris="http://testserver/oidc/callback/",
        algorithm=Application.RS256_ALGORITHM,
        skip_authorization=True,
    )

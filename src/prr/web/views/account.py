"""Signing in and out, and changing one's password (Django's views, in the site's pages)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.views.decorators.http import require_GET, require_POST

from prr.accounts.tokens import NewToken, create_token, get_token, list_tokens, revoke_token
from prr.errors import PrrError
from prr.teams.queries import current_memberships
from prr.web.views.common import acting_user, status_for


class SignInView(auth_views.LoginView):
    template_name = "web/login.html"
    redirect_authenticated_user = True


class SignOutView(auth_views.LogoutView):
    pass


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "web/password_change.html"
    success_url = reverse_lazy("web:account")

    def form_valid(self, form: PasswordChangeForm) -> HttpResponse:
        response = super().form_valid(form)
        messages.success(self.request, "Your password is changed.")
        return response


def account_page(
    request: HttpRequest, *, new_token: NewToken | None = None, error: str = "", status: int = 200
) -> HttpResponse:
    user = acting_user(request)
    context = {
        "teams": current_memberships()
        .filter(user=user)
        .select_related("team")
        .order_by("team__name"),
        "tokens": list_tokens(user),
        "new_token": new_token,
        "error": error,
        "name": request.POST.get("name", "") if error else "",
    }
    return render(request, "web/account.html", context, status=status)


@login_required
@require_GET
def account(request: HttpRequest) -> HttpResponse:
    """Your teams, your password and your API tokens."""
    return account_page(request)


@login_required
@require_POST
def token_create(request: HttpRequest) -> HttpResponse:
    """A new token, shown on this response only (never stored, never redirected with)."""
    user = acting_user(request)
    try:
        created = create_token(user, request.POST.get("name", ""), by=user)
    except PrrError as error:
        return account_page(request, error=error.message, status=status_for(error))
    return account_page(request, new_token=created, status=201)


@login_required
@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    user = acting_user(request)
    try:
        token = get_token(token_id, seen_by=user)
        revoke_token(token, by=user)
    except PrrError as error:
        return account_page(request, error=error.message, status=status_for(error))
    messages.success(request, f"Token '{token.name}' is revoked; it no longer works.")
    return redirect("web:account")

"""Signing in and out, and changing one's password (Django's views, in the site's pages)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from prr.accounts.forms import ThrottledSignInForm
from prr.accounts.tokens import NewToken, create_token, get_token, list_tokens, revoke_token
from prr.errors import PrrError
from prr.notifications import email
from prr.notifications import services as notification_services
from prr.notifications.models import EmailChoice
from prr.teams.queries import current_memberships
from prr.web.forms import TimeZoneForm
from prr.web.middleware import reader_time_zone
from prr.web.views.common import acting_user, status_for

PASSWORD_OFF = (
    "Password sign-in is only for break-glass accounts, and this username and password are "
    "not one. Use the single sign-on button."
)


class SignInView(auth_views.LoginView):
    """The sign-in page: "Sign in with SSO" when OIDC is set up, and the password form.

    With `PRR_PASSWORD_LOGIN=false` the form is shown only on request (`?password`), for
    break-glass accounts; `PasswordBackend` refuses everyone else, here and in the admin.
    """

    template_name = "web/login.html"
    authentication_form = ThrottledSignInForm
    redirect_authenticated_user = True

    def get_form(self, form_class: type[AuthenticationForm] | None = None) -> AuthenticationForm:
        form = super().get_form(form_class)
        if not settings.PASSWORD_LOGIN:
            # The same words whether the password or the account is wrong: which usernames
            # are break-glass accounts is not for the sign-in page to tell.
            form.error_messages = {**form.error_messages, "invalid_login": PASSWORD_OFF}
        return form

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            oidc_enabled=bool(settings.OIDC_ISSUER),
            oidc_name=settings.OIDC_NAME,
            password_login=settings.PASSWORD_LOGIN,
            show_password_form=settings.PASSWORD_LOGIN
            or "password" in self.request.GET
            or self.request.method == "POST",
        )
        return context


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
    request: HttpRequest,
    *,
    new_token: NewToken | None = None,
    error: str = "",
    status: int = 200,
    time_zone_form: TimeZoneForm | None = None,
) -> HttpResponse:
    user = acting_user(request)
    if time_zone_form is None:
        time_zone_form = TimeZoneForm(
            initial={"time_zone": user.time_zone}, detected=reader_time_zone(request).detected
        )
    context = {
        "teams": current_memberships()
        .filter(user=user)
        .select_related("team")
        .order_by("team__name"),
        "tokens": list_tokens(user),
        "new_token": new_token,
        "error": error,
        "name": request.POST.get("name", "") if error else "",
        "email_choices": EmailChoice.choices,
        "email_choice": notification_services.settings_of(user).email,
        "email_enabled": email.enabled(),
        "time_zone_form": time_zone_form,
    }
    return render(request, "web/account.html", context, status=status)


@login_required
@require_GET
def account(request: HttpRequest) -> HttpResponse:
    """Your teams, your password and your API tokens."""
    return account_page(request)


@never_cache  # the page shows the token: no browser or proxy may keep a copy
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
def email_choice(request: HttpRequest) -> HttpResponse:
    try:
        chosen = notification_services.set_email_choice(
            acting_user(request), request.POST.get("email", "")
        )
    except PrrError as error:
        return account_page(request, error=error.message, status=status_for(error))
    messages.success(request, f"Email: {chosen.get_email_display()}.")
    return redirect("web:account")


@login_required
@require_POST
def time_zone_choice(request: HttpRequest) -> HttpResponse:
    """The zone pages show times in: one the user names, or (empty) the browser's."""
    user = acting_user(request)
    form = TimeZoneForm(request.POST, detected=reader_time_zone(request).detected)
    if not form.is_valid():
        return account_page(request, time_zone_form=form, status=400)
    user.time_zone = form.cleaned_data["time_zone"]
    user.save(update_fields=["time_zone"])
    detected = reader_time_zone(request).detected
    if user.time_zone:
        said = f"Times are shown in {user.time_zone}."
    elif detected:
        said = f"Times are shown in your browser's time zone, {detected}."
    else:
        said = (
            "Times are shown in your browser's time zone once it is known; "
            f"{settings.TIME_ZONE} until then."
        )
    messages.success(request, said)
    return redirect("web:account")


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

"""The password sign-in forms (prr's page and the admin's), which say so when throttled."""

from __future__ import annotations

from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError

from prr.accounts.throttling import is_locked_out, lockout_message


class ThrottledSignInForm(AuthenticationForm):
    """Django's sign-in form; a locked-out attempt gets the lockout message instead of
    "wrong username or password" (which would send people to try again)."""

    def get_invalid_login_error(self) -> ValidationError:
        if self.request is not None and is_locked_out(self.request):
            credentials = {"username": self.cleaned_data.get("username")}
            return ValidationError(lockout_message(self.request, credentials), code="locked_out")
        return super().get_invalid_login_error()


class ThrottledAdminSignInForm(ThrottledSignInForm, AdminAuthenticationForm):
    """The admin site's sign-in form, throttled the same way."""

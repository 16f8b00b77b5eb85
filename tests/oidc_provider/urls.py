from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import include, path

from tests.oidc_provider import control

urlpatterns = [
    path("o/", include("oauth2_provider.urls", namespace="oauth2_provider")),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("test/people/", control.put_person),
    path("test/client/", control.configure_client),
    path("test/expire-codes/", control.expire_codes),
]

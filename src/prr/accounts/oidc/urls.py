from __future__ import annotations

from django.urls import URLPattern, path

from prr.accounts.oidc import views

app_name = "oidc"

urlpatterns: list[URLPattern] = [
    path("start/", views.StartView.as_view(), name="start"),
    path("callback/", views.CallbackView.as_view(), name="callback"),
]

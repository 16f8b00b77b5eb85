from __future__ import annotations

from django.urls import URLPattern, path

from prr.integrations.slack import views

app_name = "slack"

urlpatterns: list[URLPattern] = [
    path("events", views.events, name="events"),
    path("commands", views.commands, name="commands"),
]

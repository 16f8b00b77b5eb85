from __future__ import annotations

from django.urls import path

from prr.integrations.mattermost import views

app_name = "mattermost"

urlpatterns = [
    path("messages", views.messages, name="messages"),
    path("command", views.command, name="command"),
]

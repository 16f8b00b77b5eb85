from __future__ import annotations

from django.urls import path

from prr.api.app import api

urlpatterns = [path("", api.urls)]

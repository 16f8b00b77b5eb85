from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

handler404 = "prr.web.views.common.page_not_found"
handler403 = "prr.web.views.common.permission_denied"

urlpatterns = [
    path("", include("prr.operations.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("prr.api.urls")),
    path("integrations/mattermost/", include("prr.integrations.mattermost.urls")),
    path("integrations/slack/", include("prr.integrations.slack.urls")),
    path("scim/v2/", include("prr.integrations.scim.urls")),
    path("oidc/", include("prr.accounts.oidc.urls")),
    path("", include("prr.web.urls")),
]

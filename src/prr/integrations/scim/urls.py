from __future__ import annotations

from django.urls import path, re_path

from prr.integrations.scim import views

app_name = "scim"

# No trailing slashes: Okta and Entra ID call `/scim/v2/Users`, `/scim/v2/Users/<id>`.
urlpatterns = [
    path("Users", views.users_view, name="users"),
    path("Users/<str:scim_id>", views.user_view, name="User"),
    path("Groups", views.groups_view, name="groups"),
    path("Groups/<str:scim_id>", views.group_view, name="Group"),
    path("ServiceProviderConfig", views.service_provider_config_view, name="config"),
    path("ResourceTypes", views.resource_types_view, name="resource-types"),
    path("ResourceTypes/<str:name>", views.resource_types_view, name="resource-type"),
    path("Schemas", views.schemas_view, name="schemas"),
    path("Schemas/<str:schema_id>", views.schemas_view, name="schema"),
    re_path(r"^(?P<rest>.*)$", views.unknown_view, name="unknown"),
]

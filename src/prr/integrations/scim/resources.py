"""prr's people and teams as SCIM resources (RFC 7643 §4): the one representation."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.urls import reverse

from prr.integrations.scim.models import ScimGroup, ScimUser
from prr.integrations.scim.protocol import GROUP_SCHEMA, USER_SCHEMA


def location(kind: str, scim_id: object) -> str:
    return settings.BASE_URL + reverse(f"scim:{kind}", args=[str(scim_id)])


def _meta(kind: str, scim_id: object, created: datetime, modified: datetime) -> dict[str, Any]:
    return {
        "resourceType": kind,
        "created": created.isoformat(timespec="seconds"),
        "lastModified": modified.isoformat(timespec="seconds"),
        "location": location(kind, scim_id),
    }


def user_resource(scim_user: ScimUser) -> dict[str, Any]:
    user = scim_user.user
    resource: dict[str, Any] = {
        "schemas": [USER_SCHEMA],
        "id": str(scim_user.scim_id),
        "userName": scim_user.user_name,
        "name": {
            "givenName": scim_user.given_name,
            "familyName": scim_user.family_name,
            "formatted": user.display_name,
        },
        "displayName": user.display_name,
        "emails": [{"value": user.email, "type": "work", "primary": True}] if user.email else [],
        "active": user.is_active,
        "meta": _meta("User", scim_user.scim_id, scim_user.created_at, scim_user.updated_at),
    }
    if scim_user.external_id:
        resource["externalId"] = scim_user.external_id
    return resource


def group_resource(group: ScimGroup, *, with_members: bool = True) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "schemas": [GROUP_SCHEMA],
        "id": str(group.scim_id),
        "displayName": group.display_name,
        "meta": _meta("Group", group.scim_id, group.created_at, group.updated_at),
    }
    if group.external_id:
        resource["externalId"] = group.external_id
    if with_members:
        # `.all()` so a prefetch of members__user serves a whole list in two queries.
        resource["members"] = [
            {
                "value": str(member.scim_id),
                "display": member.user.display_name or member.user.username,
                "$ref": location("User", member.scim_id),
            }
            for member in sorted(group.members.all(), key=lambda m: m.user.username)
        ]
    return resource

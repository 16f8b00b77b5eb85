"""What the service provider supports (RFC 7644 §4): ServiceProviderConfig, ResourceTypes
and Schemas, written to say exactly what the code does."""

from __future__ import annotations

from typing import Any

from django.conf import settings

from prr.integrations.scim.protocol import GROUP_SCHEMA, MAX_RESULTS, USER_SCHEMA

_CONFIG_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"
_RESOURCE_TYPE_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:ResourceType"
_SCHEMA_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Schema"


def _url(path: str) -> str:
    return f"{settings.BASE_URL}/scim/v2/{path}"


def service_provider_config() -> dict[str, Any]:
    return {
        "schemas": [_CONFIG_SCHEMA],
        "documentationUri": _url("").rstrip("/"),
        "patch": {"supported": True},
        "bulk": {"supported": False, "maxOperations": 0, "maxPayloadSize": 0},
        "filter": {"supported": True, "maxResults": MAX_RESULTS},
        "changePassword": {"supported": False},
        "sort": {"supported": False},
        "etag": {"supported": False},
        "authenticationSchemes": [
            {
                "type": "oauthbearertoken",
                "name": "Bearer token",
                "description": "A token made with `prr scim token create --name NAME`.",
                "primary": True,
            }
        ],
        "meta": {
            "resourceType": "ServiceProviderConfig",
            "location": _url("ServiceProviderConfig"),
        },
    }


def resource_types() -> list[dict[str, Any]]:
    return [
        {
            "schemas": [_RESOURCE_TYPE_SCHEMA],
            "id": kind,
            "name": kind,
            "endpoint": f"/{kind}s",
            "schema": schema,
            "meta": {"resourceType": "ResourceType", "location": _url(f"ResourceTypes/{kind}")},
        }
        for kind, schema in (("User", USER_SCHEMA), ("Group", GROUP_SCHEMA))
    ]


def _attribute(name: str, **overrides: Any) -> dict[str, Any]:
    attribute = {
        "name": name,
        "type": "string",
        "multiValued": False,
        "required": False,
        "caseExact": False,
        "mutability": "readWrite",
        "returned": "default",
        "uniqueness": "none",
    }
    attribute.update(overrides)
    return attribute


def schemas() -> list[dict[str, Any]]:
    user = [
        _attribute("userName", required=True, uniqueness="server"),
        _attribute(
            "name",
            type="complex",
            subAttributes=[_attribute(n) for n in ("givenName", "familyName", "formatted")],
        ),
        _attribute("displayName"),
        _attribute(
            "emails",
            type="complex",
            multiValued=True,
            subAttributes=[
                _attribute("value"),
                _attribute("type"),
                _attribute("primary", type="boolean"),
            ],
        ),
        _attribute("active", type="boolean"),
        _attribute("externalId", caseExact=True),
    ]
    group = [
        _attribute("displayName", required=True, uniqueness="server"),
        _attribute(
            "members",
            type="complex",
            multiValued=True,
            subAttributes=[
                _attribute("value", mutability="immutable"),
                _attribute("display", mutability="readOnly"),
                _attribute("$ref", type="reference", mutability="immutable"),
            ],
        ),
        _attribute("externalId", caseExact=True),
    ]
    return [
        {
            "schemas": [_SCHEMA_SCHEMA],
            "id": schema,
            "name": kind,
            "description": description,
            "attributes": attributes,
            "meta": {"resourceType": "Schema", "location": _url(f"Schemas/{schema}")},
        }
        for schema, kind, description, attributes in (
            (USER_SCHEMA, "User", "A person in prr", user),
            (GROUP_SCHEMA, "Group", "A group that keeps one prr team", group),
        )
    ]

"""An identity provider talking to /scim/v2/ with a token made like `prr scim token create`.

Request bodies are shaped as Okta and Entra ID send them; each test that copies one cites
the documentation it follows.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from prr.integrations.scim.tokens import create_scim_token
from tests.cli.conftest import cli  # noqa: F401 - `prr …` in-process, as in tests/cli

CONTENT_TYPE = "application/scim+json"
PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
USER = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group"


@dataclass
class Answer:
    status: int
    body: Any
    headers: Any


@dataclass
class IdentityProvider:
    client: Client
    token: str

    def call(self, method: str, path: str, body: Any = None, *, token: str | None = None) -> Answer:
        raw = body if isinstance(body, (str, bytes)) else json.dumps(body)
        response = self.client.generic(
            method,
            f"/scim/v2/{path}",
            raw if body is not None else "",
            content_type=CONTENT_TYPE,
            headers={"Authorization": f"Bearer {self.token if token is None else token}"},
        )
        parsed = json.loads(response.content) if response.content else None
        return Answer(response.status_code, parsed, response.headers)

    def get(self, path: str) -> Answer:
        return self.call("GET", path)

    def post(self, path: str, body: Any) -> Answer:
        return self.call("POST", path, body)

    def put(self, path: str, body: Any) -> Answer:
        return self.call("PUT", path, body)

    def patch(self, path: str, *operations: dict[str, Any]) -> Answer:
        return self.call("PATCH", path, {"schemas": [PATCH], "Operations": list(operations)})

    def delete(self, path: str) -> Answer:
        return self.call("DELETE", path)

    def provision(self, user_name: str, given: str, family: str, **extra: Any) -> dict[str, Any]:
        """POST /Users as Okta does on assignment (developer.okta.com, "SCIM 2.0 Protocol")."""
        answer = self.post(
            "Users",
            {
                "schemas": [USER],
                "userName": user_name,
                "name": {"givenName": given, "familyName": family},
                "emails": [{"primary": True, "value": user_name, "type": "work"}],
                "displayName": f"{given} {family}",
                "active": True,
                **extra,
            },
        )
        assert answer.status == 201, answer.body
        return answer.body

    def push_group(self, name: str, *members: dict[str, Any]) -> dict[str, Any]:
        answer = self.post(
            "Groups",
            {
                "schemas": [GROUP],
                "displayName": name,
                "members": [{"value": m["id"], "display": m["userName"]} for m in members],
            },
        )
        assert answer.status == 201, answer.body
        return answer.body


@pytest.fixture
def idp(db: None, teams: Any) -> IdentityProvider:
    return IdentityProvider(Client(), create_scim_token("okta").secret)


def error(answer: Answer) -> tuple[int, str | None]:
    """(status, scimType) of a SCIM error, after checking its shape (RFC 7644 §3.12)."""
    assert answer.body["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:Error"]
    assert answer.body["status"] == str(answer.status)
    assert answer.body["detail"]
    return answer.status, answer.body.get("scimType")

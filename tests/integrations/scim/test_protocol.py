"""What every SCIM request meets: the bearer token, the error schema, limits, no CSRF."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client

from prr.accounts.models import User
from prr.integrations.scim.models import ScimToken
from prr.integrations.scim.tokens import revoke_scim_token
from tests.integrations.scim.conftest import USER, IdentityProvider, error


def test_no_token_or_a_wrong_one_is_401_in_the_error_schema(idp: IdentityProvider) -> None:
    missing = Client().get("/scim/v2/Users")
    wrong = idp.call("GET", "Users", token="prrscim_000000000000_guess")
    api_token_shape = idp.call("GET", "Users", token="prr_abcdefabcdef_secret")

    assert missing.status_code == 401
    assert missing["Content-Type"] == "application/scim+json"
    assert missing["WWW-Authenticate"].startswith("Bearer")
    assert json.loads(missing.content)["status"] == "401"
    assert error(wrong) == (401, None)
    assert error(api_token_shape) == (401, None)


def test_a_revoked_token_stops_at_once(idp: IdentityProvider) -> None:
    revoke_scim_token(ScimToken.objects.get().pk)

    answer = idp.post("Users", {"schemas": [USER], "userName": "sam@example.com"})

    assert error(answer) == (401, None)
    assert not User.objects.filter(username="sam").exists()


def test_the_token_is_stored_only_as_a_hash(idp: IdentityProvider) -> None:
    token = ScimToken.objects.get()
    assert idp.token.split("_")[2] not in (token.digest, token.prefix)
    idp.get("Users")
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_writes_need_no_csrf_token(idp: IdentityProvider) -> None:
    idp.client = Client(enforce_csrf_checks=True)

    assert idp.post("Users", {"schemas": [USER], "userName": "sam@example.com"}).status == 201


def test_bad_json_is_invalid_value_with_a_clear_detail(idp: IdentityProvider) -> None:
    answer = idp.call("POST", "Users", '{"userName": "sam@example.com",')
    array = idp.call("POST", "Users", "[]")

    assert error(answer) == (400, "invalidValue")
    assert "not valid JSON" in answer.body["detail"]
    assert error(array) == (400, "invalidValue")


def test_an_unsupported_filter_is_invalid_filter(idp: IdentityProvider) -> None:
    answers: list[Any] = [
        idp.get('Users?filter=userName co "sam"'),
        idp.get('Users?filter=title eq "Engineer"'),
        idp.get('Groups?filter=displayName eq "a" or displayName eq "b"'),
    ]

    for answer in answers:
        assert error(answer) == (400, "invalidFilter")
    assert "userName" in answers[1].body["detail"]


def test_an_oversized_body_is_413_and_creates_nothing(idp: IdentityProvider, settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    body = {"schemas": [USER], "userName": "sam@example.com", "title": "x" * 20_000}

    answer = idp.post("Users", body)

    assert error(answer) == (413, None)
    assert not User.objects.filter(username="sam").exists()


def test_an_unknown_endpoint_or_method_is_a_scim_error(idp: IdentityProvider) -> None:
    assert error(idp.get("Bulk")) == (404, None)
    assert error(idp.call("DELETE", "Users")) == (405, None)


def test_discovery_says_what_prr_supports(idp: IdentityProvider) -> None:
    """Entra ID and Okta read ServiceProviderConfig for PATCH and filter support (RFC 7644
    §4)."""
    config = idp.get("ServiceProviderConfig").body
    types = idp.get("ResourceTypes").body
    schemas = idp.get("Schemas").body
    user_schema = idp.get(f"Schemas/{USER}").body

    assert (config["patch"]["supported"], config["bulk"]["supported"]) == (True, False)
    assert config["authenticationSchemes"][0]["type"] == "oauthbearertoken"
    assert [t["endpoint"] for t in types["Resources"]] == ["/Users", "/Groups"]
    assert schemas["totalResults"] == 2
    assert "userName" in [a["name"] for a in user_schema["attributes"]]

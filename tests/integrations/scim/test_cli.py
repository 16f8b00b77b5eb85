"""`prr scim token …`: an operator makes, lists and revokes the IdP's bearer tokens."""

from __future__ import annotations

import json

from django.test import Client

from prr.integrations.scim.models import ScimToken
from tests.cli.conftest import Cli, stdout_json


def _works(secret: str) -> bool:
    response = Client().get("/scim/v2/Users", headers={"Authorization": f"Bearer {secret}"})
    return response.status_code == 200


def test_create_prints_the_secret_once_as_its_last_line(cli: Cli) -> None:
    result = cli("scim", "token", "create", "--name", "okta")

    assert result.exit_code == 0, result.stderr
    secret = result.stdout.strip().splitlines()[-1]
    assert secret.startswith("prrscim_")
    assert _works(secret)
    assert secret not in json.dumps(list(ScimToken.objects.values()), default=str)


def test_list_shows_names_and_prefixes_never_secrets(cli: Cli) -> None:
    secret = cli("scim", "token", "create", "--name", "entra").stdout.strip().splitlines()[-1]
    _works(secret)

    rows = stdout_json(cli("scim", "token", "list", "--json"))
    text = cli("scim", "token", "list").stdout

    assert [(r["name"], r["prefix"]) for r in rows] == [("entra", secret[: len("prrscim_") + 13])]
    assert rows[0]["last_used_at"] is not None
    assert "entra" in text
    assert secret not in text


def test_revoke_stops_the_token_and_a_second_revoke_is_refused(cli: Cli) -> None:
    secret = cli("scim", "token", "create", "--name", "okta").stdout.strip().splitlines()[-1]
    token_id = str(ScimToken.objects.get().pk)

    revoked = cli("scim", "token", "revoke", token_id)
    again = cli("scim", "token", "revoke", token_id)

    assert revoked.exit_code == 0
    assert not _works(secret)
    assert (again.exit_code, again.stderr.strip()) == (
        1,
        f"Error: SCIM token #{token_id} ('okta') is already revoked.",
    )
    assert cli("scim", "token", "list").stdout.startswith("No SCIM tokens")
    assert "okta" in cli("scim", "token", "list", "--all").stdout


def test_a_name_in_use_is_refused(cli: Cli) -> None:
    cli("scim", "token", "create", "--name", "okta")

    again = cli("scim", "token", "create", "--name", "okta")

    assert again.exit_code == 1
    assert "already named 'okta'" in again.stderr

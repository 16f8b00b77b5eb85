"""`prr token …`: create (printed once), list (never the token) and revoke API tokens."""

from __future__ import annotations

from prr.accounts.models import ApiToken, User
from prr.accounts.services import deactivate_user
from prr.accounts.tokens import authenticate_token
from tests.cli.conftest import Cli, stdout_json
from tests.cli.test_cli_reviews import ok, refused


def test_a_created_token_is_printed_once_and_acts_as_its_user(cli: Cli, dri: User) -> None:
    result = ok(cli("token", "create", "--as", "dana", "--name", "deploy pipeline"))

    secret = result.stdout.strip().splitlines()[-1]
    assert secret.startswith("prr_")
    assert "cannot show it again" in result.stdout
    assert authenticate_token(secret) == dri
    token = ApiToken.objects.get()
    assert secret not in (token.digest, token.prefix)  # only a hash is kept


def test_the_list_shows_owner_name_and_use_but_never_the_token(cli: Cli, dri: User) -> None:
    secret = ok(cli("token", "create", "--as", "dana", "--name", "laptop")).stdout.split()[-1]
    authenticate_token(secret)

    text = ok(cli("token", "list")).stdout
    assert "@dana" in text
    assert "laptop" in text
    assert "last used" in text
    assert secret not in text
    [row] = stdout_json(cli("token", "list", "--as", "dana", "--json"))
    assert (row["user"], row["name"], row["revoked_at"]) == ("dana", "laptop", None)
    assert row["last_used_at"] is not None
    assert secret.startswith(row["prefix"])


def test_revoking_stops_the_token_at_once(cli: Cli, dri: User) -> None:
    secret = ok(cli("token", "create", "--as", "dana", "--name", "laptop")).stdout.split()[-1]
    token_id = str(ApiToken.objects.get().pk)

    assert "Revoked token" in ok(cli("token", "revoke", token_id)).stdout
    assert authenticate_token(secret) is None
    assert stdout_json(cli("token", "list", "--json")) == []
    assert len(stdout_json(cli("token", "list", "--all", "--json"))) == 1
    assert "already revoked" in refused(cli("token", "revoke", token_id))


def test_refusals_say_why(cli: Cli, dri: User) -> None:
    assert "No user @nobody" in refused(cli("token", "create", "--as", "nobody", "--name", "x"))
    assert "needs a name" in refused(cli("token", "create", "--as", "dana", "--name", "  "))
    ok(cli("token", "create", "--as", "dana", "--name", "laptop"))
    assert "already has an active token named 'laptop'" in refused(
        cli("token", "create", "--as", "dana", "--name", "laptop")
    )
    assert "No API token #999" in refused(cli("token", "revoke", "999"))
    deactivate_user(dri)
    assert "deactivated" in refused(cli("token", "create", "--as", "dana", "--name", "new"))


def test_an_empty_list_says_how_to_create_one(cli: Cli, dri: User) -> None:
    assert "prr token create --as USERNAME --name NAME" in ok(cli("token", "list")).stdout

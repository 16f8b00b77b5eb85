"""`prr scim …`: the bearer tokens identity providers use to provision people and teams."""

from __future__ import annotations

from typing import Any

import click

from prr.cli.base import PrrGroup, json_option, print_json


@click.group(cls=PrrGroup)
def scim() -> None:
    """SCIM 2.0 provisioning from Okta or Entra ID at /scim/v2/ (docs/identity.md)."""


@scim.group(cls=PrrGroup)
def token() -> None:
    """Bearer tokens for identity providers, sent as `Authorization: Bearer …`."""


@token.command("create")
@click.option("--name", required=True, help="Which identity provider uses it, e.g. 'okta'.")
def token_create(name: str) -> None:
    """Create a token; it is printed once, as the last line, and cannot be shown again."""
    from prr.integrations.scim.tokens import create_scim_token

    created = create_scim_token(name)
    click.echo(f"Created SCIM token #{created.token.pk} '{created.token.name}'.")
    click.echo("Copy it into the identity provider now; prr keeps only a hash:")
    click.echo(created.secret)


@token.command("list")
@click.option("--all", "include_revoked", is_flag=True, help="Include revoked tokens.")
@json_option
def token_list(include_revoked: bool, as_json: bool) -> None:
    """List SCIM tokens with their creation and last use (never the tokens themselves)."""
    from prr.integrations.scim.tokens import list_scim_tokens

    def when(moment: Any) -> str | None:
        return moment.isoformat(timespec="seconds") if moment else None

    rows = [
        {
            "id": t.pk,
            "name": t.name,
            "prefix": f"prrscim_{t.prefix}_",
            "created_at": when(t.created_at),
            "last_used_at": when(t.last_used_at),
            "revoked_at": when(t.revoked_at),
        }
        for t in list_scim_tokens(include_revoked=include_revoked)
    ]
    if as_json:
        print_json(rows)
        return
    if not rows:
        click.echo("No SCIM tokens. Create one with `prr scim token create --name NAME`.")
    for row in rows:
        used = f"last used {row['last_used_at']}" if row["last_used_at"] else "never used"
        revoked = f", revoked {row['revoked_at']}" if row["revoked_at"] else ""
        click.echo(
            f"#{row['id']:<4} {row['name']:<28} {row['prefix']}…  "
            f"created {row['created_at']}, {used}{revoked}"
        )


@token.command("revoke")
@click.argument("token_id", type=int)
def token_revoke(token_id: int) -> None:
    """Revoke a SCIM token by its id (see `prr scim token list`); it stops working at once."""
    from prr.integrations.scim.tokens import revoke_scim_token

    revoked = revoke_scim_token(token_id)
    click.echo(f"Revoked SCIM token #{revoked.pk} '{revoked.name}'.")

"""`prr token …`: personal API tokens."""

from __future__ import annotations

import click

from prr.cli.base import PrrGroup, json_option, print_json, when


@click.group(cls=PrrGroup)
def token() -> None:
    """Personal API tokens, sent as `Authorization: Bearer …` to the REST API."""


@token.command("create")
@click.option("--as", "as_user", required=True, metavar="USERNAME", help="Whom the token acts as.")
@click.option("--name", required=True, help="What the token is for, e.g. 'deploy pipeline'.")
def token_create(as_user: str, name: str) -> None:
    """Create a token; it is printed once and cannot be shown again."""
    from prr.accounts.services import get_user
    from prr.accounts.tokens import create_token

    created = create_token(get_user(as_user), name)
    click.echo(f"Created token #{created.token.pk} '{created.token.name}' for @{as_user}.")
    click.echo("Copy it now; prr keeps only a hash and cannot show it again:")
    click.echo(created.secret)


@token.command("list")
@click.option("--as", "as_user", metavar="USERNAME", help="Only this user's tokens.")
@click.option("--all", "include_revoked", is_flag=True, help="Include revoked tokens.")
@json_option
def token_list(as_user: str | None, include_revoked: bool, as_json: bool) -> None:
    """List tokens with their owner, creation and last use (never the tokens themselves)."""
    from prr.accounts.schemas import TokenOut
    from prr.accounts.services import get_user
    from prr.accounts.tokens import list_tokens

    owner = get_user(as_user) if as_user else None
    rows = [TokenOut.of(t) for t in list_tokens(owner, include_revoked=include_revoked)]
    if as_json:
        print_json(rows)
        return
    if not rows:
        click.echo("No tokens. Create one with `prr token create --as USERNAME --name NAME`.")
    for row in rows:
        used = f"last used {when(row.last_used_at)}" if row.last_used_at else "never used"
        revoked = f", revoked {when(row.revoked_at)}" if row.revoked_at else ""
        click.echo(
            f"#{row.id:<4} @{row.user:<14} {row.name:<28} {row.prefix}…  "
            f"created {when(row.created_at)}, {used}{revoked}"
        )


@token.command("revoke")
@click.argument("token_id", type=int)
def token_revoke(token_id: int) -> None:
    """Revoke a token by its id (see `prr token list`); it stops working at once."""
    from prr.accounts.tokens import get_token, revoke_token

    revoked = revoke_token(get_token(token_id))
    click.echo(f"Revoked token #{revoked.pk} '{revoked.name}' of @{revoked.user.username}.")

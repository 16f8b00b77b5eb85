"""`prr webhook …`: outgoing webhook subscriptions (admins' operator tool)."""

from __future__ import annotations

import click

from prr.cli.base import PrrGroup


@click.group(cls=PrrGroup)
def webhook() -> None:
    """Outgoing webhooks: where prr sends review events, signed with a secret."""

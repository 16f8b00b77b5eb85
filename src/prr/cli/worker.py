"""`prr worker`: runs queued background work (webhook deliveries)."""

from __future__ import annotations

import click

from prr.cli.base import PrrCommand


@click.command(cls=PrrCommand)
def worker() -> None:
    """Run queued background work until stopped; any number of workers may run at once."""

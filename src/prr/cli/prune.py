"""`prr prune`: delete what is only kept for a while (`prr worker` also does it hourly)."""

from __future__ import annotations

import click

from prr.cli.base import PrrCommand


@click.command(cls=PrrCommand)
@click.option("--dry-run", is_flag=True, help="Count what would be deleted; delete nothing.")
def prune(dry_run: bool) -> None:
    """Delete finished task results, delivered webhooks and sent chat posts older than
    PRR_PRUNE_AFTER_DAYS, and chat echo records past their window.

    Never deletes what is still to be sent or failed (waiting for a retry by hand), nor any
    part of a review's audit trail. `prr worker` prunes hourly (docs/monitoring.md).
    """
    from prr.operations.pruning import after_days, prune

    pruned = prune(dry_run=dry_run)
    verb = "Would delete" if dry_run else "Deleted"
    click.echo(f"{verb} {pruned.summary()} (kept for {after_days()} days).")

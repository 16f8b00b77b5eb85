"""`prr backup PATH` and `prr restore PATH`."""

from __future__ import annotations

from pathlib import Path

import click

from prr.cli.base import PrrCommand

path_argument = click.argument(
    "path", type=click.Path(dir_okay=False, path_type=Path, resolve_path=True)
)


@click.command(cls=PrrCommand)
@path_argument
@click.option("--force", is_flag=True, help="Overwrite PATH if it exists.")
def backup(path: Path, force: bool) -> None:
    """Copy the whole database to PATH (SQLite: an online copy; PostgreSQL: pg_dump).

    Safe while prr serves and workers run. The file holds everything: keep it like a secret.
    """
    from prr.operations.backups import backup as make_backup
    from prr.operations.backups import engine

    held = make_backup(path, force=force)
    size = path.stat().st_size
    click.echo(f"Backed up {held.summary()} ({engine()}, {size:,} bytes) to {path}.")


@click.command(cls=PrrCommand)
@path_argument
@click.option(
    "--force", is_flag=True, help="Replace a database that already holds people or reviews."
)
def restore(path: Path, force: bool) -> None:
    """Replace the database with the backup in PATH (made by `prr backup`).

    Stop `prr serve` and `prr worker` first. Refuses a database that already holds people or
    reviews unless --force is given. Every snapshot's SHA-256 is checked afterwards.
    """
    from prr.cli.base import fail
    from prr.operations.backups import restore as restore_backup

    held = restore_backup(path, force=force)
    click.echo(f"Restored {held.summary()} from {path}.")
    if held.snapshots_verified != held.snapshots:
        fail(
            f"{held.snapshots - held.snapshots_verified} of {held.snapshots} snapshots do not "
            "match their SHA-256."
        )
    click.echo(f"All {held.snapshots} snapshots match their SHA-256.")

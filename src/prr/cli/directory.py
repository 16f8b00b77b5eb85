"""`prr directory …`: teams kept by the organisation's LDAP directory or Active Directory."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

import click

from prr.cli.base import PrrGroup, fail

if TYPE_CHECKING:
    from prr.integrations.ldap.sync import SyncReport, TeamSync

# Seconds between two looks at the lease: the sync itself runs once per PRR_LDAP_SYNC_INTERVAL
# across all workers, whichever takes it.
LOOK_EVERY = 30.0


@click.group(cls=PrrGroup)
def directory() -> None:
    """Teams linked to LDAP / Active Directory groups (docs/identity.md)."""


@directory.command("sync")
def directory_sync() -> None:
    """Read the linked LDAP groups now and update their teams: one line per team.

    Exit status 1 when the server cannot be reached or refuses the bind (nothing changed),
    or when a group was not found (that team is left as it was; the others are synced).
    `prr worker` runs it every PRR_LDAP_SYNC_INTERVAL seconds.
    """
    from prr.cli.worker import worker_id
    from prr.integrations.ldap.sync import sync_now

    report = sync_now(f"cli-{worker_id()}")
    if not report.teams:
        click.echo(
            "No team is linked to an LDAP group "
            "(prr team link SLUG --group NAME_OR_DN --source ldap)."
        )
        return
    for line in report_lines(report):
        click.echo(line)
    if report.problems:
        fail(
            f"{len(report.problems)} of {len(report.teams)} LDAP groups could not be read; "
            "those teams were left unchanged."
        )


def report_lines(report: SyncReport) -> list[str]:
    lines = []
    for result in report.teams:
        lines.append(f"{result.team.slug}: {describe_team_sync(result)}")
        lines.extend(f"  skipped {reason}" for reason in result.skipped)
    return lines


def describe_team_sync(result: TeamSync) -> str:
    """`2 joined (@amy, @bob), 1 left (@sam); 3 members`."""
    if result.problem:
        return result.problem
    assert result.change is not None
    parts = []
    for verb, users in (("joined", result.change.joined), ("left", result.change.left)):
        if users:
            handles = ", ".join(sorted(u.handle for u in users))
            parts.append(f"{len(users)} {verb} ({handles})")
    changed = ", ".join(parts) or "unchanged"
    created = f"; new users {', '.join(u.handle for u in result.created)}" if result.created else ""
    count = f"{result.members} member{'' if result.members == 1 else 's'}"
    return f"{changed}; {count}{created}"


def directory_sync_loop(stop: threading.Event, holder: str) -> None:
    """In `prr worker`: sync when due and the lease is free, until the worker stops."""
    from django.conf import settings
    from django.db import close_old_connections, connection

    from prr.errors import PrrError
    from prr.integrations.ldap.sync import run_sync

    interval = settings.LDAP_SYNC_INTERVAL
    while True:
        try:
            report = run_sync(holder, due_after_seconds=interval)
        except PrrError as exc:
            click.echo(f"LDAP sync failed: {exc}", err=True)
        except Exception as exc:  # the database may be briefly away; try again later
            click.echo(f"LDAP sync failed unexpectedly: {exc}", err=True)
            close_old_connections()
        else:
            for line in report_lines(report) if report else []:
                click.echo(f"LDAP sync {line}")
        if stop.wait(min(LOOK_EVERY, interval)):
            break
    connection.close()


def start_directory_sync(stop: threading.Event, holder: str) -> bool:
    """Start the periodic LDAP sync beside the worker's tasks, when LDAP is configured."""
    from django.conf import settings

    if not settings.LDAP_URL:
        return False
    threading.Thread(target=directory_sync_loop, args=(stop, holder), daemon=True).start()
    click.echo(
        f"Syncing LDAP groups every {settings.LDAP_SYNC_INTERVAL}s, one host at a time "
        "(prr directory sync)."
    )
    return True

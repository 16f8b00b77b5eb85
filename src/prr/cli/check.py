"""`prr check`: Django's deployment checks and prr's own, each with what to change."""

from __future__ import annotations

import click

from prr.cli.base import PrrCommand, fail

# Django's check id → the prr setting that fixes it (prr's settings are environment variables).
FIXES = {
    "security.W004": "serve prr over https and set PRR_BASE_URL=https://…: prr then sends HSTS "
    "(PRR_HSTS_SECONDS, a year by default)",
    "security.W009": "set PRR_SECRET_KEY_FILE to a file holding a long random key",
    "security.W012": "set PRR_BASE_URL=https://…: prr then marks the session cookie secure",
    "security.W016": "set PRR_BASE_URL=https://…: prr then marks the CSRF cookie secure",
    "security.W018": "set PRR_DEBUG=false",
    "security.W020": "set PRR_ALLOWED_HOSTS to the host names people use",
}


def prr_findings() -> list[str]:
    """What Django cannot know about prr's setup."""
    from django.conf import settings
    from django.db import connection

    from prr.operations.heartbeats import live_workers

    found = []
    if not settings.BASE_URL.startswith("https://"):
        found.append(
            f"PRR_BASE_URL is {settings.BASE_URL}: serve prr over https behind a TLS proxy and "
            "set PRR_BASE_URL=https://… (secure cookies, HSTS)."
        )
    if connection.vendor == "sqlite":
        found.append(
            "The database is SQLite: fine for one host; several web hosts or workers on other "
            "hosts need PostgreSQL (PRR_DATABASE_URL=postgres://…)."
        )
    if not live_workers():
        found.append(
            "No `prr worker` was seen in the last minutes: webhooks and chat posts wait until "
            "one runs."
        )
    return found


@click.command(cls=PrrCommand)
def check() -> None:
    """Check this prr's settings for production, and say what to change.

    Runs Django's deployment checks with the settings prr has now (from PRR_* variables), then
    prr's own. Exit status 1 when anything is found.
    """
    from django.core.checks import run_checks

    checked = run_checks(include_deployment_checks=True)
    problems = [m for m in checked if m.level >= 30 and not m.is_silenced()]
    for message in problems:
        fix = FIXES.get(str(message.id))
        click.echo(f"- {message.id}: {fix or message.msg}")
    findings = prr_findings()
    for finding in findings:
        click.echo(f"- prr: {finding}")
    if problems or findings:
        fail(f"{len(problems) + len(findings)} things to change before production (above).")
    click.echo("Ready for production: no deployment check found anything.")

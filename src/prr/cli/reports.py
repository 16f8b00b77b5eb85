"""`prr report`: the reports of the reports page, as text tables or JSON."""

from __future__ import annotations

import click

from prr.cli.base import PrrCommand, json_option, print_json


@click.command(cls=PrrCommand)
@click.option("--playbook", metavar="SLUG", help="Only reviews of this playbook (its slug).")
@click.option("--kind", help="Only reviews of this kind.")
@json_option
def report(playbook: str | None, kind: str | None, as_json: bool) -> None:
    """Reviews started and closed per week, time to close and to approve, open reviews by
    age, overdue work by owner, waivers ending within 30 days."""
    from prr.reviews.reports import Scope, build_reports

    built = build_reports(Scope(playbook=playbook, kind=kind))
    if as_json:
        print_json([r.as_dict() for r in built.reports])
        return
    for index, table in enumerate(built.reports):
        if index:
            click.echo()
        click.echo(table.title)
        shown = [["-" if value is None else str(value) for value in row] for row in table.rows]
        cells = [table.columns, *shown]
        widths = [max(len(str(row[i])) for row in cells) for i in range(len(table.columns))]
        for row in cells:
            line = "  ".join(str(v).ljust(w) for v, w in zip(row, widths, strict=True))
            click.echo(("  " + line).rstrip())
        if not table.rows:
            click.echo("  (none)")

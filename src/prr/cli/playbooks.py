"""`prr playbook …`."""

from __future__ import annotations

from typing import IO

import click

from prr.cli.base import PrrGroup, json_option, print_json


@click.group(cls=PrrGroup)
def playbook() -> None:
    """Playbooks: the templates reviews start from, kept as YAML files."""


@playbook.command("import")
@click.argument("file", type=click.File("rb"))
def playbook_import(file: IO[bytes]) -> None:
    """Import a playbook YAML (or JSON) file; a new version only when the content changed."""
    from prr.playbooks.services import import_playbook
    from prr.playbooks.yaml_format import MAX_FILE_BYTES

    # Read one byte past the limit: enough to refuse a huge file without reading all of it.
    result = import_playbook(file.read(MAX_FILE_BYTES + 1))
    version = result.version
    if result.created:
        click.echo(f"Imported {version.playbook.slug} as version {version.number}.")
    else:
        click.echo(f"{version.playbook.slug} is unchanged (version {version.number}).")


@playbook.command("export")
@click.argument("slug")
@click.option("--version", "number", type=int, help="Version number (default: the latest).")
def playbook_export(slug: str, number: int | None) -> None:
    """Print a playbook version as YAML."""
    from prr.playbooks.services import get_playbook, get_version
    from prr.playbooks.yaml_format import to_yaml

    click.echo(to_yaml(get_version(get_playbook(slug), number).spec), nl=False)


@playbook.command("list")
@json_option
def playbook_list(as_json: bool) -> None:
    """List playbooks with their latest version."""
    from django.db.models import Count, Max

    from prr.playbooks.models import Playbook

    rows = [
        {"slug": p.slug, "title": p.title, "latest_version": p.latest, "versions": p.count}
        for p in Playbook.objects.annotate(
            latest=Max("versions__number"), count=Count("versions")
        ).order_by("slug")
    ]
    if as_json:
        print_json(rows)
        return
    if not rows:
        click.echo("No playbooks yet. Run `prr init` or `prr playbook import FILE`.")
    for row in rows:
        click.echo(f"{row['slug']:<16} v{row['latest_version']:<4} {row['title']}")

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
@click.option(
    "--from",
    "source",
    type=click.Choice(["prr", "mattermost"]),
    default="prr",
    show_default=True,
    help="The file's format: a prr playbook, or a Mattermost Playbooks JSON export.",
)
@click.option(
    "--owner",
    "owner_options",
    metavar='"ITEM TITLE=TEAM"',
    multiple=True,
    help="With --from mattermost: the team that approves an item a keyword completes "
    "(or dri). Repeatable.",
)
@click.option(
    "--slug",
    metavar="SLUG",
    help="With --from mattermost: the playbook's slug (default: made from its title).",
)
def playbook_import(
    file: IO[bytes], source: str, owner_options: tuple[str, ...], slug: str | None
) -> None:
    """Import a playbook file; a new version only when the content changed.

    FILE is a YAML (or JSON) playbook, or with --from mattermost a Mattermost Playbooks export
    (docs/integrations/mattermost-playbooks.md).
    """
    from prr.playbooks.services import ImportResult, import_playbook
    from prr.playbooks.yaml_format import MAX_FILE_BYTES

    if source == "prr" and (owner_options or slug is not None):
        raise click.UsageError("--owner and --slug only apply to --from mattermost.")
    owners = _owners(owner_options)
    # Read one byte past the limit: enough to refuse a huge file without reading all of it.
    text = file.read(MAX_FILE_BYTES + 1)
    notices: tuple[str, ...] = ()
    result: ImportResult
    if source == "mattermost":
        from prr.integrations.mattermost.playbooks import import_mattermost_playbook

        converted = import_mattermost_playbook(text, owners=owners, slug=slug)
        result, notices = converted, converted.notices
    else:
        result = import_playbook(text)
    version = result.version
    if result.created:
        click.echo(f"Imported {version.playbook.slug} as version {version.number}.")
    else:
        click.echo(f"{version.playbook.slug} is unchanged (version {version.number}).")
    # What the conversion left out or changed, said every time: an unchanged import skipped it too.
    for notice in notices:
        click.echo(notice)


def _owners(options: tuple[str, ...]) -> dict[str, str]:
    """`--owner "ITEM TITLE=TEAM"` options as {title: team}; a title may contain `=`."""
    owners: dict[str, str] = {}
    teams_by_title: dict[str, str] = {}
    for option in options:
        title, sep, team = (part.strip() for part in option.rpartition("="))
        if not sep or not title or not team:
            raise click.BadParameter(
                f'expected "ITEM TITLE=TEAM", got "{option}".', param_hint="--owner"
            )
        if teams_by_title.setdefault(title.casefold(), team.casefold()) != team.casefold():
            raise click.BadParameter(f'"{title}" is given two teams.', param_hint="--owner")
        owners[title] = team
    return owners


@playbook.command("export")
@click.argument("slug")
@click.option("--version", "number", type=int, help="Version number (default: the latest).")
@click.option(
    "--to",
    "target",
    type=click.Choice(["yaml", "mattermost"]),
    default="yaml",
    show_default=True,
    help="yaml: a prr playbook file; mattermost: JSON that Mattermost Playbooks imports.",
)
def playbook_export(slug: str, number: int | None, target: str) -> None:
    """Print a playbook version as YAML, or as a Mattermost Playbooks export.

    The YAML imports back unchanged; the JSON is what Mattermost Playbooks imports.
    """
    from prr.playbooks.services import get_playbook, get_version
    from prr.playbooks.yaml_format import to_yaml

    spec = get_version(get_playbook(slug), number).spec
    if target == "mattermost":
        from prr.integrations.mattermost.playbooks import mattermost_json

        click.echo(mattermost_json(spec), nl=False)
    else:
        click.echo(to_yaml(spec), nl=False)


@playbook.command("list")
@json_option
def playbook_list(as_json: bool) -> None:
    """List playbooks with their latest version."""
    from prr.playbooks.schemas import PlaybookOut

    rows = PlaybookOut.list_of()
    if as_json:
        print_json(rows)
        return
    if not rows:
        click.echo("No playbooks yet. Run `prr init` or `prr playbook import FILE`.")
    for row in rows:
        kinds = ", ".join(row.kinds)
        click.echo(f"{row.slug:<16} v{row.latest_version:<4} {row.title} (kinds: {kinds})")

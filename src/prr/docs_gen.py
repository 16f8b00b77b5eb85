"""The parts of the docs the code knows best, written into them by cog (`make docs`).

README.md and docs/webhooks.md each hold one-line cog blocks that call a function here;
tests/test_docs.py fails when a block no longer holds what its function writes now.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import click

# A path such as docs/identity.md in a help text becomes a link in the docs.
DOCS_PATH = re.compile(r"\bdocs/[\w./-]*[\w/]")


def cli_reference() -> str:
    """The top-level commands in a table, then one section and table per command group."""
    from prr.cli import prr

    root = click.Context(prr, info_name="prr")
    commands = [(name, command) for name, command in prr.commands.items() if not command.hidden]
    parts = [_command_table(root, [c for c in commands if not isinstance(c[1], click.Group)])]
    for name, group in commands:
        if isinstance(group, click.Group):
            context = click.Context(group, info_name=name, parent=root)
            parts.append(
                f"### prr {name}\n\n{_markdown(_first_paragraph(group))}\n\n"
                + _command_table(context, list(group.commands.items()))
            )
    return _block("\n".join(parts))


def event_table() -> str:
    """The webhook event types, in the order the review process meets them."""
    from prr.reviews.events import EVENT_DESCRIPTIONS, EVENT_TYPES

    rows = [f"| `{type}` | {_cell(EVENT_DESCRIPTIONS[type])} |" for type in EVENT_TYPES]
    return _block("\n".join(["| type | sent when |", "| --- | --- |", *rows, ""]))


def settings_table() -> str:
    """Every PRR_* setting: its name and default from the code, its meaning from
    `prr.settings_reference`."""
    from prr.settings_reference import SETTINGS

    defaults = literal_defaults()
    rows = ["| variable | default | meaning |", "| --- | --- | --- |"]
    for setting in SETTINGS:
        names = ", ".join(f"`{name}`" for name in setting.names)
        if setting.default is not None:
            default = setting.default
        elif setting.names[0] in defaults:
            default = _default_text(defaults[setting.names[0]]) + setting.default_note
        else:
            raise ValueError(
                f"{setting.names[0]} has no literal default in settings.py; give its "
                "`default` in prr/settings_reference.py"
            )
        rows.append(f"| {names} | {_cell(default)} | {_cell(setting.meaning)} |")
    return _block("\n".join([*rows, ""]))


SETTINGS_MODULE = Path(__file__).with_name("settings.py")


def literal_defaults() -> dict[str, object]:
    """PRR_* name → the default settings.py passes where it reads it, when that is a literal
    (`env_int("PRR_WEBHOOK_TIMEOUT", 10, …)`: 10); a setting read with no default is empty."""
    found: dict[str, object] = {}
    for node in ast.walk(ast.parse(SETTINGS_MODULE.read_text())):
        if not (isinstance(node, ast.Call) and node.args):
            continue
        first = node.args[0]
        if not (isinstance(first, ast.Constant) and isinstance(first.value, str)):
            continue
        name = first.value
        if not name.startswith("PRR_"):
            continue
        reader = node.func.attr if isinstance(node.func, ast.Attribute) else ""
        reader = reader or (node.func.id if isinstance(node.func, ast.Name) else "")
        position = 2 if reader == "env_choice" else 1
        if len(node.args) > position:
            try:
                found[name] = ast.literal_eval(node.args[position])
            except ValueError:
                continue  # computed: settings_reference says it in words
        elif reader in ("env_str", "env_secrets"):
            found[name] = ""
    return found


def _default_text(value: object) -> str:
    if isinstance(value, bool):
        return "`true`" if value else "`false`"
    if isinstance(value, list):
        return "`" + ",".join(str(v) for v in value) + "`"
    if value == "":
        return "empty"
    return f"`{value}`"


def _block(markdown: str) -> str:
    # Blank lines around it keep cog's comment markers out of the tables.
    return f"\n{markdown}\n"


def _command_table(parent: click.Context, commands: list[tuple[str, click.Command]]) -> str:
    lines = ["| command | what it does |", "| --- | --- |"]
    for context, command in _leaves(parent, commands):
        synopsis = _cell(_synopsis(context, command))
        lines.append(f"| `{synopsis}` | {_markdown(_short_help(command))} |")
    return "\n".join([*lines, ""])


def _leaves(
    parent: click.Context, commands: list[tuple[str, click.Command]]
) -> list[tuple[click.Context, click.Command]]:
    """Each command that does something, with its context; subgroups' commands in place."""
    leaves = []
    for name, command in commands:
        if command.hidden:
            continue
        context = click.Context(command, info_name=name, parent=parent)
        if isinstance(command, click.Group):
            leaves.extend(_leaves(context, list(command.commands.items())))
        else:
            leaves.append((context, command))
    return leaves


def _synopsis(context: click.Context, command: click.Command) -> str:
    """`prr review post REF TEXT --as USERNAME [--json]`: arguments, required options, others."""
    arguments = [p.make_metavar(context) for p in command.params if isinstance(p, click.Argument)]
    options = [p for p in command.params if isinstance(p, click.Option) and not p.hidden]
    required = [_option(p) for p in options if p.required]
    optional = [_option(p) for p in options if not p.required]
    return " ".join([context.command_path, *arguments, *required, *optional])


def _option(option: click.Option) -> str:
    name = max(option.opts, key=len)
    if option.is_flag and option.secondary_opts and option.default is True:
        name = max(option.secondary_opts, key=len)  # `--no-serve`: the one that changes something
    text = name if option.is_flag else f"{name} {_metavar(option, name)}"
    if option.multiple:
        text += "..."
    return text if option.required else f"[{text}]"


def _metavar(option: click.Option, name: str) -> str:
    """What to write after the option: its own metavar, else one said by its type or name."""
    kind = option.type
    if option.metavar:
        return option.metavar
    if isinstance(kind, click.Choice):
        return "|".join(str(choice) for choice in kind.choices)
    if isinstance(kind, click.DateTime):
        formats = [
            f.replace("%Y", "YYYY").replace("%m", "MM").replace("%d", "DD") for f in kind.formats
        ]
        return "|".join(formats)
    if isinstance(kind, click.types.IntParamType | click.types.FloatParamType):
        return "N"
    if isinstance(kind, click.File | click.Path):
        return "PATH"
    return name.lstrip("-").replace("-", "_").upper()


def _short_help(command: click.Command) -> str:
    # What `--help` lists for it, on a terminal wide enough for the whole first sentence.
    return command.get_short_help_str(limit=1000)


def _first_paragraph(command: click.Command) -> str:
    text = (command.help or "").partition("\f")[0]  # click hides what follows \f from --help
    return " ".join(text.strip().partition("\n\n")[0].split())


def _markdown(text: str) -> str:
    return DOCS_PATH.sub(lambda m: f"[{m[0]}]({m[0]})", _cell(text))


def _cell(text: str) -> str:
    # A `|` ends a table cell even inside backticks, unless escaped.
    return text.replace("|", r"\|")

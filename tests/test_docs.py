"""The README keeps up with the code: every command and every PRR_* setting is documented.

In the style of datasette's documentation tests: the lists come from the code itself (the
click command tree, the settings modules), so a new command or setting fails here until the
README mentions it.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import click
import pytest

from prr.cli import prr

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
SETTINGS_MODULES = [ROOT / "src/prr/settings.py", ROOT / "src/prr/config.py"]
SETTING_NAME = re.compile(r"PRR_[A-Z0-9_]+")


def command_paths(group: click.Group, prefix: str = "prr") -> list[str]:
    """`prr init`, `prr review show`, …: every command that does something, recursively."""
    paths = []
    for name, command in sorted(group.commands.items()):
        path = f"{prefix} {name}"
        if isinstance(command, click.Group):
            paths.extend(command_paths(command, path))
        else:
            paths.append(path)
    return paths


def settings_read() -> list[str]:
    """Every string in the settings modules that is exactly a PRR_* variable name."""
    names: set[str] = set()
    for module in SETTINGS_MODULES:
        names.update(
            node.value
            for node in ast.walk(ast.parse(module.read_text()))
            if isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and SETTING_NAME.fullmatch(node.value)
        )
    return sorted(names)


COMMANDS = command_paths(prr)
SETTINGS = settings_read()


@pytest.fixture(scope="module")
def readme() -> str:
    return README.read_text()


def test_it_finds_the_commands_and_settings_to_check() -> None:
    # Guards the walkers themselves: an empty list would make the tests below pass vacuously.
    assert {"prr init", "prr user add", "prr team add-member", "prr review show"} <= set(COMMANDS)
    assert {"PRR_DATA_DIR", "PRR_DATABASE_URL", "PRR_SECRET_KEY"} <= set(SETTINGS)


@pytest.mark.parametrize("command", COMMANDS)
def test_it_documents_every_command_in_the_readme(readme: str, command: str) -> None:
    # Whole words: `prr team add` is not documented by `prr team add-member` alone.
    pattern = re.escape(command).replace(r"\ ", r"\s+") + r"(?![\w-])"
    assert re.search(pattern, readme), f"README.md does not mention `{command}`"


@pytest.mark.parametrize("setting", SETTINGS)
def test_it_documents_every_setting_in_the_readme(readme: str, setting: str) -> None:
    assert re.search(rf"\b{setting}\b", readme), f"README.md does not mention {setting}"

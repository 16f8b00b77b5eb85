"""The docs keep up with the code, both ways.

In the style of datasette's documentation tests: the lists come from the code itself (the
click command tree, the settings modules), so a new command or setting fails here until the
README mentions it; a command or setting the docs name must exist, so a removed one cannot
linger there; and the parts of the docs written from the code (`make docs`, with cog) must
be what the code writes now.
"""

from __future__ import annotations

import ast
import difflib
import functools
import re
from pathlib import Path

import click
import pytest
from cogapp import Cog  # type: ignore[import-untyped]  # cogapp ships no type hints

from prr.cli import prr

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
DOCS = [README, *sorted((ROOT / "docs").glob("**/*.md"))]
GENERATED = [README, ROOT / "docs/webhooks.md"]
SETTINGS_MODULES = [ROOT / "src/prr/settings.py", ROOT / "src/prr/config.py"]
SETTING_NAME = re.compile(r"PRR_[A-Z0-9_]+")

# Code spans: fenced blocks, then inline spans between single backticks.
FENCED_BLOCK = re.compile(r"^(```+|~~~+)[^\n]*\n(.*?)^\1[ \t]*$", re.MULTILINE | re.DOTALL)
INLINE_SPAN = re.compile(r"(?<!`)`([^`\n]+)`(?!`)")
# A `prr` that starts a command: at the start of a line or a span, or after `$(`, `|`, `&&`,
# `;` or `=` (ExecStart=), maybe through a path (.venv/bin/prr). Then the words of its path.
COMMAND_START = r"(?:^[ \t]*(?:\$[ \t]+)?|\$\(|[|;&=][ \t]*)(?:\S*bin/)?prr"
COMMAND = re.compile(COMMAND_START + r"((?:[ \t]+[a-z][a-z0-9-]*)+)", re.MULTILINE)


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


def string_constants(paths: list[Path]) -> set[str]:
    """Every string in these Python files that is exactly a PRR_* variable name."""
    names: set[str] = set()
    for path in paths:
        names.update(
            node.value
            for node in ast.walk(ast.parse(path.read_text()))
            if isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and SETTING_NAME.fullmatch(node.value)
        )
    return names


def settings_read() -> list[str]:
    return sorted(string_constants(SETTINGS_MODULES))


@functools.cache
def variables_read() -> frozenset[str]:
    """Every PRR_* name the code reads: prr itself, its tests and benchmarks, the Makefile and
    scripts (PRR_TEST_DATABASE_URL, PRR_CHROMIUM, …). This file does not count."""
    python = [
        path
        for folder in ("src", "tests", "bench")
        for path in (ROOT / folder).glob("**/*.py")
        if path != Path(__file__).resolve()
    ]
    names = string_constants(python)
    for path in [ROOT / "Makefile", *(ROOT / "scripts").iterdir()]:
        names.update(SETTING_NAME.findall(path.read_text()))
    return frozenset(names)


def is_read(name: str, read: frozenset[str]) -> bool:
    if name in read:
        return True
    if name.endswith("_"):  # `PRR_WEBHOOK_*`: some settings of that family
        return any(other.startswith(name) for other in read)
    # The config helpers read NAME_FILE, a file holding NAME's value, for any NAME.
    return name.endswith("_FILE") and name.removesuffix("_FILE") in read


def commands_written(text: str) -> list[str]:
    """`prr review show PRR-2`, …: the commands written in the code spans of a Markdown text,
    each as `prr` and the words that follow it (a path, then maybe its arguments)."""
    spans = [m[2] for m in FENCED_BLOCK.finditer(text)]
    # A shell comment is prose ("# printed once; prr keeps only a hash").
    spans = [re.sub(r"(^|\s)#.*", "", line) for span in spans for line in span.splitlines()]
    spans += INLINE_SPAN.findall(FENCED_BLOCK.sub("", text))
    return ["prr" + m[1] for span in spans for m in COMMAND.finditer(span)]


def unknown_command(written: str) -> str | None:
    """The part of a written command that names no command (`prr review frobnicate`)."""
    command: click.Command = prr
    path = ["prr"]
    for word in written.split()[1:]:
        if not isinstance(command, click.Group):
            return None  # the rest are its arguments
        path.append(word)
        if word not in command.commands:
            return " ".join(path)
        command = command.commands[word]
    return None


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


@pytest.mark.parametrize("path", DOCS, ids=lambda path: str(path.relative_to(ROOT)))
def test_every_setting_the_docs_name_is_read_by_the_code(path: Path) -> None:
    read = variables_read()
    unknown = sorted({n for n in SETTING_NAME.findall(path.read_text()) if not is_read(n, read)})
    assert not unknown, (
        f"{path.relative_to(ROOT)} names {', '.join(unknown)}, which no code reads: "
        "a removed or misspelt setting"
    )


def test_it_tells_a_setting_read_from_one_that_is_not() -> None:
    read = variables_read()
    assert {"PRR_DATA_DIR", "PRR_TEST_DATABASE_URL", "PRR_CHROMIUM"} <= read
    assert is_read("PRR_SECRET_KEY_FILE", read)
    assert is_read("PRR_WEBHOOK_", read)
    assert not is_read("PRR_NO_SUCH_SETTING", read)
    assert not is_read("PRR_NO_SUCH_SETTING_FILE", read)


@pytest.mark.parametrize("path", DOCS, ids=lambda path: str(path.relative_to(ROOT)))
def test_every_command_the_docs_write_exists(path: Path) -> None:
    written = commands_written(path.read_text())
    unknown = sorted({u for w in written if (u := unknown_command(w))})
    assert not unknown, (
        f"{path.relative_to(ROOT)} writes {', '.join(f'`{u}`' for u in unknown)}, "
        "which is not a prr command"
    )


def test_it_finds_the_commands_written_in_code_spans() -> None:
    text = (
        "Run `prr review show PRR-2`, or `.venv/bin/prr user list --json`.\n\n"
        "```sh\n"
        "TOKEN=$(prr token create --as dana --name laptop | tail -1)\n"
        "prr review frobnicate PRR-1   # prr keeps only a hash\n"
        "/prr link PRR-12\n"
        "```\n\n"
        "prr is a service; ``prr does not know you`` is a reply.\n"
    )
    written = commands_written(text)
    # Words in lower case only: `PRR-1` and `--json` are arguments and options.
    assert written == [
        "prr token create",
        "prr review frobnicate",
        "prr review show",
        "prr user list",
    ]
    assert [unknown_command(w) for w in written] == [None, "prr review frobnicate", None, None]
    webhooks = commands_written((ROOT / "docs/webhooks.md").read_text())
    assert any(w.startswith("prr webhook add ") for w in webhooks)


@pytest.mark.parametrize("path", GENERATED, ids=lambda path: str(path.relative_to(ROOT)))
def test_the_docs_written_from_the_code_are_up_to_date(path: Path) -> None:
    text = path.read_text()
    assert "[[[cog" in text, f"{path.relative_to(ROOT)} has lost its cog blocks"
    expected = Cog().process_string(text, str(path))
    diff = "".join(
        difflib.unified_diff(
            text.splitlines(keepends=True),
            expected.splitlines(keepends=True),
            f"{path.relative_to(ROOT)} (now)",
            f"{path.relative_to(ROOT)} (from the code)",
        )
    )
    assert not diff, f"{path.relative_to(ROOT)} is stale: run `make docs`.\n{diff}"


def test_the_settings_table_lists_exactly_the_settings_the_code_reads() -> None:
    # The README's Configuration table is generated from prr.settings_reference: every
    # setting read in settings.py / config.py has a row, and every row's names are read.
    from prr.settings_reference import SETTINGS as DOCUMENTED

    documented = [name for setting in DOCUMENTED for name in setting.names]
    assert len(documented) == len(set(documented)), "a setting is documented twice"
    assert sorted(set(SETTINGS) - set(documented)) == [], "settings with no row in the table"
    read = variables_read()
    assert sorted(n for n in documented if not is_read(n, read)) == [], "rows no code reads"


def test_the_settings_table_takes_its_defaults_from_the_code() -> None:
    from prr.docs_gen import literal_defaults, settings_table

    defaults = literal_defaults()
    assert defaults["PRR_WEBHOOK_TIMEOUT"] == 10
    assert defaults["PRR_DEBUG"] is False
    assert defaults["PRR_SMTP_TLS"] == "starttls"
    assert defaults["PRR_MATTERMOST_WEBHOOK_URL"] == ""
    assert "PRR_DATABASE_URL" not in defaults  # computed: the reference says it in words
    table = settings_table()
    assert "| `PRR_WEBHOOK_TIMEOUT` | `10` |" in table
    assert "| `PRR_MATTERMOST_WEBHOOK_TOKENS` | empty (off) |" in table
    assert "| `PRR_ALLOWED_HOSTS` | `localhost,127.0.0.1,[::1]` |" in table

"""The note prr writes at the end of an item's description, and reads back on import.

Mattermost's own Export (server/app/export.go) keeps only the fields tagged `export` in
server/app/playbook.go and leaves out zero values: an item's `task_actions` never survive it,
its `description` and `command` do. So prr writes what it needs to rebuild an item (key, owner,
phrases…) on a note line at the end of the description (`write_note`, `read_note`), and notes
an item's command on a line of its own (`command_line`, `split_command`), since a prr item
keeps its command in its description.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from prr.integrations.mattermost.playbooks.keys import KEY
from prr.playbooks.spec import DRI, KINDS, Item

NOTE_PREFIX = "prr: "
COMMAND_PREFIX = "Mattermost command: "
# A Markdown code span (CommonMark): a run of backticks, the text, the same run again.
_CODE_SPAN = re.compile(r"(?<!`)(`+)(?!`)(.+?)(?<!`)\1(?!`)")
_HOLE = "\x00"  # stands for a code span while a note line is split into its parts


def _code(text: str) -> str:
    """`text` as a Markdown code span, even when it holds backticks: CommonMark's way, a fence
    longer than any run inside and a space of padding next to a backtick at either end."""
    fence = "`" * (max((len(run) for run in re.findall("`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _uncode(fence: str, body: str) -> str | None:
    """The text of a code span, or None when its body holds its own fence (not one span)."""
    if fence in re.findall("`+", body):
        return None
    if len(body) > 2 and body.startswith(" ") and body.endswith(" ") and body.strip():
        return body[1:-1]
    return body


def _only_code_span(text: str) -> str | None:
    match = re.fullmatch(r"(`+)(.+)\1", text)
    return _uncode(match.group(1), match.group(2)) if match else None


@dataclass(frozen=True)
class Note:
    key: str | None = None
    owner: str | None = None
    required: bool | None = None
    allow_na: bool | None = None
    kinds: tuple[str, ...] | None = None
    done: tuple[str, ...] = ()
    reopen: tuple[str, ...] = ()


def write_note(item: Item) -> str:
    parts = [f"key `{item.key}`", f"owner `{item.owner}`"]
    parts.append("required" if item.required else "optional")
    if item.allow_na != (item.owner == DRI):
        parts.append("n/a allowed" if item.allow_na else "n/a not allowed")
    if item.kinds:
        parts.append("kinds " + ", ".join(item.kinds))
    for then in ("done", "reopen"):
        phrases = [p for action in item.task_actions if action.then == then for p in action.phrases]
        if phrases:
            parts.append(f"{then} " + ", ".join(_code(phrase) for phrase in phrases))
    return NOTE_PREFIX + " · ".join(parts)


def read_note(description: str) -> tuple[str, Note | None]:
    """The description without prr's note line, and the note; a line that does not parse stays."""
    body, _, last = description.rstrip().rpartition("\n")
    if not last.startswith(NOTE_PREFIX + "key `") or _HOLE in last:
        return description, None
    # Phrases are code spans and may hold " · " or ", ": set them aside before splitting.
    spans: list[str | None] = []

    def hole(match: re.Match[str]) -> str:
        spans.append(_uncode(match.group(1), match.group(2)))
        return _HOLE

    shape = _CODE_SPAN.sub(hole, last.removeprefix(NOTE_PREFIX))
    if None in spans:
        return description, None
    texts = iter(span for span in spans if span is not None)
    values: dict[str, Any] = {}
    for part in shape.split(" · "):
        word = part.split(" ", 1)[0]
        quoted = tuple(next(texts) for _ in range(part.count(_HOLE)))
        if word in ("key", "owner") and part == f"{word} {_HOLE}" and KEY.match(quoted[0]):
            values[word] = quoted[0]
        elif part in ("required", "optional"):
            values["required"] = part == "required"
        elif part in ("n/a allowed", "n/a not allowed"):
            values["allow_na"] = part == "n/a allowed"
        elif word == "kinds" and set(kinds := tuple(part[6:].split(", "))) <= set(KINDS):
            values["kinds"] = kinds
        elif (
            word in ("done", "reopen")
            and quoted
            and part == f"{word} " + ", ".join(_HOLE for _ in quoted)
        ):
            values[word] = quoted
        else:
            return description, None
    return body.rstrip(), Note(**values)


def command_line(command: str) -> str:
    return COMMAND_PREFIX + _code(command)


def split_command(description: str) -> tuple[str, str]:
    """The description without its last line when that line is a noted command, and the
    command (or "")."""
    body, _, last = description.rstrip().rpartition("\n")
    if last.startswith(COMMAND_PREFIX):
        command = _only_code_span(last.removeprefix(COMMAND_PREFIX).rstrip())
        if command and command.strip():
            return body.rstrip(), command
    return description, ""

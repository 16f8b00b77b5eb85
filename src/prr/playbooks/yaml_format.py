"""Playbooks as files: YAML (or JSON, a subset of YAML) in, YAML out, errors with paths."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from typing import Any

import yaml
from pydantic import ValidationError

from prr.errors import InvalidInput
from prr.playbooks.spec import PlaybookSpec

MAX_FILE_BYTES = 1_000_000
# Values in the playbook once its aliases (`*name`) are expanded. The default playbook has
# about 700; a file of aliases of aliases ("billion laughs") could otherwise make 10 KB
# expand to billions, which validation and storage would each walk.
MAX_EXPANDED_VALUES = 100_000


def expanded_size(root: yaml.Node, limit: int) -> int:
    """How many values `root` stands for with every alias written out, counted up to `limit`
    (each node once: cost linear in the file); ValueError for an alias inside itself."""
    sizes: dict[int, int] = {}
    on_path: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        if children_done:
            on_path.discard(key)
            sizes[key] = min(limit + 1, 1 + sum(sizes[id(c)] for c in _children(node)))
            continue
        if key in sizes:
            continue
        if key in on_path:
            raise ValueError("an alias refers to a value that contains it")
        on_path.add(key)
        stack.append((node, True))
        stack.extend((child, False) for child in _children(node) if id(child) not in sizes)
    return sizes[id(root)]


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []


class _UniqueKeyLoader(yaml.SafeLoader):
    """SafeLoader that refuses a mapping with the same key twice (YAML keeps the last), and a
    document whose aliases expand it beyond MAX_EXPANDED_VALUES."""

    def construct_document(self, node: yaml.Node) -> Any:
        try:
            size = expanded_size(node, MAX_EXPANDED_VALUES)
        except ValueError as exc:
            raise InvalidInput(_invalid(node.start_mark, str(exc))) from None
        if size > MAX_EXPANDED_VALUES:
            raise InvalidInput(
                f"The playbook expands to more than {MAX_EXPANDED_VALUES:,} values through its "
                "aliases (*name): refused, as a file of aliases of aliases would take the server "
                "down. Write the repeated parts out, or use fewer aliases."
            )
        return super().construct_document(node)

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if not isinstance(key, str | int | float | bool | None):
                raise InvalidInput(_invalid(key_node.start_mark, "a key must be a plain name"))
            if key in seen:
                raise InvalidInput(
                    _invalid(key_node.start_mark, f"the key '{key}' appears twice in one mapping")
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def _invalid(mark: yaml.Mark | None, problem: str | None) -> str:
    where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
    return f"The playbook is not valid YAML: {where}{problem}"


def _path(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


_PATH_PART = re.compile(r"\[(\d+)\]|\.?([A-Za-z_][\w-]*)")


def path_parts(path: str) -> tuple[int | str, ...]:
    """`checklists[1].items[0].owner` as ("checklists", 1, "items", 0, "owner")."""
    return tuple(int(i) if i else name for i, name in _PATH_PART.findall(path))


def line_finder(text: str) -> Callable[[tuple[int | str, ...]], int | None]:
    """For a path into the file's data, the line (from 1) that holds it, or the nearest line
    above it that exists (a missing field: its mapping's line); None when the text is not YAML
    at all (then the data came from elsewhere)."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        root = None

    def line(loc: tuple[int | str, ...]) -> int | None:
        if root is None:
            return None
        node: yaml.Node = root
        found: yaml.Node = root
        for part in loc:
            if isinstance(node, yaml.MappingNode) and isinstance(part, str):
                pair = next((kv for kv in node.value if kv[0].value == part), None)
                if pair is None:
                    break
                found, node = pair
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
                if not 0 <= part < len(node.value):
                    break
                found = node = node.value[part]
            else:
                break
        return int(found.start_mark.line) + 1

    return line


def with_line(problem: str, loc: tuple[int | str, ...], line: Callable[..., int | None]) -> str:
    number = line(loc)
    return f"line {number}: {problem}" if number is not None else problem


def describe_errors(
    exc: ValidationError, line: Callable[[tuple[int | str, ...]], int | None] | None = None
) -> list[str]:
    """One 'path: problem' line per error, in the file's own terms; with `line`, each starts
    with the line of the file it is about (`line 12: checklists[0].items[1].title: …`)."""
    lines = []
    for error in exc.errors():
        loc = tuple(part for part in error["loc"] if part not in ("function-after",))
        message = error["msg"].removeprefix("Value error, ")
        if error["type"] == "extra_forbidden":
            message = "unknown field"
        path = _path(loc)
        if path:
            problem = f"{path}: {message}"
            lines.append(with_line(problem, loc, line) if line else problem)
        else:
            for part in message.split("; "):
                # A problem found across the file names its own path first ("sections[1].key:").
                where = path_parts(part.split(":", 1)[0]) if ":" in part else ()
                lines.append(with_line(part, where, line) if line and where else part)
    return lines


def read_file_text(data: str | bytes, what: str = "The playbook file") -> str:
    """An uploaded playbook file as text: refused when too big or not UTF-8 (a BOM is dropped)."""
    size = len(data) if isinstance(data, bytes) else len(data.encode("utf-8", "replace"))
    if size > MAX_FILE_BYTES:
        raise InvalidInput(f"{what} is larger than {MAX_FILE_BYTES:,} bytes.")
    if isinstance(data, bytes):
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise InvalidInput(f"{what} is not UTF-8 text.") from None
    return data


def parse_spec(text: str | bytes) -> PlaybookSpec:
    text = read_file_text(text)
    if not text.strip():
        raise InvalidInput("The playbook is empty; expected YAML or JSON with slug, title, …")
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise InvalidInput(f"The playbook contains a NUL character (\\x00) on line {line}.")
    try:
        data = yaml.load(text, Loader=_UniqueKeyLoader)
    except RecursionError:
        raise InvalidInput("The playbook is not valid YAML: it is nested too deeply.") from None
    except yaml.MarkedYAMLError as exc:
        raise InvalidInput(_invalid(exc.problem_mark, exc.problem)) from None
    except yaml.YAMLError as exc:
        raise InvalidInput(f"The playbook is not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise InvalidInput("The playbook must be a mapping with slug, title, sections, checklists.")
    try:
        return PlaybookSpec.model_validate(data)
    except ValidationError as exc:
        problems = describe_errors(exc, line_finder(text))
        raise InvalidInput(
            "The playbook is invalid:\n" + "\n".join(f"  {line}" for line in problems),
            details=problems,
        ) from None


def canonical_json(spec: PlaybookSpec) -> dict[str, Any]:
    data: dict[str, Any] = spec.model_dump(mode="json")
    return data


def digest(spec: PlaybookSpec) -> str:
    payload = json.dumps(canonical_json(spec), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(payload.encode()).hexdigest()


def to_yaml(spec: PlaybookSpec) -> str:
    data = spec.model_dump(mode="json", exclude_defaults=True)
    # Keep the key order of the format (slug, title, …), not alphabetical order.
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)

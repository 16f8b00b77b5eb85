"""Playbooks as files: YAML (or JSON, a subset of YAML) in, YAML out, errors with paths."""

from __future__ import annotations

import hashlib
import json
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


def describe_errors(exc: ValidationError) -> list[str]:
    """One 'path: problem' line per error, in the file's own terms."""
    lines = []
    for error in exc.errors():
        loc = tuple(part for part in error["loc"] if part not in ("function-after",))
        message = error["msg"].removeprefix("Value error, ")
        if error["type"] == "extra_forbidden":
            message = "unknown field"
        elif error["type"] == "literal_error" and "kinds" in loc:
            message = f"unknown kind {error['input']!r}; {message.lower()}"
        path = _path(loc)
        if path:
            lines.append(f"{path}: {message}")
        else:
            lines.extend(part for part in message.split("; "))
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
        problems = describe_errors(exc)
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

"""PATCH requests (RFC 7644 §3.5.2) read into plain operations, whatever their dialect.

Okta sends lower-case ops, often with no path and the changes in `value`; Entra ID sends
`Add`, `Replace` and `Remove`, string booleans and filtered paths. Both become `Operation`s.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from prr.integrations.scim.filters import Path, parse_path
from prr.integrations.scim.protocol import PATCH_SCHEMA, ScimError, invalid_path, invalid_value

OPS = ("add", "remove", "replace")
MAX_OPERATIONS = 1000


@dataclass(frozen=True)
class Operation:
    op: str  # add, remove or replace
    path: Path | None
    value: Any
    raw_path: str = ""


def parse_patch(body: dict[str, Any]) -> list[Operation]:
    if PATCH_SCHEMA not in body.get("schemas", []):
        raise invalid_value(f"A PATCH body must list the schema '{PATCH_SCHEMA}'.")
    raw_ops = body.get("Operations", body.get("operations"))
    if not isinstance(raw_ops, list) or not raw_ops:
        raise invalid_value("A PATCH body needs a non-empty 'Operations' list.")
    if len(raw_ops) > MAX_OPERATIONS:
        raise invalid_value(f"A PATCH has at most {MAX_OPERATIONS} operations.")
    operations = []
    for raw in raw_ops:
        if not isinstance(raw, dict):
            raise invalid_value("Each operation must be a JSON object.")
        op = str(raw.get("op", "")).lower()
        if op not in OPS:
            raise invalid_value(f"Unknown op {raw.get('op')!r}; use add, remove or replace.")
        raw_path = raw.get("path")
        if raw_path is not None and (not isinstance(raw_path, str) or not raw_path.strip()):
            raise invalid_path("'path' must be a non-empty string.")
        path = parse_path(raw_path) if raw_path else None
        if path is None and op == "remove":
            raise ScimError(400, "A 'remove' operation needs a path.", "noTarget")
        if path is None and not isinstance(raw.get("value"), dict):
            raise invalid_value(f"An '{op}' with no path needs an object as its value.")
        if op != "remove" and "value" not in raw:
            raise invalid_value(f"An '{op}' operation needs a value.")
        operations.append(Operation(op, path, raw.get("value"), raw_path or ""))
    return operations

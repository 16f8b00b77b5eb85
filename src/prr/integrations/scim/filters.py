"""The filters and PATCH paths that Okta and Entra ID send, and nothing more.

Both send only `attribute eq "value"` filters on lists (`userName eq "…"`, `displayName eq
"…"`, `externalId eq "…"`) and paths of the form `members`, `name.givenName` or
`members[value eq "…"]`. Anything else is refused with `invalidFilter` or `invalidPath`, so
an unsupported query never silently returns everything.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from prr.integrations.scim.protocol import (
    ENTERPRISE_USER_SCHEMA,
    GROUP_SCHEMA,
    USER_SCHEMA,
    invalid_filter,
    invalid_path,
)

_ATTR = r"[A-Za-z][\w$-]*(?:\.[A-Za-z][\w$-]*)?"
_STRING = r'"(?:[^"\\]|\\.)*"'
_EQ = rf"\s*({_ATTR})\s+eq\s+({_STRING}|true|false)\s*"
FILTER_RE = re.compile(rf"^{_EQ}$", re.IGNORECASE)
PATH_RE = re.compile(
    rf"^({_ATTR})(?:\[{_EQ}\](?:\.([A-Za-z][\w$-]*))?)?$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Equals:
    """`attribute eq value`; the attribute in lower case (SCIM names ignore case)."""

    attribute: str
    value: str


@dataclass(frozen=True)
class Path:
    """`attribute[.sub]`, or `attribute[filter].sub`; names in lower case."""

    attribute: str
    where: Equals | None = None
    sub: str | None = None


def _literal(raw: str) -> str:
    if raw.startswith('"'):
        value = json.loads(raw)
        assert isinstance(value, str)
        return value
    return raw.lower()


def parse_filter(raw: str, allowed: dict[str, str]) -> Equals:
    """`allowed` maps each attribute in lower case to its SCIM spelling."""
    match = FILTER_RE.match(raw)
    if match is None:
        raise invalid_filter(
            f"Unsupported filter '{raw}': prr understands `attribute eq \"value\"` on "
            f"{', '.join(allowed.values())}."
        )
    attribute = match.group(1).lower()
    if attribute not in allowed:
        raise invalid_filter(
            f"Cannot filter on '{match.group(1)}'; filterable: {', '.join(allowed.values())}."
        )
    return Equals(attribute, _literal(match.group(2)))


def strip_schema(name: str) -> str:
    """`urn:…:core:2.0:User:userName` is `userName` (Entra ID sometimes sends the long form)."""
    for schema in (USER_SCHEMA, GROUP_SCHEMA):
        if name.lower().startswith(schema.lower() + ":"):
            return name[len(schema) + 1 :]
    return name


def parse_path(raw: str) -> Path:
    if raw.strip().lower().startswith(ENTERPRISE_USER_SCHEMA.lower()):
        # The enterprise extension (department, manager, …): its attribute is the whole URN.
        return Path(raw.strip().lower())
    match = PATH_RE.match(strip_schema(raw.strip()))
    if match is None:
        raise invalid_path(f"Unsupported path '{raw}'.")
    attribute, sub = match.group(1).lower(), match.group(4)
    if "." in attribute:
        if match.group(2):
            raise invalid_path(f"Unsupported path '{raw}'.")
        attribute, sub = attribute.split(".", 1)
    where = Equals(match.group(2).lower(), _literal(match.group(3))) if match.group(2) else None
    return Path(attribute, where, sub.lower() if sub else None)

"""Reading groups and their members from an LDAP server or Active Directory (ldap3).

Only reads: prr binds with the configured account, searches, and unbinds. Members are read the
three ways directories store them: `member` and `uniqueMember` hold DNs (groupOfNames,
groupOfUniqueNames, AD's group), `memberUid` holds login names (RFC 2307 posixGroup). With
PRR_LDAP_NESTED_GROUPS a member that is itself a group is followed, once per group, so a cycle
ends; AD's LDAP_MATCHING_RULE_IN_CHAIN would do it on the server, but OpenLDAP lacks it.
"""

from __future__ import annotations

import re
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Literal

from ldap3 import BASE, NONE, SUBTREE, Connection, Server, Tls
from ldap3.core import exceptions as ldap_errors
from ldap3.utils.conv import escape_filter_chars
from ldap3.utils.dn import parse_dn

from prr.errors import PrrError
from prr.integrations.ldap.config import LdapSettings, is_dn

CONNECT_TIMEOUT = 10  # seconds to open the connection
RECEIVE_TIMEOUT = 60  # seconds to wait for one answer
MEMBER_ATTRIBUTES = ["member", "uniqueMember", "memberUid"]
GROUP_CLASSES = {"groupofnames", "groupofuniquenames", "posixgroup", "group"}
# AD's userAccountControl flag ACCOUNTDISABLE (MS-ADTS 2.2.16).
ACCOUNT_DISABLED = 0x2
UIDS_PER_SEARCH = 50
# A uniqueMember value may carry an optional bit-string UID after the DN (RFC 4517 §3.3.21).
UNIQUE_MEMBER_UID = re.compile(r"#'[01]*'B$")


class DirectoryError(PrrError):
    """The LDAP server cannot be reached, refuses the bind, or refuses a search."""

    code = "directory_unavailable"


@dataclass(frozen=True)
class Person:
    """A directory entry that names a person, as prr needs it."""

    dn: str
    username: str
    display_name: str
    email: str
    disabled: bool


@dataclass
class GroupMembers:
    """Who a group holds, after following nested groups when enabled."""

    dn: str
    people: list[Person] = field(default_factory=list)
    # Member values that named no person, each with the reason ("…: no such entry").
    skipped: list[str] = field(default_factory=list)


class GroupNotFound(Exception):
    """The linked group is not in the directory (or not only once): the team stays as it is."""


def normal_dn(dn: str) -> str:
    """A DN in one spelling, to compare DNs: `CN=Sre, OU=Groups` is `cn=sre,ou=groups`."""
    try:
        return ",".join(f"{attr.lower()}={value.lower()}" for attr, value, _sep in parse_dn(dn))
    except ldap_errors.LDAPInvalidDnError:
        return dn.strip().lower()


def _reason(exc: ldap_errors.LDAPException) -> str:
    """`insufficientAccessRights: no read access`, not ldap3's whole result tuple."""
    if isinstance(exc, ldap_errors.LDAPOperationResult):
        return ": ".join(str(p) for p in (exc.description, exc.message) if p)
    return str(exc)


def _first(attributes: Any, name: str) -> str:
    values = attributes.get(name) or []
    if not isinstance(values, list):
        values = [values]
    return str(values[0]).strip() if values else ""


def _all(attributes: Any, name: str) -> list[str]:
    values = attributes.get(name) or []
    return [str(v) for v in (values if isinstance(values, list) else [values])]


class LdapReader:
    """Searches over one bound connection; entries read by DN are cached for the whole sync."""

    def __init__(self, connection: Connection, config: LdapSettings) -> None:
        self.connection = connection
        self.config = config
        self.username_attribute = config.username_attribute
        self._entries: dict[str, dict[str, Any] | None] = {}

    def _search(
        self,
        base: str,
        search_filter: str,
        scope: Literal["BASE", "LEVEL", "SUBTREE"],
        attributes: list[str],
    ) -> list[dict[str, Any]]:
        try:
            self.connection.search(base, search_filter, scope, attributes=attributes)
        except (ldap_errors.LDAPNoSuchObjectResult, ldap_errors.LDAPInvalidDNSyntaxResult):
            # A member value that names nothing (or is no DN at all) is one skipped member,
            # not a reason to stop the sync of every team.
            return []
        except ldap_errors.LDAPCommunicationError as exc:
            raise DirectoryError(
                f"Lost the connection to the LDAP server {self.config.url} while reading "
                f"'{base}' ({exc}); nothing was changed."
            ) from exc
        except ldap_errors.LDAPException as exc:
            raise DirectoryError(
                f"The LDAP server {self.config.url} refused a search under '{base}' "
                f"({_reason(exc)}); nothing was changed."
            ) from exc
        return [r for r in self.connection.response or [] if r.get("type") == "searchResEntry"]

    def _entry(self, dn: str) -> dict[str, Any] | None:
        key = normal_dn(dn)
        if key not in self._entries:
            found = self._search(
                dn,
                "(objectClass=*)",
                BASE,
                [
                    "objectClass",
                    self.username_attribute,
                    "cn",
                    "displayName",
                    "mail",
                    "userAccountControl",
                    *MEMBER_ATTRIBUTES,
                ],
            )
            self._entries[key] = found[0] if found else None
        return self._entries[key]

    def check_bases(self) -> None:
        """Refuse a base DN the server does not have: every group would be "not found"."""
        for setting, base in (
            ("PRR_LDAP_USER_BASE_DN", self.config.user_base),
            ("PRR_LDAP_GROUP_BASE_DN", self.config.group_base),
        ):
            if not self._search(base, "(objectClass=*)", BASE, ["objectClass"]):
                raise DirectoryError(
                    f"{setting} '{base}' is not in the directory (or the bind account cannot "
                    "read it); nothing was changed."
                )

    def find_group(self, group: str) -> dict[str, Any]:
        """The group by DN, or by cn under PRR_LDAP_GROUP_BASE_DN."""
        attributes = ["cn", "objectClass", *MEMBER_ATTRIBUTES]
        if is_dn(group):
            found = self._search(group, self.config.group_filter, BASE, attributes)
            if not found:
                raise GroupNotFound("not found (no entry at that DN matches PRR_LDAP_GROUP_FILTER)")
            return found[0]
        base = self.config.group_base
        name = escape_filter_chars(group)
        found = self._search(base, f"(&{self.config.group_filter}(cn={name}))", SUBTREE, attributes)
        if not found:
            raise GroupNotFound(f"not found under {base}")
        if len(found) > 1:
            raise GroupNotFound(
                f"is ambiguous: {len(found)} groups have that cn under {base}; link the team by DN"
            )
        return found[0]

    def group_members(self, group: str) -> GroupMembers:
        entry = self.find_group(group)
        members = GroupMembers(dn=entry["dn"])
        seen_groups = {normal_dn(entry["dn"])}
        seen_people: set[str] = set()
        pending = [entry]
        while pending:
            attributes = pending.pop()["attributes"]
            dns = _all(attributes, "member") + [
                UNIQUE_MEMBER_UID.sub("", v) for v in _all(attributes, "uniqueMember")
            ]
            uids = _all(attributes, "memberUid")
            for dn in dns:
                found = self._entry(dn)
                if found is None:
                    members.skipped.append(f"{dn}: no such entry")
                elif self._is_group(found):
                    if not self.config.nested_groups:
                        members.skipped.append(f"{dn}: a group (PRR_LDAP_NESTED_GROUPS is off)")
                    elif normal_dn(found["dn"]) not in seen_groups:
                        seen_groups.add(normal_dn(found["dn"]))
                        pending.append(found)
                else:
                    self._add_person(members, seen_people, found)
            for person in self._people_by_uid(members, uids):
                self._add_person(members, seen_people, person)
        return members

    def _is_group(self, entry: dict[str, Any]) -> bool:
        attributes = entry["attributes"]
        classes = {c.lower() for c in _all(attributes, "objectClass")}
        return bool(classes & GROUP_CLASSES) or any(attributes.get(a) for a in MEMBER_ATTRIBUTES)

    def _add_person(self, members: GroupMembers, seen: set[str], entry: dict[str, Any]) -> None:
        dn, attributes = entry["dn"], entry["attributes"]
        base = normal_dn(self.config.user_base)
        if not (normal_dn(dn) == base or normal_dn(dn).endswith("," + base)):
            members.skipped.append(f"{dn}: outside PRR_LDAP_USER_BASE_DN")
            return
        username = _first(attributes, self.username_attribute)
        if not username:
            members.skipped.append(f"{dn}: has no {self.username_attribute}")
            return
        if normal_dn(dn) in seen:
            return
        seen.add(normal_dn(dn))
        control = _first(attributes, "userAccountControl")
        members.people.append(
            Person(
                dn=dn,
                username=username,
                display_name=_first(attributes, "displayName") or _first(attributes, "cn"),
                email=_first(attributes, "mail"),
                disabled=control.isdigit() and bool(int(control) & ACCOUNT_DISABLED),
            )
        )

    def _people_by_uid(self, members: GroupMembers, uids: list[str]) -> list[dict[str, Any]]:
        """memberUid values are login names (RFC 2307): the people whose uid they are."""
        found: dict[str, dict[str, Any]] = {}
        for start in range(0, len(uids), UIDS_PER_SEARCH):
            chunk = uids[start : start + UIDS_PER_SEARCH]
            either = "".join(f"(uid={escape_filter_chars(u)})" for u in chunk)
            for entry in self._search(
                self.config.user_base,
                f"(|{either})",
                SUBTREE,
                ["uid", self.username_attribute, "cn", "displayName", "mail", "userAccountControl"],
            ):
                found[_first(entry["attributes"], "uid").lower()] = entry
        for uid in uids:
            if uid.lower() not in found:
                members.skipped.append(f"memberUid {uid}: no uid={uid} under the user base")
        return [found[u.lower()] for u in uids if u.lower() in found]


@contextmanager
def open_directory(config: LdapSettings) -> Iterator[LdapReader]:
    """A connection bound as PRR_LDAP_BIND_DN (anonymous without one), unbound at the end."""
    # ldap3 checks no certificate unless told to: prr always checks, against the system's
    # authorities or PRR_LDAP_CA_FILE.
    tls = Tls(validate=ssl.CERT_REQUIRED, ca_certs_file=config.ca_file or None)
    server = Server(config.url, get_info=NONE, connect_timeout=CONNECT_TIMEOUT, tls=tls)
    connection = Connection(
        server,
        user=config.bind_dn or None,
        password=config.bind_password or None,
        read_only=True,
        raise_exceptions=True,
        receive_timeout=RECEIVE_TIMEOUT,
        # AD returns at most 1500 values of `member` at once; ldap3 fetches the other ranges.
        auto_range=True,
    )
    try:
        connection.open()
        if config.start_tls:
            connection.start_tls()
        connection.bind()
    except ldap_errors.LDAPInvalidCredentialsResult:
        connection.unbind()
        raise DirectoryError(
            f"The LDAP server {config.url} refused the bind as '{config.bind_dn}': wrong "
            "PRR_LDAP_BIND_DN or PRR_LDAP_BIND_PASSWORD; nothing was changed."
        ) from None
    except ldap_errors.LDAPCommunicationError as exc:
        raise DirectoryError(
            f"Cannot reach the LDAP server {config.url} ({exc}); nothing was changed."
        ) from exc
    except ldap_errors.LDAPException as exc:
        connection.unbind()
        raise DirectoryError(
            f"The LDAP server {config.url} refused the connection ({_reason(exc)}); "
            "nothing was changed."
        ) from exc
    try:
        yield LdapReader(connection, config)
    finally:
        connection.unbind()

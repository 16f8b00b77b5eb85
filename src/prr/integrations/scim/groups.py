"""Groups as the identity provider pushes them, each keeping one prr team.

A pushed group whose displayName is a team's slug or name (ignoring case), or the group a
team was already linked to with `prr team link --source scim`, keeps that team; any other
group becomes a new team. From then on only the group changes the team's members. Deleting
the group unlinks the team and ends its memberships; the team and its history stay.
"""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet

from prr.integrations.scim.filters import Path, parse_filter
from prr.integrations.scim.models import ScimGroup, ScimUser
from prr.integrations.scim.patch import Operation, parse_patch
from prr.integrations.scim.protocol import (
    invalid_path,
    invalid_value,
    not_found,
    uniqueness,
)
from prr.integrations.scim.sync import SOURCE, sync_team
from prr.teams.directory import (
    GROUP_MAX_CHARS,
    apply_group_members,
    link_team,
    teams_of,
    unlink_team,
)
from prr.teams.models import Source, Team
from prr.teams.services import create_team

GROUP_FILTERS = {"displayname": "displayName", "externalid": "externalId", "id": "id"}
TEAM_NAME_MAX = 100


def get_scim_group(scim_id: str) -> ScimGroup:
    try:
        return ScimGroup.objects.select_related("team").get(scim_id=scim_id)
    except (ScimGroup.DoesNotExist, ValidationError):
        raise not_found("Group", scim_id) from None


def find_scim_groups(raw_filter: str | None) -> QuerySet[ScimGroup]:
    groups = ScimGroup.objects.select_related("team")
    if not raw_filter:
        return groups
    where = parse_filter(raw_filter, GROUP_FILTERS)
    if where.attribute == "displayname":
        return groups.filter(display_name__iexact=where.value)
    if where.attribute == "externalid":
        return groups.filter(external_id=where.value)
    try:
        return groups.filter(scim_id=where.value)
    except ValidationError:
        return groups.none()


def _display_name(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise invalid_value("displayName is required (a non-empty string).")
    if len(value.strip()) > GROUP_MAX_CHARS:
        raise invalid_value(f"displayName is at most {GROUP_MAX_CHARS} characters.")
    return value.strip()


def _external_id(value: Any) -> str:
    if value is None:
        return ""
    if not isinstance(value, str) or len(value) > 255:
        raise invalid_value("externalId must be a string of at most 255 characters.")
    return value.strip()


def _member_ids(value: Any) -> list[str]:
    """`[{"value": "<id>", "display": "…"}, …]` as Okta and Entra ID send members."""
    if value is None:
        return []
    if isinstance(value, dict):
        value = [value]
    if not isinstance(value, list) or not all(
        isinstance(m, dict) and isinstance(m.get("value"), str) for m in value
    ):
        raise invalid_value("'members' must be a list of objects with a string 'value'.")
    return [m["value"] for m in value]


def _resolve(ids: list[str]) -> set[ScimUser]:
    found: dict[str, ScimUser] = {}
    for scim_id in dict.fromkeys(ids):
        try:
            member = ScimUser.objects.filter(scim_id=scim_id, deleted_at=None).first()
        except ValidationError:
            member = None
        if member is None:
            raise invalid_value(f"No SCIM user with id '{scim_id}' to be a member.")
        found[scim_id] = member
    return set(found.values())


def _ensure_name_free(name: str, group: ScimGroup | None = None) -> None:
    taken = ScimGroup.objects.filter(display_name__iexact=name)
    if group is not None:
        taken = taken.exclude(pk=group.pk)
    if taken.exists():
        raise uniqueness(f"A group named '{name}' already exists.")


def _team_for(name: str) -> Team:
    """The team the group keeps: one linked to it already, one named like it, or a new one."""
    linked = teams_of(SOURCE, name)
    if linked:
        return linked[0]
    named = Team.objects.filter(Q(slug__iexact=name) | Q(name__iexact=name)).order_by("pk")
    team = next((t for t in named if t.slug == name.lower()), None) or named.first()
    if team is None:
        return create_team(_free_slug(name), name=name[:TEAM_NAME_MAX])
    keeper = ScimGroup.objects.filter(team=team).first()
    if keeper is not None:
        raise uniqueness(f"Team {team.name} is already kept by group '{keeper.display_name}'.")
    if team.is_directory_managed:
        label = Source(team.directory_source).label
        raise uniqueness(
            f"Team {team.name} is kept by {label} group '{team.directory_group}'; unlink it "
            f"(`prr team unlink {team.slug}`) before SCIM can keep it."
        )
    return team


def _free_slug(name: str) -> str:
    base = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:44].strip("-") or "group"
    slug, n = base, 1
    while Team.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def create_scim_group(body: dict[str, Any]) -> ScimGroup:
    name = _display_name(body.get("displayName"))
    _ensure_name_free(name)
    members = _resolve(_member_ids(body.get("members")))
    team = link_team(_team_for(name), source=SOURCE, group=name)
    group = ScimGroup.objects.create(
        team=team, display_name=name, external_id=_external_id(body.get("externalId"))
    )
    # The pushed members are the team's members from now on: a hand member not in the
    # group leaves (what they approved stays).
    group.members.set(members)
    sync_team(group)
    return group


def replace_scim_group(group: ScimGroup, body: dict[str, Any]) -> ScimGroup:
    members = _resolve(_member_ids(body.get("members")))
    _save(group, _display_name(body.get("displayName")), _external_id(body.get("externalId")))
    group.members.set(members)
    sync_team(group)
    return group


def patch_scim_group(group: ScimGroup, body: dict[str, Any]) -> ScimGroup:
    name, external_id = group.display_name, group.external_id
    members = set(group.members.all())
    for operation in parse_patch(body):
        changes = _changes(operation)
        for attribute, (op, value, where) in changes.items():
            if attribute == "displayname":
                name = _display_name(value)
            elif attribute == "externalid":
                external_id = "" if op == "remove" else _external_id(value)
            elif where is not None:  # members[value eq "<id>"]: Entra ID's remove
                members = {m for m in members if str(m.scim_id) != where}
            elif op == "remove" and value is None:
                members = set()
            elif op == "remove":
                gone = set(_member_ids(value))
                members = {m for m in members if str(m.scim_id) not in gone}
            elif op == "add":
                members |= _resolve(_member_ids(value))
            else:
                members = _resolve(_member_ids(value))
    _save(group, name, external_id)
    group.members.set(members)
    sync_team(group)
    return group


def _changes(operation: Operation) -> dict[str, tuple[str, Any, str | None]]:
    """One operation as {attribute: (op, value, member id of a members[value eq …] path)}."""
    op, path = operation.op, operation.path
    if path is None:
        changes: dict[str, tuple[str, Any, str | None]] = {}
        for key, value in operation.value.items():
            key_path = Path(key.lower())
            if key_path.attribute == "id":
                continue  # Okta repeats the group's id inside `value`
            changes.update(_changes(Operation(op, key_path, value, key)))
        return changes
    name = path.attribute
    if name == "members" and path.where is not None:
        if path.where.attribute != "value" or path.sub is not None or op != "remove":
            raise invalid_path(f"Unsupported path '{operation.raw_path}' for {op}.")
        return {"members": (op, None, path.where.value)}
    if path.where is not None or path.sub is not None:
        raise invalid_path(f"Unsupported path '{operation.raw_path}' for a Group.")
    if name == "displayname" and op == "remove":
        raise invalid_value("displayName is required and cannot be removed.")
    if name in ("displayname", "externalid", "members"):
        return {name: (op, operation.value, None)}
    raise invalid_path(f"Unknown attribute path '{operation.raw_path}' for a Group.")


def _save(group: ScimGroup, name: str, external_id: str) -> None:
    if name != group.display_name:
        _ensure_name_free(name, group)
        # The team keeps its slug and name; the group it follows is renamed.
        link_team(group.team, source=SOURCE, group=name)
    group.display_name, group.external_id = name, external_id
    group.save()


def delete_scim_group(group: ScimGroup) -> None:
    """The team stays, kept by hand again, with no members; its history stays."""
    team = group.team
    if team.directory_source == SOURCE:
        apply_group_members(team, [], source=SOURCE)
        unlink_team(team)
    group.delete()

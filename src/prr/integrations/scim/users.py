"""People as the identity provider provisions them: create, replace, patch, delete.

The prr username is derived once, when the person is first provisioned: the whole userName
in lower case if it is a valid prr username, otherwise the part before the `@` of an email
(Okta's usual userName), so `Alice.Smith@example.com` becomes `@alice.smith`. A later change
of userName is recorded (filters find the new one) but the handle stays, so history, chat
links and mentions keep their name.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import QuerySet
from django.utils import timezone

from prr.accounts.models import User
from prr.accounts.services import USERNAME_RE, create_user, deactivate_user
from prr.integrations.scim.filters import Path, parse_filter
from prr.integrations.scim.models import ScimUser
from prr.integrations.scim.patch import Operation, parse_patch
from prr.integrations.scim.protocol import (
    ENTERPRISE_USER_SCHEMA,
    invalid_path,
    invalid_value,
    not_found,
    parse_bool,
    uniqueness,
)
from prr.integrations.scim.sync import sync_team
from prr.teams.directory import end_all_memberships

SOURCE = "scim"
USER_FILTERS = {"username": "userName", "externalid": "externalId", "id": "id"}
# Standard User attributes prr does not keep; Entra ID's default mapping sends several of
# them, so they are accepted and dropped instead of failing every provisioning run.
IGNORED = {
    "title", "nickname", "profileurl", "usertype", "preferredlanguage", "locale", "timezone",
    "phonenumbers", "addresses", "photos", "ims", "roles", "entitlements", "x509certificates",
    "password", "groups", "schemas", "meta",
}  # fmt: skip


@dataclass
class UserAttributes:
    user_name: str = ""
    external_id: str = ""
    display_name: str = ""
    formatted: str = ""
    given_name: str = ""
    family_name: str = ""
    email: str = ""
    active: bool | None = None  # None: not said (a PUT without it keeps the current state)

    @property
    def shown_name(self) -> str:
        full = f"{self.given_name} {self.family_name}".strip()
        return (self.display_name or self.formatted or full)[:150]


def derive_username(user_name: str) -> str:
    handle = user_name.strip().lower()
    if USERNAME_RE.match(handle):
        return handle
    local, at, _domain = handle.partition("@")
    if at and USERNAME_RE.match(local):
        return local
    raise invalid_value(
        f"userName '{user_name}' gives no valid prr username: use lowercase letters, digits, "
        "'.', '_' or '-' (an email's part before the @ is used)."
    )


def get_scim_user(scim_id: str) -> ScimUser:
    try:
        return ScimUser.objects.select_related("user").get(scim_id=scim_id, deleted_at=None)
    except (ScimUser.DoesNotExist, ValidationError):
        raise not_found("User", scim_id) from None


def find_scim_users(raw_filter: str | None) -> QuerySet[ScimUser]:
    users = ScimUser.objects.select_related("user").filter(deleted_at=None)
    if not raw_filter:
        return users
    where = parse_filter(raw_filter, USER_FILTERS)
    if where.attribute == "username":
        return users.filter(user_name__iexact=where.value)
    if where.attribute == "externalid":
        return users.filter(external_id=where.value)
    try:
        return users.filter(scim_id=where.value)
    except ValidationError:
        return users.none()


def _text(value: Any, attribute: str, *, limit: int = 255) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise invalid_value(f"'{attribute}' must be a string.")
    text = value.strip()
    if len(text) > limit:
        raise invalid_value(f"'{attribute}' is at most {limit} characters.")
    return text


def _email(value: Any) -> str:
    email = _text(value, "emails.value", limit=254)
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise invalid_value(f"'{email}' is not an email address.") from None
    return email


def _primary_email(value: Any) -> str:
    if value is None:
        return ""
    if not isinstance(value, list) or not all(isinstance(e, dict) for e in value):
        raise invalid_value("'emails' must be a list of objects with a 'value'.")
    chosen = next((e for e in value if e.get("primary") in (True, "true", "True")), None)
    chosen = chosen or (value[0] if value else {})
    return _email(chosen.get("value"))


def _set(attrs: UserAttributes, path: Path, value: Any, op: str, raw: str) -> None:
    """Apply one change to `attrs`; `op` remove clears what it names."""
    name, sub = path.attribute, path.sub
    removing = op == "remove"
    if name in IGNORED or name.startswith(ENTERPRISE_USER_SCHEMA.lower()):
        return
    if name == "username":
        if removing or not _text(value, "userName"):
            raise invalid_value("userName is required and cannot be removed.")
        attrs.user_name = _text(value, "userName")
    elif name == "externalid":
        attrs.external_id = "" if removing else _text(value, "externalId")
    elif name == "displayname":
        attrs.display_name = "" if removing else _text(value, "displayName", limit=150)
    elif name == "active":
        if removing:
            raise invalid_value("active cannot be removed; set it to true or false.")
        attrs.active = parse_bool(value, "active")
    elif name == "name" and sub is None:
        names = {} if removing else value
        if not isinstance(names, dict):
            raise invalid_value("'name' must be an object.")
        for key in ("givenName", "familyName", "formatted"):
            # Sub-attributes not given stay as they are (RFC 7644 §3.5.2.3).
            if removing or key in names:
                _set(attrs, Path("name", None, key.lower()), names.get(key), op, raw)
    elif name == "name" and sub in ("givenname", "familyname", "formatted"):
        text = "" if removing else _text(value, f"name.{sub}", limit=150)
        field = {"givenname": "given_name", "familyname": "family_name"}.get(sub, "formatted")
        setattr(attrs, field, text)
    elif name == "emails" and path.where is None and sub is None:
        attrs.email = "" if removing else _primary_email(value)
    elif name == "emails" and path.where is not None and sub in (None, "value"):
        if path.where.attribute not in ("type", "primary"):
            raise invalid_path(f"Unsupported email filter in '{raw}'.")
        if sub is None:
            attrs.email = "" if removing else _primary_email([value] if value else [])
        else:
            attrs.email = "" if removing else _email(value)
    elif name == "id":
        return  # Okta repeats the id inside `value`; it never changes
    else:
        raise invalid_path(f"Unknown attribute path '{raw}' for a User.")


def attributes_from(body: dict[str, Any]) -> UserAttributes:
    """A whole User resource (POST, PUT) read into attributes."""
    attrs = UserAttributes()
    for key, value in body.items():
        if key in ("schemas", "id", "meta"):
            continue
        _set(attrs, Path(key.lower()), value, "replace", key)
    if not attrs.user_name:
        raise invalid_value("userName is required.")
    return attrs


def current_attributes(scim_user: ScimUser) -> UserAttributes:
    user = scim_user.user
    return UserAttributes(
        user_name=scim_user.user_name,
        external_id=scim_user.external_id,
        display_name=user.display_name,
        given_name=scim_user.given_name,
        family_name=scim_user.family_name,
        email=user.email,
        active=user.is_active,
    )


def _ensure_user_name_free(user_name: str, scim_user: ScimUser | None = None) -> None:
    taken = ScimUser.objects.filter(user_name__iexact=user_name, deleted_at=None)
    if scim_user is not None:
        taken = taken.exclude(pk=scim_user.pk)
    if taken.exists():
        raise uniqueness(f"userName '{user_name}' is already taken.")


def create_scim_user(body: dict[str, Any]) -> ScimUser:
    attrs = attributes_from(body)
    _ensure_user_name_free(attrs.user_name)
    username = derive_username(attrs.user_name)
    user = User.objects.filter(username=username).first()
    if user is None:
        user = create_user(username, display_name=attrs.shown_name, email=attrs.email)
        scim_user = ScimUser(user=user)
    else:
        scim_user = _take_over(user, attrs.user_name)
    return _save(scim_user, dataclasses.replace(attrs, active=attrs.active is not False))


def _take_over(user: User, user_name: str) -> ScimUser:
    """An existing prr user with the derived username: provisioned from now on, unless SCIM
    could then lock out a break-glass admin or a bot, or another SCIM user holds the name."""
    existing = ScimUser.objects.filter(user=user).first()
    if existing is not None and existing.deleted_at is None:
        raise uniqueness(
            f"userName '{user_name}' gives the prr username @{user.username}, which SCIM "
            f"user '{existing.user_name}' already has."
        )
    if user.is_superuser or user.is_bot:
        kind = "an admin" if user.is_superuser else "a bot"
        raise uniqueness(
            f"userName '{user_name}' gives the prr username @{user.username}, {kind} kept in "
            "prr; SCIM does not take over admins or bots."
        )
    if existing is not None:
        existing.deleted_at = None  # provisioned again after a DELETE: same person, same row
        return existing
    return ScimUser(user=user)


def _save(scim_user: ScimUser, attrs: UserAttributes) -> ScimUser:
    user = scim_user.user
    scim_user.user_name = attrs.user_name
    scim_user.external_id = attrs.external_id
    scim_user.given_name = attrs.given_name[:150]
    scim_user.family_name = attrs.family_name[:150]
    scim_user.save()
    user.display_name, user.email = attrs.shown_name, attrs.email
    user.save(update_fields=["display_name", "email"])
    if attrs.active is False and user.is_active:
        deactivate_user(user)
        end_all_memberships(user, source=SOURCE)
    elif attrs.active is True and not user.is_active:
        reactivate_user(user)
        for group in scim_user.groups.select_related("team").filter(team__directory_source=SOURCE):
            sync_team(group)
    return scim_user


def reactivate_user(user: User) -> User:
    """The identity provider lets a person back in: they may sign in and act again.

    Their teams come back only through their directory groups (SCIM's below, LDAP's at the
    next sync); a team kept by hand needs them added again.
    """
    user.is_active = True
    user.save(update_fields=["is_active"])
    return user


def replace_scim_user(scim_user: ScimUser, body: dict[str, Any]) -> ScimUser:
    attrs = attributes_from(body)
    _ensure_user_name_free(attrs.user_name, scim_user)
    if attrs.active is None:
        attrs.active = scim_user.user.is_active
    return _save(scim_user, attrs)


def patch_scim_user(scim_user: ScimUser, body: dict[str, Any]) -> ScimUser:
    attrs = current_attributes(scim_user)
    for operation in parse_patch(body):
        _apply(attrs, operation)
    _ensure_user_name_free(attrs.user_name, scim_user)
    return _save(scim_user, attrs)


def _apply(attrs: UserAttributes, operation: Operation) -> None:
    if operation.path is not None:
        _set(attrs, operation.path, operation.value, operation.op, operation.raw_path)
        return
    for key, value in operation.value.items():
        _set(attrs, Path(key.lower()), value, operation.op, key)


def delete_scim_user(scim_user: ScimUser) -> None:
    """Gone for SCIM; in prr the person is deactivated and leaves every team, history kept."""
    user = scim_user.user
    if user.is_active:
        deactivate_user(user)
    end_all_memberships(user, source=SOURCE)
    groups = list(scim_user.groups.all())
    scim_user.groups.clear()
    scim_user.deleted_at = timezone.now()
    scim_user.save(update_fields=["deleted_at"])
    for group in groups:
        sync_team(group)

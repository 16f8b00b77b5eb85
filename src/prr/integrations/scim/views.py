"""The SCIM endpoints: authenticate, read the request, call one service, answer in SCIM.

Every change runs in one transaction, so a refusal (a SCIM error) changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from prr.errors import InvalidInput, NotFound, PermissionDenied, PrrError
from prr.integrations.scim import discovery, groups, users
from prr.integrations.scim.models import ScimGroup
from prr.integrations.scim.protocol import (
    ScimError,
    error_response,
    list_response,
    parse_body,
    parse_page,
    scim_response,
)
from prr.integrations.scim.resources import group_resource, location, user_resource
from prr.integrations.scim.tokens import authenticate_scim_token

View = Callable[..., HttpResponse]
READS = ("GET", "HEAD")


def _refusal(exc: PrrError) -> ScimError:
    if isinstance(exc, InvalidInput):
        return ScimError(400, exc.message, "invalidValue")
    if isinstance(exc, NotFound):
        return ScimError(404, exc.message)
    if isinstance(exc, PermissionDenied):
        return ScimError(403, exc.message)
    return ScimError(409, exc.message)  # a rule of prr refuses the change


def scim_endpoint(*methods: str) -> Callable[[View], View]:
    """A SCIM view: bearer token, allowed methods, errors in the SCIM error schema."""

    def decorate(view: View) -> View:
        @csrf_exempt  # identity providers authenticate with a bearer token, not a session
        @wraps(view)
        def endpoint(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            try:
                _authenticate(request)
                if request.method not in methods:
                    raise ScimError(405, f"{request.method} is not allowed on {request.path}.")
                if request.method in READS:
                    return view(request, *args, **kwargs)
                with transaction.atomic():
                    return view(request, *args, **kwargs)
            except IntegrityError:
                # Two requests raced for the same userName or group name; the loser's
                # transaction has rolled back.
                return error_response(
                    ScimError(
                        409, "Another request took that name at the same moment.", "uniqueness"
                    )
                )
            except RequestDataTooBig:
                return error_response(ScimError(413, "The request body is too large."))
            except ScimError as exc:
                return error_response(exc)
            except PrrError as exc:
                return error_response(_refusal(exc))

        return endpoint

    return decorate


def _authenticate(request: HttpRequest) -> None:
    scheme, _, raw = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or authenticate_scim_token(raw) is None:
        raise ScimError(401, "A valid SCIM bearer token is required (`prr scim token create`).")


def _body(request: HttpRequest) -> dict[str, Any]:
    return parse_body(request.body)


def _page(
    request: HttpRequest, rows: QuerySet[Any], render: Callable[[Any], dict[str, Any]]
) -> HttpResponse:
    start, count = parse_page(request.GET.get("startIndex"), request.GET.get("count"))
    total = rows.count()
    page = list(rows[start - 1 : start - 1 + count]) if count else []
    return scim_response(list_response([render(row) for row in page], total, start))


@scim_endpoint("GET", "POST")
def users_view(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        created = users.create_scim_user(_body(request))
        return scim_response(user_resource(created), 201, location("User", created.scim_id))
    return _page(request, users.find_scim_users(request.GET.get("filter")), user_resource)


@scim_endpoint("GET", "PUT", "PATCH", "DELETE")
def user_view(request: HttpRequest, scim_id: str) -> HttpResponse:
    scim_user = users.get_scim_user(scim_id)
    if request.method == "DELETE":
        users.delete_scim_user(scim_user)
        return HttpResponse(status=204)
    if request.method == "PUT":
        scim_user = users.replace_scim_user(scim_user, _body(request))
    elif request.method == "PATCH":
        scim_user = users.patch_scim_user(scim_user, _body(request))
    return scim_response(user_resource(scim_user))


def _with_members(request: HttpRequest) -> bool:
    # Entra ID asks for groups with `excludedAttributes=members` to keep big groups cheap.
    excluded = request.GET.get("excludedAttributes", "")
    return "members" not in {name.strip().lower() for name in excluded.split(",")}


@scim_endpoint("GET", "POST")
def groups_view(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        created = groups.create_scim_group(_body(request))
        return scim_response(group_resource(created), 201, location("Group", created.scim_id))
    with_members = _with_members(request)
    rows = groups.find_scim_groups(request.GET.get("filter"))
    if with_members:
        rows = rows.prefetch_related("members__user")

    def render(group: ScimGroup) -> dict[str, Any]:
        return group_resource(group, with_members=with_members)

    return _page(request, rows, render)


@scim_endpoint("GET", "PUT", "PATCH", "DELETE")
def group_view(request: HttpRequest, scim_id: str) -> HttpResponse:
    group = groups.get_scim_group(scim_id)
    if request.method == "DELETE":
        groups.delete_scim_group(group)
        return HttpResponse(status=204)
    if request.method == "PUT":
        group = groups.replace_scim_group(group, _body(request))
    elif request.method == "PATCH":
        group = groups.patch_scim_group(group, _body(request))
    return scim_response(group_resource(group, with_members=_with_members(request)))


@scim_endpoint("GET")
def service_provider_config_view(request: HttpRequest) -> HttpResponse:
    return scim_response(discovery.service_provider_config())


def _one_or_all(rows: list[dict[str, Any]], wanted: str | None) -> HttpResponse:
    if wanted is None:
        return scim_response(list_response(rows, len(rows), 1))
    for row in rows:
        if row["id"] == wanted:
            return scim_response(row)
    raise ScimError(404, f"No '{wanted}' here.")


@scim_endpoint("GET")
def resource_types_view(request: HttpRequest, name: str | None = None) -> HttpResponse:
    return _one_or_all(discovery.resource_types(), name)


@scim_endpoint("GET")
def schemas_view(request: HttpRequest, schema_id: str | None = None) -> HttpResponse:
    return _one_or_all(discovery.schemas(), schema_id)


@scim_endpoint("GET", "POST", "PUT", "PATCH", "DELETE")
def unknown_view(request: HttpRequest, rest: str) -> HttpResponse:
    raise ScimError(404, f"No SCIM endpoint /scim/v2/{rest}.")

"""/api/v1/playbooks and /api/v1/teams."""

from __future__ import annotations

import json
from typing import Literal

from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema, Status

from prr.accounts.services import get_user
from prr.api.errors import COMMON_ERRORS
from prr.api.reviews import caller, responses
from prr.api.schemas import ImportedOut, MembersIn, TeamIn
from prr.playbooks.schemas import PlaybookOut, PlaybookVersionOut
from prr.playbooks.services import get_playbook, get_version, import_playbook
from prr.playbooks.yaml_format import to_yaml
from prr.teams.queries import teams_with_members
from prr.teams.schemas import TeamOut
from prr.teams.services import add_members, create_team, get_team, remove_members

router = Router()


# -- playbooks --------------------------------------------------------------------------------


@router.get(
    "/playbooks", response=responses(200, list[PlaybookOut]), tags=["playbooks"], summary="List"
)
def list_playbooks(request: HttpRequest) -> list[PlaybookOut]:
    return PlaybookOut.list_of()


@router.post(
    "/playbooks",
    response=responses(201, ImportedOut) | {200: ImportedOut},
    tags=["playbooks"],
    summary="Import a playbook",
    openapi_extra={
        "requestBody": {
            "required": True,
            "description": "The playbook file, as YAML (`application/yaml`) or JSON "
            "(`application/json`), in the format `prr playbook export` writes.",
            "content": {
                "application/yaml": {"schema": {"type": "string"}},
                "application/json": {"schema": {"type": "object"}},
            },
        }
    },
)
def import_one(request: HttpRequest) -> Status[ImportedOut]:
    """Validate and store a playbook (admins). 201 with the new version, or 200 with the
    latest one when the content is unchanged; 422 lists each invalid field by its path."""
    result = import_playbook(request.body, by=caller(request))
    return Status(
        201 if result.created else 200,
        ImportedOut(created=result.created, playbook=PlaybookVersionOut.of(result.version)),
    )


@router.get(
    "/playbooks/{slug}",
    response=responses(200, PlaybookVersionOut),
    tags=["playbooks"],
    summary="Latest version",
)
def get_latest(request: HttpRequest, slug: str) -> PlaybookVersionOut:
    return PlaybookVersionOut.of(get_version(get_playbook(slug)))


@router.get(
    "/playbooks/{slug}/versions/{number}",
    response=responses(200, PlaybookVersionOut),
    tags=["playbooks"],
    summary="One version",
)
def get_one_version(request: HttpRequest, slug: str, number: int) -> PlaybookVersionOut:
    return PlaybookVersionOut.of(get_version(get_playbook(slug), number))


class ExportParams(Schema):
    format: Literal["yaml", "json"] = Field("yaml", description="yaml (default) or json.")
    version: int | None = Field(None, ge=1, le=2_147_483_647, description="Default: latest.")


@router.get(
    "/playbooks/{slug}/export",
    response=COMMON_ERRORS,
    tags=["playbooks"],
    summary="Export",
    openapi_extra={
        "responses": {
            200: {
                "description": "The playbook file; it imports back unchanged.",
                "content": {
                    "application/yaml": {"schema": {"type": "string"}},
                    "application/json": {"schema": {"type": "object"}},
                },
            }
        }
    },
)
def export(request: HttpRequest, slug: str, params: Query[ExportParams]) -> HttpResponse:
    """A version as a file that `POST /playbooks` (or `prr playbook import`) reads back."""
    version = get_version(get_playbook(slug), params.version)
    if params.format == "json":
        body = json.dumps(version.spec_json, indent=2, ensure_ascii=False) + "\n"
        response = HttpResponse(body, content_type="application/json")
    else:
        response = HttpResponse(to_yaml(version.spec), content_type="application/yaml")
    extension = "json" if params.format == "json" else "yaml"
    response["Content-Disposition"] = f'attachment; filename="{slug}-v{version.number}.{extension}"'
    return response


# -- teams ------------------------------------------------------------------------------------


@router.get("/teams", response=responses(200, list[TeamOut]), tags=["teams"], summary="List")
def list_teams(request: HttpRequest) -> list[TeamOut]:
    return [TeamOut.of(t) for t in teams_with_members().order_by("slug")]


@router.post("/teams", response=responses(201, TeamOut), tags=["teams"], summary="Create")
def create(request: HttpRequest, body: TeamIn) -> Status[TeamOut]:
    """Create a team (admins)."""
    return Status(201, TeamOut.of(create_team(body.slug, name=body.name, by=caller(request))))


@router.get("/teams/{slug}", response=responses(200, TeamOut), tags=["teams"], summary="Get")
def get_one(request: HttpRequest, slug: str) -> TeamOut:
    return TeamOut.of(get_team(slug))


@router.post(
    "/teams/{slug}/members",
    response=responses(200, TeamOut),
    tags=["teams"],
    summary="Add members",
)
def add(request: HttpRequest, slug: str, body: MembersIn) -> TeamOut:
    """Add members (admins); all or none."""
    team = get_team(slug)
    add_members(team, [get_user(name) for name in body.usernames], by=caller(request))
    return TeamOut.of(team)


@router.delete(
    "/teams/{slug}/members/{username}",
    response=responses(200, TeamOut),
    tags=["teams"],
    summary="Remove a member",
)
def remove(request: HttpRequest, slug: str, username: str) -> TeamOut:
    """End a membership (admins); approvals already given stay."""
    team = get_team(slug)
    remove_members(team, [get_user(username)], by=caller(request))
    return TeamOut.of(team)

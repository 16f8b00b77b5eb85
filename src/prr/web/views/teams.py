"""Teams and their current members; admins add and remove members, or link a directory group."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from prr.accounts.services import get_user
from prr.errors import PrrError
from prr.teams.directory import describe_source, link_team, unlink_team
from prr.teams.queries import teams_with_members
from prr.teams.services import add_members, get_team, may_manage_teams, remove_members
from prr.web.forms import AddMemberForm, LinkTeamForm
from prr.web.views.common import acting_user, http_error, status_for


def teams_page(
    request: HttpRequest, *, error_team: str = "", error: str = "", status: int = 200
) -> HttpResponse:
    context = {
        "teams": teams_with_members(),
        "error_team": error_team,
        "error": error,
        "form": AddMemberForm(),
        "link_form": LinkTeamForm(),
        "may_manage": may_manage_teams(acting_user(request)),
    }
    return render(request, "web/teams.html", context, status=status)


@login_required
@require_GET
def team_list(request: HttpRequest) -> HttpResponse:
    return teams_page(request)


@login_required
@require_POST
def add_member(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        team = get_team(slug)
    except PrrError as error:
        raise http_error(error) from error
    form = AddMemberForm(request.POST)
    if not form.is_valid():
        return teams_page(request, error_team=slug, error="Type a username.", status=400)
    try:
        user = get_user(form.cleaned_data["username"])
        add_members(team, [user], by=acting_user(request))
    except PrrError as error:
        return teams_page(request, error_team=slug, error=error.message, status=status_for(error))
    messages.success(request, f"Added @{user.username} to {team.name}.")
    return redirect("web:teams")


@login_required
@require_POST
def remove_member(request: HttpRequest, slug: str, username: str) -> HttpResponse:
    try:
        team = get_team(slug)
    except PrrError as error:
        raise http_error(error) from error
    try:
        user = get_user(username)
        remove_members(team, [user], by=acting_user(request))
    except PrrError as error:
        return teams_page(request, error_team=slug, error=error.message, status=status_for(error))
    messages.success(request, f"Removed @{user.username} from {team.name}.")
    return redirect("web:teams")


@login_required
@require_POST
def link_directory(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        team = get_team(slug)
    except PrrError as error:
        raise http_error(error) from error
    form = LinkTeamForm(request.POST)
    if not form.is_valid():
        missing = "Choose a directory and type the group's id or name."
        return teams_page(request, error_team=slug, error=missing, status=400)
    try:
        link_team(
            team,
            source=form.cleaned_data["source"],
            group=form.cleaned_data["group"],
            by=acting_user(request),
        )
    except PrrError as error:
        return teams_page(request, error_team=slug, error=error.message, status=status_for(error))
    messages.success(request, f"Team {team.name} is now kept by {describe_source(team)}.")
    return redirect("web:teams")


@login_required
@require_POST
def unlink_directory(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        team = get_team(slug)
    except PrrError as error:
        raise http_error(error) from error
    try:
        unlink_team(team, by=acting_user(request))
    except PrrError as error:
        return teams_page(request, error_team=slug, error=error.message, status=status_for(error))
    messages.success(request, f"Team {team.name} is kept by hand in prr again.")
    return redirect("web:teams")

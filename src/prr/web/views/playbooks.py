"""Playbooks: the list, a version rendered readably, uploads, and differences."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from prr.errors import PrrError
from prr.playbooks.models import Playbook, PlaybookVersion
from prr.playbooks.services import (
    get_playbook,
    get_version,
    import_playbook,
    may_import_playbooks,
)
from prr.playbooks.yaml_format import to_yaml
from prr.teams.models import Team
from prr.web.forms import UploadPlaybookForm, latest_versions
from prr.web.views.common import acting_user, http_error, status_for


def load_playbook(slug: str) -> Playbook:
    try:
        return get_playbook(slug)
    except PrrError as error:
        raise http_error(error) from error


def load_version(playbook: Playbook, number: int | None) -> PlaybookVersion:
    try:
        return get_version(playbook, number)
    except PrrError as error:
        raise http_error(error) from error


@login_required
@require_GET
def playbook_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "web/playbooks.html",
        {"versions": latest_versions(), "may_import": may_import_playbooks(acting_user(request))},
    )


@login_required
@require_GET
def playbook_latest(request: HttpRequest, slug: str) -> HttpResponse:
    version = load_version(load_playbook(slug), None)
    return redirect("web:playbook_version", slug=version.playbook.slug, number=version.number)


@login_required
@require_GET
def playbook_version(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    playbook = load_playbook(slug)
    version = load_version(playbook, number)
    teams = dict(Team.objects.values_list("slug", "name"))
    return render(
        request,
        "web/playbook_version.html",
        {
            "version": version,
            "spec": version.spec,
            "numbers": list(playbook.versions.order_by("number").values_list("number", flat=True)),
            "teams": teams,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def playbook_upload(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    if request.method != "POST":
        blank = {"form": UploadPlaybookForm(), "may_import": may_import_playbooks(user)}
        return render(request, "web/playbook_upload.html", blank)
    form = UploadPlaybookForm(request.POST, request.FILES)
    context: dict[str, object] = {"form": form, "may_import": may_import_playbooks(user)}
    if form.is_valid():
        try:
            result = import_playbook(form.cleaned_data["file"].read(), by=user)
        except PrrError as error:
            context["error"] = error.message.splitlines()[0]
            context["details"] = [str(d) for d in error.details or []]
            return render(request, "web/playbook_upload.html", context, status=status_for(error))
        version = result.version
        if result.created:
            messages.success(request, f"Imported {version.playbook.slug} v{version.number}.")
        else:
            messages.info(
                request,
                f"{version.playbook.slug} v{version.number} already has this content; "
                "no new version.",
            )
        return redirect("web:playbook_version", slug=version.playbook.slug, number=version.number)
    return render(request, "web/playbook_upload.html", context, status=400)


@dataclass(frozen=True)
class DiffLine:
    kind: str  # add, del, hunk, file, same
    text: str


def diff_lines(old: PlaybookVersion, new: PlaybookVersion) -> list[DiffLine]:
    lines = difflib.unified_diff(
        to_yaml(old.spec).splitlines(),
        to_yaml(new.spec).splitlines(),
        fromfile=f"v{old.number}",
        tofile=f"v{new.number}",
        lineterm="",
    )
    out = []
    for line in lines:
        if line.startswith(("---", "+++")):
            kind = "file"
        elif line.startswith("@@"):
            kind = "hunk"
        elif line.startswith("+"):
            kind = "add"
        elif line.startswith("-"):
            kind = "del"
        else:
            kind = "same"
        out.append(DiffLine(kind, line))
    return out


def version_number(text: str | None, default: int) -> int:
    return int(text) if text and text.isdigit() else default


@login_required
@require_GET
def playbook_diff(request: HttpRequest, slug: str) -> HttpResponse:
    playbook = load_playbook(slug)
    latest = load_version(playbook, None)
    old = load_version(playbook, version_number(request.GET.get("from"), max(1, latest.number - 1)))
    new = load_version(playbook, version_number(request.GET.get("to"), latest.number))
    return render(
        request,
        "web/playbook_diff.html",
        {
            "playbook": playbook,
            "old": old,
            "new": new,
            "lines": diff_lines(old, new),
            "numbers": list(playbook.versions.order_by("number").values_list("number", flat=True)),
        },
    )

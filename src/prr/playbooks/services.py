"""Importing playbooks as new versions, and finding them."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources

from django.db import IntegrityError, transaction

from prr.accounts.models import User
from prr.accounts.services import is_admin
from prr.errors import InvalidInput, NotFound, PermissionDenied, RuleViolation
from prr.playbooks.models import Playbook, PlaybookVersion
from prr.playbooks.spec import PlaybookSpec
from prr.playbooks.yaml_format import (
    canonical_json,
    digest,
    line_finder,
    parse_spec,
    path_parts,
    read_file_text,
    with_line,
)
from prr.teams.models import Team


@dataclass(frozen=True)
class ImportResult:
    version: PlaybookVersion
    created: bool


def get_playbook(slug: str) -> Playbook:
    try:
        return Playbook.objects.get(slug=slug.strip().lower())
    except Playbook.DoesNotExist:
        known = ", ".join(Playbook.objects.values_list("slug", flat=True)) or "none yet"
        raise NotFound(f"No playbook '{slug}' (playbooks: {known}).") from None


def get_version(playbook: Playbook, number: int | None = None) -> PlaybookVersion:
    """The given version, or the latest one."""
    versions = playbook.versions.select_related("playbook").order_by("-number")
    version = versions.first() if number is None else versions.filter(number=number).first()
    if version is None:
        latest = versions.values_list("number", flat=True).first()
        raise NotFound(
            f"Playbook '{playbook.slug}' has no version {number} (latest: {latest or 'none'})."
        )
    return version


def check_teams_exist(spec: PlaybookSpec, text: str | None = None) -> None:
    """Every team the playbook names exists; the problems name their path (and, given the
    file's text, its line)."""
    known = set(Team.objects.values_list("slug", flat=True))
    unknown = [(path, slug) for path, slug in spec.team_references() if slug not in known]
    if not unknown:
        return
    line = line_finder(text) if text is not None else None
    teams = ", ".join(sorted(known)) or "none yet"
    problems = [
        with_line(f"{path}: no team '{slug}' (teams: {teams})", path_parts(path), line)
        if line
        else f"{path}: no team '{slug}' (teams: {teams})"
        for path, slug in unknown
    ]
    if problems:
        raise InvalidInput(
            "The playbook is invalid:\n" + "\n".join(f"  {line}" for line in problems),
            details=problems,
        )


def may_import_playbooks(user: User | None) -> bool:
    """Admins import playbooks (`None`: the operator at the command line). Faces show the
    upload by it."""
    return is_admin(user)


def import_playbook(text: str | bytes, *, by: User | None = None) -> ImportResult:
    """Validate a playbook file; store it as a new version only when its content changed."""
    if not may_import_playbooks(by):
        raise PermissionDenied("Only an admin can import playbooks.")
    text = read_file_text(text)
    spec = parse_spec(text)
    check_teams_exist(spec, text)
    spec_digest = digest(spec)
    try:
        with transaction.atomic():
            playbook, _ = Playbook.objects.select_for_update().get_or_create(
                slug=spec.slug, defaults={"title": spec.title}
            )
            latest = playbook.versions.order_by("-number").first()
            if latest is not None and latest.digest == spec_digest:
                return ImportResult(latest, created=False)
            version = PlaybookVersion.objects.create(
                playbook=playbook,
                number=(latest.number + 1) if latest else 1,
                spec_json=canonical_json(spec),
                digest=spec_digest,
                created_by=by,
            )
            if playbook.title != spec.title:
                playbook.title = spec.title
                playbook.save(update_fields=["title"])
    except IntegrityError:
        raise RuleViolation(
            f"Playbook '{spec.slug}' was imported by someone else at the same moment; try again."
        ) from None
    return ImportResult(version, created=True)


def default_playbook_text() -> str:
    return resources.files("prr.playbooks").joinpath("defaults/prr.yaml").read_text("utf-8")


def load_default_playbook() -> ImportResult:
    return import_playbook(default_playbook_text())

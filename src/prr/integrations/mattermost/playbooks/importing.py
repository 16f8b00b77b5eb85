"""Import: a Mattermost playbook export made into a prr playbook spec (`spec_from_mattermost`)
and imported like any playbook file (`import_mattermost_playbook`). It runs the other modules
in order (load, drafts, owners, sections) and validates the result as a prr playbook, saying
each problem in the terms of the Mattermost file: which checklist item or section it is about.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from prr.accounts.models import User
from prr.errors import InvalidInput
from prr.integrations.mattermost.playbooks.drafts import Draft, item_keys, read_drafts
from prr.integrations.mattermost.playbooks.export_format import MattermostPlaybook, load_playbook
from prr.integrations.mattermost.playbooks.keys import playbook_slug
from prr.integrations.mattermost.playbooks.notes import Note
from prr.integrations.mattermost.playbooks.owners import (
    apply_owner_options,
    refusal,
    resolve_owner,
)
from prr.integrations.mattermost.playbooks.sections import read_sections
from prr.playbooks.services import ImportResult, import_playbook
from prr.playbooks.spec import DRI, KINDS, PlaybookSpec
from prr.playbooks.yaml_format import canonical_json, describe_errors


@dataclass(frozen=True)
class Conversion:
    """A prr playbook made from a Mattermost one, and what the person importing should know."""

    spec: PlaybookSpec
    notices: tuple[str, ...] = ()


@dataclass(frozen=True)
class MattermostImportResult(ImportResult):
    notices: tuple[str, ...] = ()


def spec_from_mattermost(
    data: bytes | str,
    owners: Mapping[str, str],
    slug: str | None,
    *,
    teams: Mapping[str, str] | None = None,
) -> Conversion:
    """A prr playbook from a Mattermost playbook export; `teams` maps slug to name (default:
    the teams in the database). Raises InvalidInput, listing every item left without a team."""
    if teams is None:
        from prr.teams.models import Team

        teams = dict(Team.objects.values_list("slug", "name"))
    playbook = load_playbook(data)
    slug = playbook_slug(playbook.title, slug)
    notices: list[str] = []
    drafts = read_drafts(playbook, notices)
    problems = apply_owner_options(drafts, owners, teams)
    for draft in drafts:
        if draft.owner is None:
            resolve_owner(draft, teams)
    unmapped = [draft for draft in drafts if draft.owner is None]
    if problems or unmapped:
        raise refusal(problems, unmapped, teams)
    sections = read_sections(playbook.run_summary_template or "", notices)
    return Conversion(_validate(playbook, drafts, sections, slug, notices), tuple(notices))


def import_mattermost_playbook(
    text: bytes | str,
    *,
    owners: Mapping[str, str],
    slug: str | None = None,
    by: User | None = None,
) -> MattermostImportResult:
    """Convert a Mattermost playbook export, then import it like any playbook file."""
    conversion = spec_from_mattermost(text, owners, slug)
    result = import_playbook(json.dumps(canonical_json(conversion.spec), ensure_ascii=False), by=by)
    return MattermostImportResult(result.version, result.created, conversion.notices)


def _validate(
    playbook: MattermostPlaybook,
    drafts: list[Draft],
    sections: list[dict[str, Any]],
    slug: str,
    notices: list[str],
) -> PlaybookSpec:
    checklists: dict[str, list[dict[str, Any]]] = {}
    # prr path -> where the Mattermost item or section is, and what to add after the problem
    places: dict[str, tuple[str, str]] = {}
    for n, section in enumerate(sections):
        places[f"sections[{n}]"] = (f"run_summary_template, section `{section['key']}`", "")
    for draft, key in zip(drafts, item_keys(drafts), strict=True):
        items = checklists.setdefault(draft.checklist, [])
        path = f"checklists[{list(checklists).index(draft.checklist)}].items[{len(items)}]"
        places[path] = (draft.where, f' (item "{draft.title}")')
        items.append(_item(draft, key))
    optional = [
        f'{draft.place} ("{draft.title}")'
        for draft in drafts
        if draft.conditional and (draft.note is None or draft.note.required is not False)
    ]
    data = {
        "slug": slug,
        "title": playbook.title,
        "description": playbook.description or "",
        "kinds": list(KINDS),
        "sections": sections,
        "checklists": [{"title": title, "items": items} for title, items in checklists.items()],
    }
    try:
        spec = PlaybookSpec.model_validate(data)
    except ValidationError as exc:
        problems = [_in_file_terms(line, places) for line in describe_errors(exc)]
        raise InvalidInput(
            "The Mattermost playbook cannot become a prr playbook:\n"
            + "\n".join(f"  {line}" for line in problems),
            details=problems,
        ) from None
    if optional:
        count = f"{len(optional)} item{'s' if len(optional) != 1 else ''}"
        notices.append(
            f"Imported {count} as optional: Mattermost shows "
            f"{'them' if len(optional) != 1 else 'it'} only when a condition holds: "
            + "; ".join(optional)
            + "."
        )
    return spec


def _item(draft: Draft, key: str) -> dict[str, Any]:
    note = draft.note or Note()
    owner = draft.owner or DRI
    item: dict[str, Any] = {
        "key": key,
        "title": draft.title,
        "description": draft.description,
        "owner": owner,
        "due_days": draft.due_days,
    }
    if note.required is not None:
        item["required"] = note.required
    if draft.conditional:
        item["required"] = False  # a run may never show it: it cannot hold up the close
    if note.allow_na is not None:
        item["allow_na"] = note.allow_na
    if note.kinds is not None:
        item["kinds"] = list(note.kinds)
    if owner != DRI:
        actions = []
        if draft.keywords:
            actions.append({"phrases": draft.keywords, "team": owner, "then": "done"})
        if note.reopen and note.owner == owner:
            actions.append({"phrases": list(note.reopen), "team": owner, "then": "reopen"})
        item["task_actions"] = actions
    return item


def _in_file_terms(line: str, places: Mapping[str, tuple[str, str]]) -> str:
    """Say which Mattermost item or section a problem is about: its place in the file."""
    match = re.match(r"checklists\[\d+\]\.items\[\d+\]|sections\[\d+\]", line)
    place = places.get(match.group(0)) if match else None
    if match is None or place is None:
        return line
    where, after = place
    return f"{where}{line[match.end() :]}{after}"

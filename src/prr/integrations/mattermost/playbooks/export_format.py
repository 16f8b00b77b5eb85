"""Mattermost Playbooks' JSON export, as prr reads it: the pydantic models of the fields prr
uses (everything else is ignored), the constants of the format, and `load_playbook`, which turns
an uploaded file into those models or refuses it with a message about the file. Go's
encoding/json writes null for an empty list, so every list may be None.
"""

from __future__ import annotations

import json

from pydantic import BaseModel, ConfigDict, ValidationError

from prr.errors import InvalidInput
from prr.playbooks.yaml_format import describe_errors, read_file_text

EXPORT_VERSION = 1  # Mattermost refuses an import whose "version" is not the one it writes.
MS_PER_DAY = 86_400_000
KEYWORDS_BY_USERS = "keywords_by_users"
MARK_ITEM_AS_DONE = "mark_item_as_done"


class _Mattermost(BaseModel):
    model_config = ConfigDict(extra="ignore", strict=True)


class _Trigger(_Mattermost):
    type: str
    payload: str | None = None  # a JSON document inside a string, as the plugin stores it


class _Action(_Mattermost):
    type: str
    payload: str | None = None


class _TaskAction(_Mattermost):
    trigger: _Trigger
    actions: list[_Action] | None = None


class MattermostItem(_Mattermost):
    # The Export leaves out every empty field, so the Blank template's item has no title at all.
    title: str | None = None
    description: str | None = None
    command: str | None = None
    due_date: int | None = None  # in a playbook, milliseconds after the run starts
    # Absent from an Export file (the plugin never exports them); [] or null from the REST API.
    task_actions: list[_TaskAction] | None = None
    condition_id: str | None = None  # a run shows the item only while this condition holds


class _Checklist(_Mattermost):
    title: str | None = None
    items: list[MattermostItem] | None = None


class MattermostPlaybook(_Mattermost):
    title: str
    description: str | None = None
    checklists: list[_Checklist]
    version: int | None = None  # the export file says 1; the REST API's playbook JSON has none
    run_summary_template: str | None = None


def load_playbook(data: bytes | str) -> MattermostPlaybook:
    data = read_file_text(data, "The Mattermost playbook file")
    if not data.strip():
        raise InvalidInput(
            "The Mattermost playbook file is empty; expected the JSON that Mattermost exports."
        )
    try:
        raw = json.loads(data)
    except json.JSONDecodeError as exc:
        hint = " A prr playbook imports without --from mattermost." if "slug:" in data else ""
        raise InvalidInput(
            f"The Mattermost playbook is not valid JSON: line {exc.lineno}, "
            f"column {exc.colno}: {exc.msg}.{hint}"
        ) from None
    if not isinstance(raw, dict):
        raise InvalidInput(
            "The Mattermost playbook must be a JSON object with title and checklists "
            "(the file Mattermost's Export writes)."
        )
    if "slug" in raw:
        raise InvalidInput(
            "This is a prr playbook (it has a slug), not a Mattermost export; "
            "import it without --from mattermost."
        )
    try:
        playbook = MattermostPlaybook.model_validate(raw)
    except ValidationError as exc:
        problems = describe_errors(exc)
        raise InvalidInput(
            "The Mattermost playbook is not shaped like a Mattermost export:\n"
            + "\n".join(f"  {line}" for line in problems),
            details=problems,
        ) from None
    if playbook.version not in (None, EXPORT_VERSION):
        raise InvalidInput(
            f"The Mattermost playbook export is version {playbook.version}; "
            f"prr reads version {EXPORT_VERSION}."
        )
    return playbook

"""Export: a prr playbook as the JSON Mattermost's "Import playbook" accepts (export version 1),
with each item's note and command in its description and the review sections in the run
summary template, so that prr can import the file back without losing anything.
"""

from __future__ import annotations

import json
from typing import Any

from prr.integrations.mattermost.playbooks.export_format import (
    EXPORT_VERSION,
    KEYWORDS_BY_USERS,
    MARK_ITEM_AS_DONE,
    MS_PER_DAY,
)
from prr.integrations.mattermost.playbooks.notes import split_command, write_note
from prr.integrations.mattermost.playbooks.sections import run_summary_template
from prr.playbooks.spec import Item, PlaybookSpec


def mattermost_from_spec(spec: PlaybookSpec) -> dict[str, Any]:
    """The JSON Mattermost's "Import playbook" accepts (export version 1).

    Task actions carry no user ids: in Mattermost anyone who writes a keyword completes the
    item, so the owning team is written in each item's description for the people who run it.
    """
    return {
        "title": spec.title,
        "description": spec.description,
        "version": EXPORT_VERSION,
        "checklists": [
            {
                "title": checklist.title,
                "items": [_mattermost_item(item) for item in checklist.items],
            }
            for checklist in spec.checklists
        ],
        "run_summary_template_enabled": bool(spec.sections),
        "run_summary_template": run_summary_template(spec),
        "metrics": [],
    }


def mattermost_json(spec: PlaybookSpec) -> str:
    """The export as text, indented like the files Mattermost writes."""
    return json.dumps(mattermost_from_spec(spec), indent=4, ensure_ascii=False) + "\n"


def _mattermost_item(item: Item) -> dict[str, Any]:
    # The command goes back to its own field, where Mattermost offers to run it.
    description, command = split_command(item.description)
    description = f"{description.rstrip()}\n\n{write_note(item)}".lstrip()
    done = [action for action in item.task_actions if action.then == "done"]
    return {
        "title": item.title,
        "description": description,
        "command": command,
        "due_date": (item.due_days or 0) * MS_PER_DAY,
        "task_actions": [
            {
                "trigger": {
                    "type": KEYWORDS_BY_USERS,
                    "payload": _compact({"keywords": action.phrases, "user_ids": []}),
                },
                "actions": [{"type": MARK_ITEM_AS_DONE, "payload": _compact({"enabled": True})}],
            }
            for action in done
        ],
    }


def _compact(payload: dict[str, Any]) -> str:
    """A payload as the plugin writes it: JSON inside a string, without spaces (as Go does)."""
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False)

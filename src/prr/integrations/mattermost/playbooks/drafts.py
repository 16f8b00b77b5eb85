"""Drafts: each titled checklist item of a Mattermost playbook, read with its note, command,
due date and the keywords that complete it, on its way to becoming a prr item; `read_drafts`
refuses what prr would lose (an untitled item that holds something, a task action it does not
understand), and `item_keys` gives every draft its unique key.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any

from prr.errors import InvalidInput
from prr.integrations.mattermost.playbooks.export_format import (
    KEYWORDS_BY_USERS,
    MARK_ITEM_AS_DONE,
    MS_PER_DAY,
    MattermostItem,
    MattermostPlaybook,
)
from prr.integrations.mattermost.playbooks.keys import KEY_LENGTH, slugify
from prr.integrations.mattermost.playbooks.notes import Note, command_line, read_note, split_command


@dataclass
class Draft:
    """One Mattermost checklist item on its way to becoming a prr item."""

    where: str  # its path in the Mattermost file, for messages
    place: str  # the same, as a person reading the playbook in Mattermost would say it
    checklist: str
    title: str
    description: str
    due_days: int | None
    keywords: list[str]
    note: Note | None
    conditional: bool
    owner: str | None = None
    named: list[str] = field(default_factory=list)


def read_drafts(playbook: MattermostPlaybook, notices: list[str]) -> list[Draft]:
    drafts = []
    skipped: list[str] = []
    untitled: list[str] = []  # title-less items that hold something prr would lose
    for c, checklist in enumerate(playbook.checklists):
        checklist_title = (checklist.title or "").strip() or f"Checklist {c + 1}"
        for i, item in enumerate(checklist.items or []):
            where = f"checklists[{c}].items[{i}]"
            place = f"checklist '{checklist_title}', item {i + 1}"
            if not (item.title or "").strip():
                content = _content(item)
                if content:
                    untitled.append(f"  {where} ({place}): {', '.join(content)}")
                else:
                    skipped.append(place)
                continue
            description, note = read_note(item.description or "")
            command = (item.command or "").strip()
            if command and split_command(description)[1] != command:
                description = f"{description.rstrip()}\n\n{command_line(command)}".lstrip()
            if "task_actions" in item.model_fields_set:
                keywords = _done_keywords(item, where)
            else:
                # An Export file: Mattermost dropped the task actions, prr's note kept them.
                keywords = list(note.done) if note else []
            due = item.due_date or 0
            drafts.append(
                Draft(
                    where=where,
                    place=place,
                    checklist=checklist_title,
                    title=(item.title or "").strip(),
                    description=description,
                    due_days=math.ceil(due / MS_PER_DAY) if due > 0 else None,
                    keywords=keywords,
                    note=note,
                    conditional=bool((item.condition_id or "").strip()),
                )
            )
    if untitled:
        raise InvalidInput(
            "The Mattermost playbook has items without a title that are not empty; prr needs "
            "a title for every item it keeps. Give each one a title in Mattermost, or remove "
            "it, and export again:\n" + "\n".join(untitled)
        )
    count = f"{len(skipped)} item{'s' if len(skipped) != 1 else ''} without a title"
    if not drafts:
        raise InvalidInput(
            "The Mattermost playbook has no checklist items"
            + (f" with a title (it has {count}: {'; '.join(skipped)})" if skipped else "")
            + "; a prr playbook needs at least one."
        )
    if skipped:
        notices.append(f"Skipped {count}: {'; '.join(skipped)}.")
    return drafts


def _content(item: MattermostItem) -> list[str]:
    """What a title-less item holds besides its missing title (the Blank template's holds
    nothing; any other would be lost if it were skipped)."""
    content = []
    if (item.description or "").strip():
        content.append("a description")
    if (item.command or "").strip():
        content.append("a command")
    if item.task_actions:
        content.append("task actions")
    if item.due_date:
        content.append("a due date")
    return content


def _done_keywords(item: MattermostItem, where: str) -> list[str]:
    """The keywords of every task action that marks the item done, in order, once each."""
    keywords: list[str] = []
    for a, task_action in enumerate(item.task_actions or []):
        here = f"{where}.task_actions[{a}]"
        if task_action.trigger.type != KEYWORDS_BY_USERS:
            raise InvalidInput(
                f"{here}.trigger.type: prr understands only '{KEYWORDS_BY_USERS}', "
                f"not '{task_action.trigger.type}' (item \"{item.title}\")."
            )
        payload = _payload(task_action.trigger.payload, f"{here}.trigger.payload")
        words = payload.get("keywords") or []
        if not isinstance(words, list) or not all(isinstance(word, str) for word in words):
            raise InvalidInput(f"{here}.trigger.payload: keywords must be a list of strings.")
        marks_done = False
        for n, action in enumerate(task_action.actions or []):
            if action.type != MARK_ITEM_AS_DONE:
                raise InvalidInput(
                    f"{here}.actions[{n}].type: prr understands only '{MARK_ITEM_AS_DONE}', "
                    f"not '{action.type}' (item \"{item.title}\")."
                )
            marks_done |= (
                _payload(action.payload, f"{here}.actions[{n}].payload").get("enabled") is True
            )
        if marks_done:
            keywords.extend(word.strip() for word in words if word.strip())
    return list(dict.fromkeys(keywords))


def _payload(text: str | None, where: str) -> dict[str, Any]:
    try:
        payload = json.loads(text or "{}")
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"{where}: not a JSON document ({exc.msg}).") from None
    if not isinstance(payload, dict):
        raise InvalidInput(f"{where}: expected a JSON object.")
    return payload


def item_keys(drafts: list[Draft]) -> list[str]:
    """The key prr noted on export when it is free, else one made from the title; unique."""
    noted = [d.note.key if d.note and d.note.key else None for d in drafts]
    reserved = {key for key in noted if key}
    taken: set[str] = set()
    keys = []
    for draft, key in zip(drafts, noted, strict=True):
        if key is None or key in taken:
            base = slugify(draft.title) or "item"
            key, n = base, 2
            while key in taken or key in reserved:
                key = f"{base[: KEY_LENGTH - len(str(n)) - 1]}-{n}"
                n += 1
        taken.add(key)
        keys.append(key)
    return keys

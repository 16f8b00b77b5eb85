"""Playbooks to and from Mattermost Playbooks' JSON export.

Mattermost binds a task action to user ids; prr binds it to a team. So importing asks for the
team of every item a keyword completes: given with `--owner "ITEM TITLE=TEAM"`, named by the
keyword itself ("SRE review is completed" names team `sre`), or noted by prr when it exported
the playbook. Whatever is left is refused in one message that lists every item to map.

Mattermost's own Export (server/app/export.go) keeps only the fields tagged `export` in
server/app/playbook.go and leaves out zero values: an item's `task_actions` never survive it,
its `description` and `command` do. So prr writes what it needs to rebuild an item (key, owner,
phrases…) on a note line at the end of the description, and each review section's key on a
line of the run summary template.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.text import slugify
from pydantic import BaseModel, ConfigDict, ValidationError

from prr.accounts.models import User
from prr.errors import InvalidInput
from prr.playbooks.services import ImportResult, import_playbook
from prr.playbooks.spec import DRI, KINDS, Item, PlaybookSpec
from prr.playbooks.yaml_format import canonical_json, describe_errors, read_file_text

EXPORT_VERSION = 1  # Mattermost refuses an import whose "version" is not the one it writes.
MS_PER_DAY = 86_400_000
KEY_LENGTH = 64
KEYWORDS_BY_USERS = "keywords_by_users"
MARK_ITEM_AS_DONE = "mark_item_as_done"
NOTE_PREFIX = "prr: "
COMMAND_PREFIX = "Mattermost command: "
SECTION_PREFIX = "prr: section "
_KEY = re.compile(r"^[a-z0-9][a-z0-9-]*$")
# A Markdown code span (CommonMark): a run of backticks, the text, the same run again.
_CODE_SPAN = re.compile(r"(?<!`)(`+)(?!`)(.+?)(?<!`)\1(?!`)")
_SECTION_LINE = re.compile(r"^prr: section `([a-z0-9][a-z0-9-]*)`[ \t]*$", re.MULTILINE)
_HOLE = "\x00"  # stands for a code span while a note line is split into its parts


# -- the Mattermost side: only the fields prr reads; Go's encoding/json writes null for empty ---


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


class _Item(_Mattermost):
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
    items: list[_Item] | None = None


class _Playbook(_Mattermost):
    title: str
    description: str | None = None
    checklists: list[_Checklist]
    version: int | None = None  # the export file says 1; the REST API's playbook JSON has none
    run_summary_template: str | None = None


# -- what prr wrote into an item's description when it exported it, read back on import -------


def _code(text: str) -> str:
    """`text` as a Markdown code span, even when it holds backticks: CommonMark's way, a fence
    longer than any run inside and a space of padding next to a backtick at either end."""
    fence = "`" * (max((len(run) for run in re.findall("`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _uncode(fence: str, body: str) -> str | None:
    """The text of a code span, or None when its body holds its own fence (not one span)."""
    if fence in re.findall("`+", body):
        return None
    if len(body) > 2 and body.startswith(" ") and body.endswith(" ") and body.strip():
        return body[1:-1]
    return body


def _only_code_span(text: str) -> str | None:
    match = re.fullmatch(r"(`+)(.+)\1", text)
    return _uncode(match.group(1), match.group(2)) if match else None


@dataclass(frozen=True)
class _Note:
    key: str | None = None
    owner: str | None = None
    required: bool | None = None
    allow_na: bool | None = None
    kinds: tuple[str, ...] | None = None
    done: tuple[str, ...] = ()
    reopen: tuple[str, ...] = ()


def _write_note(item: Item) -> str:
    parts = [f"key `{item.key}`", f"owner `{item.owner}`"]
    parts.append("required" if item.required else "optional")
    if item.allow_na != (item.owner == DRI):
        parts.append("n/a allowed" if item.allow_na else "n/a not allowed")
    if item.kinds:
        parts.append("kinds " + ", ".join(item.kinds))
    for then in ("done", "reopen"):
        phrases = [p for action in item.task_actions if action.then == then for p in action.phrases]
        if phrases:
            parts.append(f"{then} " + ", ".join(_code(phrase) for phrase in phrases))
    return NOTE_PREFIX + " · ".join(parts)


def _read_note(description: str) -> tuple[str, _Note | None]:
    """The description without prr's note line, and the note; a line that does not parse stays."""
    body, _, last = description.rstrip().rpartition("\n")
    if not last.startswith(NOTE_PREFIX + "key `") or _HOLE in last:
        return description, None
    # Phrases are code spans and may hold " · " or ", ": set them aside before splitting.
    spans: list[str | None] = []

    def hole(match: re.Match[str]) -> str:
        spans.append(_uncode(match.group(1), match.group(2)))
        return _HOLE

    shape = _CODE_SPAN.sub(hole, last.removeprefix(NOTE_PREFIX))
    if None in spans:
        return description, None
    texts = iter(span for span in spans if span is not None)
    values: dict[str, Any] = {}
    for part in shape.split(" · "):
        word = part.split(" ", 1)[0]
        quoted = tuple(next(texts) for _ in range(part.count(_HOLE)))
        if word in ("key", "owner") and part == f"{word} {_HOLE}" and _KEY.match(quoted[0]):
            values[word] = quoted[0]
        elif part in ("required", "optional"):
            values["required"] = part == "required"
        elif part in ("n/a allowed", "n/a not allowed"):
            values["allow_na"] = part == "n/a allowed"
        elif word == "kinds" and set(kinds := tuple(part[6:].split(", "))) <= set(KINDS):
            values["kinds"] = kinds
        elif (
            word in ("done", "reopen")
            and quoted
            and part == f"{word} " + ", ".join(_HOLE for _ in quoted)
        ):
            values[word] = quoted
        else:
            return description, None
    return body.rstrip(), _Note(**values)


def _command_line(command: str) -> str:
    return COMMAND_PREFIX + _code(command)


def _split_command(description: str) -> tuple[str, str]:
    """The description without its last line when that line is a noted command, and the
    command (or "")."""
    body, _, last = description.rstrip().rpartition("\n")
    if last.startswith(COMMAND_PREFIX):
        command = _only_code_span(last.removeprefix(COMMAND_PREFIX).rstrip())
        if command and command.strip():
            return body.rstrip(), command
    return description, ""


# -- import -----------------------------------------------------------------------------------


@dataclass
class _Draft:
    """One Mattermost checklist item on its way to becoming a prr item."""

    where: str  # its path in the Mattermost file, for messages
    place: str  # the same, as a person reading the playbook in Mattermost would say it
    checklist: str
    title: str
    description: str
    due_days: int | None
    keywords: list[str]
    note: _Note | None
    conditional: bool
    owner: str | None = None
    named: list[str] = field(default_factory=list)


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
    playbook = _load(data)
    playbook_slug = _playbook_slug(playbook.title, slug)
    notices: list[str] = []
    drafts = _drafts(playbook, notices)
    problems = _apply_owner_options(drafts, owners, teams)
    for draft in drafts:
        if draft.owner is None:
            _resolve_owner(draft, teams)
    unmapped = [draft for draft in drafts if draft.owner is None]
    if problems or unmapped:
        raise _refusal(problems, unmapped, teams)
    sections = _sections(playbook.run_summary_template or "", notices)
    return Conversion(_validate(playbook, drafts, sections, playbook_slug, notices), tuple(notices))


def _load(data: bytes | str) -> _Playbook:
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
        playbook = _Playbook.model_validate(raw)
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


def _drafts(playbook: _Playbook, notices: list[str]) -> list[_Draft]:
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
            description, note = _read_note(item.description or "")
            command = (item.command or "").strip()
            if command and _split_command(description)[1] != command:
                description = f"{description.rstrip()}\n\n{_command_line(command)}".lstrip()
            if "task_actions" in item.model_fields_set:
                keywords = _done_keywords(item, where)
            else:
                # An Export file: Mattermost dropped the task actions, prr's note kept them.
                keywords = list(note.done) if note else []
            due = item.due_date or 0
            drafts.append(
                _Draft(
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


def _content(item: _Item) -> list[str]:
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


def _done_keywords(item: _Item, where: str) -> list[str]:
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


def _apply_owner_options(
    drafts: list[_Draft], owners: Mapping[str, str], teams: Mapping[str, str]
) -> list[str]:
    problems = []
    by_title: dict[str, list[_Draft]] = {}
    for draft in drafts:
        by_title.setdefault(draft.title.casefold(), []).append(draft)
    team_slugs = {slug.casefold(): slug for slug in teams}
    team_slugs.update({name.casefold(): slug for slug, name in teams.items()})
    for title, team in owners.items():
        option = _owner_option(title, team)
        matched = by_title.get(title.strip().casefold())
        owner = DRI if team.strip().casefold() == DRI else team_slugs.get(team.strip().casefold())
        if not matched:
            problems.append(f'{option}: the playbook has no item titled "{title.strip()}".')
        elif owner is None:
            problems.append(f"{option}: no team '{team.strip()}' (teams: {_team_list(teams)}).")
        else:
            for draft in matched:
                draft.owner = owner
                if owner == DRI:
                    draft.keywords = []  # the DRI ticks it by hand: no phrase completes it
    return problems


def _resolve_owner(draft: _Draft, teams: Mapping[str, str]) -> None:
    noted = draft.note.owner if draft.note else None
    if not draft.keywords:
        draft.owner = noted if noted in teams else DRI
        return
    if noted in teams:
        draft.owner = noted
        return
    named = sorted({slug for keyword in draft.keywords for slug in _teams_named(keyword, teams)})
    if len(named) == 1:
        draft.owner = named[0]
    draft.named = named


def _teams_named(phrase: str, teams: Mapping[str, str]) -> set[str]:
    """Teams whose slug or name is a whole word (or words) of the phrase, ignoring case."""
    folded = phrase.casefold()
    return {
        slug
        for slug, name in teams.items()
        for label in (slug, name)
        if label.strip()
        and re.search(rf"(?<![\w-]){re.escape(label.strip().casefold())}(?![\w-])", folded)
    }


def _refusal(problems: list[str], unmapped: list[_Draft], teams: Mapping[str, str]) -> InvalidInput:
    lines = list(problems)
    if unmapped:
        count = f"{len(unmapped)} item{'s' if len(unmapped) != 1 else ''}"
        lines.append(
            f"{count} of the Mattermost playbook {'are' if len(unmapped) != 1 else 'is'} "
            "completed by keywords, and prr cannot tell which team approves "
            f"{'them' if len(unmapped) != 1 else 'it'}: Mattermost binds keywords to users, "
            f"prr to a team. Map each item with --owner (teams: {_team_list(teams)}; "
            "or dri, to make it the DRI's and drop its keywords):"
        )
        for draft in unmapped:
            keywords = ", ".join(f'"{keyword}"' for keyword in draft.keywords)
            why = f"; names several teams: {', '.join(draft.named)}" if draft.named else ""
            lines.append(
                f"  {_owner_option(draft.title, 'TEAM')}   ({draft.checklist}; "
                f"keywords {keywords}{why})"
            )
    details = [
        {
            "item": draft.title,
            "keywords": draft.keywords,
            "option": _owner_option(draft.title, "TEAM"),
        }
        for draft in unmapped
    ]
    return InvalidInput("\n".join(lines), details={"problems": problems, "unmapped": details})


def _owner_option(title: str, team: str) -> str:
    """`--owner "TITLE=TEAM"`, quoted so that a shell passes it through unchanged."""
    quoted = re.sub(r'([\\"$`])', r"\\\1", f"{title.strip()}={team}")
    return f'--owner "{quoted}"'


def _team_list(teams: Mapping[str, str]) -> str:
    return ", ".join(sorted(teams)) or "none yet; add one with `prr team add`"


def _playbook_slug(title: str, slug: str | None) -> str:
    if slug is not None:
        if not _KEY.match(slug) or len(slug) > KEY_LENGTH:
            raise InvalidInput(
                f"--slug '{slug}' is not a playbook slug: up to {KEY_LENGTH} lowercase letters, "
                "digits and hyphens, starting with a letter or digit."
            )
        return slug
    made = _slugify(title)
    if not made:
        raise InvalidInput(f'Cannot make a slug from the title "{title}"; give one with --slug.')
    return made


def _slugify(text: str) -> str:
    # Punctuation separates words ("Go/no-go" -> "go-no-go"), as spaces do.
    words = re.sub(r"[^\w\s-]|_", " ", text)
    return slugify(words)[:KEY_LENGTH].strip("-")


def _item_keys(drafts: list[_Draft]) -> list[str]:
    """The key prr noted on export when it is free, else one made from the title; unique."""
    noted = [d.note.key if d.note and d.note.key else None for d in drafts]
    reserved = {key for key in noted if key}
    taken: set[str] = set()
    keys = []
    for draft, key in zip(drafts, noted, strict=True):
        if key is None or key in taken:
            base = _slugify(draft.title) or "item"
            key, n = base, 2
            while key in taken or key in reserved:
                key = f"{base[: KEY_LENGTH - len(str(n)) - 1]}-{n}"
                n += 1
        taken.add(key)
        keys.append(key)
    return keys


def _sections(template: str, notices: list[str]) -> list[dict[str, Any]]:
    """The review sections prr wrote into the run summary template (see
    `_run_summary_template`); none from a template prr did not write."""
    pieces = _SECTION_LINE.split(template.replace("\r\n", "\n"))
    sections, problems = [], []
    for block, key in zip(pieces[0:-1:2], pieces[1::2], strict=True):
        where = f"run_summary_template, section `{key}`"
        paragraphs = [p.strip("\n") for p in re.split(r"\n[ \t]*\n", block.strip()) if p.strip()]
        heading = paragraphs[0] if paragraphs else ""
        questions = paragraphs[-1].splitlines() if len(paragraphs) > 1 else []
        if not heading.startswith("### ") or "\n" in heading:
            problems.append(f"{where}: expected its title on a `### ` line first")
        elif not questions or not all(line.startswith("- ") for line in questions):
            problems.append(
                f"{where}: expected its questions, one `- ` line each, just before "
                f"`{SECTION_PREFIX}`{key}``"
            )
        else:
            sections.append(
                {
                    "key": key,
                    "title": heading.removeprefix("### "),
                    "description": "\n\n".join(paragraphs[1:-1]),
                    "questions": [line.removeprefix("- ") for line in questions],
                }
            )
    if problems:
        raise InvalidInput(
            "The Mattermost playbook's run summary template cannot become review sections:\n"
            + "\n".join(f"  {line}" for line in problems),
            details=problems,
        )
    if sections and pieces[-1].strip():
        lines = len(pieces[-1].strip().splitlines())
        notices.append(
            f"Not imported: {lines} line{'s' if lines != 1 else ''} of the run summary template "
            "after its last section."
        )
    return sections


def _validate(
    playbook: _Playbook,
    drafts: list[_Draft],
    sections: list[dict[str, Any]],
    slug: str,
    notices: list[str],
) -> PlaybookSpec:
    checklists: dict[str, list[dict[str, Any]]] = {}
    # prr path -> where the Mattermost item or section is, and what to add after the problem
    places: dict[str, tuple[str, str]] = {}
    for n, section in enumerate(sections):
        places[f"sections[{n}]"] = (f"run_summary_template, section `{section['key']}`", "")
    for draft, key in zip(drafts, _item_keys(drafts), strict=True):
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


def _item(draft: _Draft, key: str) -> dict[str, Any]:
    note = draft.note or _Note()
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


# -- export -----------------------------------------------------------------------------------


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
        "run_summary_template": _run_summary_template(spec),
        "metrics": [],
    }


def _mattermost_item(item: Item) -> dict[str, Any]:
    # The command goes back to its own field, where Mattermost offers to run it.
    description, command = _split_command(item.description)
    description = f"{description.rstrip()}\n\n{_write_note(item)}".lstrip()
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


def _run_summary_template(spec: PlaybookSpec) -> str:
    """A `###` heading per section, its description, its questions as bullets, and a line with
    its key, which ends the section when prr reads the template back (see `_sections`)."""
    blocks = []
    for section in spec.sections:
        lines = [f"### {section.title}"]
        if section.description:
            lines += ["", section.description]
        lines += [""] + [f"- {question}" for question in section.questions]
        lines += ["", f"{SECTION_PREFIX}`{section.key}`"]
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def mattermost_json(spec: PlaybookSpec) -> str:
    """The export as text, indented like the files Mattermost writes."""
    return json.dumps(mattermost_from_spec(spec), indent=4, ensure_ascii=False) + "\n"

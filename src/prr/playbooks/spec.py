"""The schema of a playbook: what a YAML playbook file may say, validated by pydantic."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

DRI = "dri"

Key = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=64)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
Markdown = Annotated[str, StringConstraints(strip_whitespace=True, max_length=20_000)]
Phrase = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=200)]
# A review kind is a slug the playbook defines (`kinds: [schema, engine]`); a playbook that
# names none has these.
Kind = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=32)]
KINDS: tuple[str, ...] = ("service", "feature", "infrastructure")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TaskAction(_Strict):
    """When a current member of `team` writes one of `phrases`, the item becomes `then`."""

    phrases: list[Phrase] = Field(min_length=1)
    team: Key
    then: Literal["done", "reopen"]


class Item(_Strict):
    key: Key
    title: Text
    description: Markdown = ""
    owner: Key = DRI
    required: bool = True
    allow_na: bool | None = None
    kinds: list[Kind] | None = None
    due_days: int | None = Field(default=None, ge=0, le=3650)
    # An approval an admin may waive (other items may be waived wherever they may be n/a).
    waivable: bool = False
    task_actions: list[TaskAction] = []

    @model_validator(mode="after")
    def _defaults_and_approvals(self) -> Item:
        if self.allow_na is None:
            # Frozen model: the normalised default is written once, here.
            object.__setattr__(self, "allow_na", self.owner == DRI)
        if self.allow_na and self.is_approval:
            raise ValueError("an approval (an item a task action marks done) cannot allow n/a")
        return self

    @property
    def is_approval(self) -> bool:
        return any(action.then == "done" for action in self.task_actions)


class Checklist(_Strict):
    title: Text
    items: list[Item] = Field(min_length=1)


class Section(_Strict):
    key: Key
    title: Text
    description: Markdown = ""
    questions: list[Text] = Field(min_length=1)
    kinds: list[Kind] | None = None  # only reviews of these kinds have the section
    # A required section must be answered before the review closes (an admin's force-close
    # aside); every unanswered section is shown before closing either way.
    required: bool = False


class PlaybookSpec(_Strict):
    slug: Key
    title: Text
    description: Markdown = ""
    kinds: list[Kind] = Field(default_factory=lambda: list(KINDS), min_length=1)
    sections: list[Section] = []
    checklists: list[Checklist] = Field(min_length=1)
    # A closed review is due for a re-review this many days after it closed.
    recertify_after_days: int | None = Field(default=None, ge=1, le=3650)

    @model_validator(mode="after")
    def _unique_keys_and_known_kinds(self) -> PlaybookSpec:
        problems: list[str] = []
        if len(set(self.kinds)) != len(self.kinds):
            problems.append("kinds: a kind is listed twice")
        seen_sections: set[str] = set()
        for i, section in enumerate(self.sections):
            if section.key in seen_sections:
                problems.append(f"sections[{i}].key: duplicate key '{section.key}'")
            seen_sections.add(section.key)
            problems.extend(self._unknown_kinds(f"sections[{i}]", section.kinds))
        seen_items: set[str] = set()
        for c, checklist in enumerate(self.checklists):
            for i, item in enumerate(checklist.items):
                where = f"checklists[{c}].items[{i}]"
                if item.key in seen_items:
                    problems.append(f"{where}.key: duplicate key '{item.key}'")
                seen_items.add(item.key)
                problems.extend(self._unknown_kinds(where, item.kinds))
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def _unknown_kinds(self, where: str, kinds: list[str] | None) -> list[str]:
        return [
            f"{where}.kinds: '{kind}' is not one of the playbook's kinds ({', '.join(self.kinds)})"
            for kind in kinds or []
            if kind not in self.kinds
        ]

    def sections_for(self, kind: str) -> list[Section]:
        """The review document of a review of this kind."""
        return [s for s in self.sections if s.kinds is None or kind in s.kinds]

    def items(self) -> list[tuple[Checklist, Item]]:
        return [(checklist, item) for checklist in self.checklists for item in checklist.items]

    def team_references(self) -> list[tuple[str, str]]:
        """Every (path, team slug) the playbook names, for checking that the teams exist."""
        refs: list[tuple[str, str]] = []
        for c, checklist in enumerate(self.checklists):
            for i, item in enumerate(checklist.items):
                where = f"checklists[{c}].items[{i}]"
                if item.owner != DRI:
                    refs.append((f"{where}.owner", item.owner))
                for a, action in enumerate(item.task_actions):
                    refs.append((f"{where}.task_actions[{a}].team", action.team))
        return refs

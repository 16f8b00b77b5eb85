"""What changed between two snapshots of a review: the document section by section, the
checklist item by item, with both snapshots' SHA-256.

Snapshots are never edited, so a diff is computed from their stored content whenever it is
asked for; nothing is stored.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Any

from prr.errors import InvalidInput, NotFound
from prr.reviews.models import Review, Snapshot

ITEM_FIELDS = ("state", "na_reason", "changed_by", "via", "required", "owner", "title")


@dataclass(frozen=True)
class SectionChange:
    key: str
    title: str
    change: str  # "added", "removed", "changed", "answered", "unanswered"
    diff: list[str] = field(default_factory=list)  # unified diff lines of the answer


@dataclass(frozen=True)
class ItemChange:
    key: str
    title: str
    change: str  # "added", "removed", "changed"
    fields: dict[str, tuple[Any, Any]] = field(default_factory=dict)  # name -> (before, after)


@dataclass(frozen=True)
class SnapshotDiff:
    review: str
    before: Snapshot
    after: Snapshot
    sections: list[SectionChange]
    items: list[ItemChange]

    @property
    def unchanged(self) -> bool:
        return not self.sections and not self.items

    def as_dict(self) -> dict[str, Any]:
        return {
            "review": self.review,
            "from": {
                "review": self.before.content.get("review", {}).get("ref"),
                "version": self.before.version,
                "sha256": self.before.sha256,
            },
            "to": {
                "review": self.after.content.get("review", {}).get("ref"),
                "version": self.after.version,
                "sha256": self.after.sha256,
            },
            "sections": [
                {"section": s.key, "title": s.title, "change": s.change, "diff": s.diff}
                for s in self.sections
            ],
            "items": [
                {
                    "item": i.key,
                    "title": i.title,
                    "change": i.change,
                    "fields": {
                        name: {"from": before, "to": after}
                        for name, (before, after) in i.fields.items()
                    },
                }
                for i in self.items
            ],
        }


def pick_snapshots(
    review: Review, before: int | None = None, after: int | None = None
) -> tuple[Snapshot, Snapshot]:
    """The two snapshots to compare: by default the last two."""
    versions = list(review.snapshots.order_by("version"))
    if len(versions) < 2 and (before is None or after is None):
        raise NotFound(
            f"{review.ref} has {len(versions)} snapshot(s); a diff needs two (a review gets "
            "another when it is reopened and closed again)."
        )
    by_number = {s.version: s for s in versions}
    before = versions[-2].version if before is None else before
    after = versions[-1].version if after is None else after
    for number in (before, after):
        if number not in by_number:
            known = ", ".join(str(v) for v in by_number) or "none"
            raise NotFound(f"{review.ref} has no snapshot v{number} (snapshots: {known}).")
    if before == after:
        raise InvalidInput(f"Choose two different snapshots, not v{before} twice.")
    return by_number[before], by_number[after]


def against_previous(review: Review) -> tuple[Snapshot, Snapshot]:
    """The last snapshot of the review this one re-reviews, and this one's last."""
    if review.previous_id is None:
        raise NotFound(f"{review.ref} is not the re-review of another review.")
    before = Snapshot.objects.filter(review_id=review.previous_id).order_by("-version").first()
    after = review.snapshots.order_by("-version").first()
    if before is None or after is None:
        raise NotFound(f"{review.ref} and the review it re-reviews need a snapshot each.")
    return before, after


def diff_snapshots(review: Review, before: Snapshot, after: Snapshot) -> SnapshotDiff:
    old, new = before.content, after.content
    return SnapshotDiff(
        review.ref,
        before,
        after,
        _sections(old.get("sections", []), new.get("sections", []), before, after),
        _items(old.get("items", []), new.get("items", [])),
    )


def _sections(
    old: list[dict[str, Any]], new: list[dict[str, Any]], before: Snapshot, after: Snapshot
) -> list[SectionChange]:
    was = {s["key"]: s for s in old}
    now = {s["key"]: s for s in new}
    changes = []
    for key in [*now, *(k for k in was if k not in now)]:
        a, b = was.get(key), now.get(key)
        title = (b or a or {}).get("title", key)
        if a is None:
            changes.append(SectionChange(key, title, "added"))
            continue
        if b is None:
            changes.append(SectionChange(key, title, "removed"))
            continue
        text_a, text_b = a.get("answer") or "", b.get("answer") or ""
        if text_a == text_b:
            continue
        change = "answered" if not text_a else "unanswered" if not text_b else "changed"
        diff = list(
            difflib.unified_diff(
                text_a.splitlines(),
                text_b.splitlines(),
                fromfile=f"v{before.version}",
                tofile=f"v{after.version}",
                lineterm="",
            )
        )
        changes.append(SectionChange(key, title, change, diff))
    return changes


def _items(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> list[ItemChange]:
    was = {i["key"]: i for i in old}
    now = {i["key"]: i for i in new}
    changes = []
    for key in [*now, *(k for k in was if k not in now)]:
        a, b = was.get(key), now.get(key)
        title = (b or a or {}).get("title", key)
        if a is None or b is None:
            changes.append(ItemChange(key, title, "added" if a is None else "removed"))
            continue
        fields = {name: (a.get(name), b.get(name)) for name in ITEM_FIELDS}
        differing = {name: pair for name, pair in fields.items() if pair[0] != pair[1]}
        if differing:
            changes.append(ItemChange(key, title, "changed", differing))
    return changes

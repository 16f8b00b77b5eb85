"""Everything the review page shows, read once per render in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from prr.accounts.models import User
from prr.reviews.models import Answer, Review, ReviewItem
from prr.reviews.queries import get_review, items_of, live_version, missing_items
from prr.reviews.services import may, may_change_item, owns_item, who_may_change


@dataclass
class SectionRow:
    key: str
    title: str
    description: str
    questions: list[str]
    answer: Answer | None
    error: str = ""
    draft: str | None = None

    @property
    def text(self) -> str:
        """What the edit box holds: a refused draft, else the current answer."""
        if self.draft is not None:
            return self.draft
        return self.answer.body if self.answer else ""


@dataclass
class ItemRow:
    item: ReviewItem
    can_change: bool
    who: str
    error: str = ""
    reason: str = ""


@dataclass
class Checklist:
    title: str
    rows: list[ItemRow] = field(default_factory=list)


@dataclass
class Refusal:
    """A refused action, shown where it was made, with what the person had typed."""

    where: str  # "composer", "section:<key>" or "item:<key>"
    message: str
    text: str = ""
    details: list[str] = field(default_factory=list)


def sections_of(review: Review, refusal: Refusal | None) -> list[SectionRow]:
    answers = {a.section_key: a for a in review.answers.select_related("updated_by")}
    rows = []
    for section in review.playbook_version.spec.sections:
        row = SectionRow(
            section.key,
            section.title,
            section.description,
            list(section.questions),
            answers.get(section.key),
        )
        if refusal is not None and refusal.where == f"section:{section.key}":
            row.error, row.draft = refusal.message, refusal.text
        rows.append(row)
    return rows


def checklists_of(review: Review, user: User, refusal: Refusal | None) -> list[Checklist]:
    owns: dict[int | None, bool] = {}  # the answer is the same for every item of one owner
    checklists: list[Checklist] = []
    for item in items_of(review):
        if item.owner_team_id not in owns:
            owns[item.owner_team_id] = owns_item(user, item, review)
        row = ItemRow(
            item,
            can_change=may_change_item(user, item, review, owner=owns[item.owner_team_id]),
            who=who_may_change(item, review),
        )
        if refusal is not None and refusal.where == f"item:{item.key}":
            row.error, row.reason = refusal.message, refusal.text
        if not checklists or checklists[-1].title != item.checklist:
            checklists.append(Checklist(item.checklist))
        checklists[-1].rows.append(row)
    return checklists


def missing_by_owner(review: Review) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for missing in missing_items(review):
        team = missing.item.owner_team
        owner = f"Team {team.name}" if team is not None else "DRI"
        grouped.setdefault(owner, []).append(missing.reason)
    return grouped


# The channel shows its latest messages (what a live update sends again to every open page);
# the rest are one link away.
CHANNEL_WINDOW = 200


def channel_of(review: Review, *, all_messages: bool) -> dict[str, Any]:
    messages = review.messages.select_related("author").order_by("-created_at", "-pk")
    shown = list(messages if all_messages else messages[:CHANNEL_WINDOW])
    shown.reverse()
    hidden = 0 if all_messages or len(shown) < CHANNEL_WINDOW else messages.count() - len(shown)
    return {
        "channel": shown,
        "channel_hidden": hidden,
        "channel_first": shown[0].pk if shown and hidden else 0,
        "all_messages": all_messages,
    }


def review_context(
    review: Review,
    user: User,
    *,
    refusal: Refusal | None = None,
    all_messages: bool = False,
) -> dict[str, Any]:
    review = get_review(review.number)  # fresh: an action may just have changed it
    missing = missing_by_owner(review) if review.is_open else {}
    return {
        "review": review,
        "spec": review.playbook_version.spec,
        "missing": missing,
        "ready": review.is_open and not missing,
        "reviewer_teams": list(review.reviewer_teams.order_by("name")),
        "reviewers": list(review.reviewers.order_by("username")),
        "snapshots": list(review.snapshots.order_by("version").only("version", "created_at")),
        "chat_links": list(review.channel_links.all()),
        "sections": sections_of(review, refusal),
        "can_answer": may("answer", user, review),
        "checklists": checklists_of(review, user, refusal),
        **channel_of(review, all_messages=all_messages),
        "timeline": list(review.timeline.select_related("actor").order_by("-created_at", "-pk")),
        "can_close": may("close", user, review),
        "can_cancel": may("cancel", user, review),
        "can_reopen": may("reopen", user, review),
        "live": live_version(review.number),
        "refusal": refusal,
    }

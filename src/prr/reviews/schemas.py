"""One representation of each review object, read from the ORM.

These schemas are the only shape a review, an item, a section, a message, a timeline event, a
snapshot, a waiver or a follow-up has outside prr: the REST API answers with them (and its
OpenAPI document is generated from them, with the descriptions below), `prr … --json` prints
them (`prr.representation.as_json`), and webhook payloads carry them. Two faces never build
the same dict by hand.

Each `of()` reads a fixed number of queries, whatever the size of the review.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any, Literal, Self

from django.db.models import Count
from ninja import Field, Schema

from prr.playbooks.spec import Section
from prr.representation import Timestamp
from prr.reviews.models import (
    Answer,
    FollowUp,
    Message,
    Review,
    ReviewItem,
    Snapshot,
    TimelineEvent,
    Waiver,
)

ReviewStatus = Literal["open", "closed", "cancelled"]
ItemState = Literal["open", "done", "n/a", "waived"]


# -- readiness --------------------------------------------------------------------------------


class MissingOut(Schema):
    item: str = Field(examples=["sre-review"])
    title: str = Field(examples=["SRE review"])
    owner: str = Field(description="'dri' or the owning team's slug.", examples=["sre"])
    reason: str = Field(
        examples=["SRE review is still open; waiting for a member of team SRE to approve"]
    )


class MissingSectionOut(Schema):
    section: str = Field(examples=["summary"])
    title: str = Field(examples=["Summary"])


class ReadinessOut(Schema):
    """Built by `queries.readiness`, the one place that decides what a review waits on."""

    ref: str = Field(examples=["PRR-12"])
    status: ReviewStatus
    ready: bool = Field(
        description="Open, with every required item done or n/a and every required section "
        "answered."
    )
    closed: bool = Field(description="Closed: approved and frozen in a snapshot.")
    required: int
    complete: int
    missing: list[MissingOut]
    missing_sections: list[MissingSectionOut] = Field(
        description="Sections the playbook marks `required: true` that have no answer yet."
    )

    @classmethod
    def of(cls, review: Review, items: list[ReviewItem] | None = None) -> ReadinessOut:
        from prr.reviews.queries import readiness

        return cls.model_validate(readiness(review, items))


# -- reviews ----------------------------------------------------------------------------------


class ReviewSummaryOut(Schema):
    number: int = Field(examples=[12])
    ref: str = Field(examples=["PRR-12"])
    title: str = Field(examples=["Payments API v2 launch in eu-west"])
    kind: str = Field(examples=["service"])
    status: ReviewStatus
    dri: str = Field(examples=["dana"])
    playbook: str = Field(examples=["prr"])
    playbook_version: int
    created_at: Timestamp
    closed_at: Timestamp | None
    required: int = Field(description="Required checklist items.")
    complete: int = Field(description="Required items done, n/a or waived.")
    url: str = Field(description="The review's page in the web UI.")

    @staticmethod
    def fields_of(review: Review, *, required: int, complete: int) -> dict[str, Any]:
        return {
            "number": review.number,
            "ref": review.ref,
            "title": review.title,
            "kind": review.kind,
            "status": review.status,
            "dri": review.dri.username,
            "playbook": review.playbook_version.playbook.slug,
            "playbook_version": review.playbook_version.number,
            "created_at": review.created_at,
            "closed_at": review.closed_at,
            "required": required,
            "complete": complete,
            "url": review.absolute_url,
        }

    @classmethod
    def with_progress(cls, review: Review, *, required: int, complete: int) -> ReviewSummaryOut:
        return cls(**cls.fields_of(review, required=required, complete=complete))

    @classmethod
    def list_of(cls, reviews: Iterable[Review]) -> list[ReviewSummaryOut]:
        """A page of a list of reviews, with their progress read in one query."""
        from prr.reviews.queries import progress_of

        shown = list(reviews)
        progress = progress_of(shown)
        return [
            cls.with_progress(r, required=progress[r.pk].required, complete=progress[r.pk].complete)
            for r in shown
        ]


class ItemOut(Schema):
    key: str = Field(examples=["sre-review"])
    checklist: str
    title: str
    description: str
    owner: str = Field(description="'dri' or the owning team's slug.")
    required: bool
    allow_na: bool
    state: ItemState
    na_reason: str | None
    changed_by: str | None
    changed_at: Timestamp | None
    via: str | None = Field(description="manual, message, api or check.")
    message: int | None = Field(description="The message whose phrase changed it.")
    due_at: Timestamp | None
    assignee: str | None = Field(description="The person working on it (a username), if any.")

    @classmethod
    def of(cls, item: ReviewItem) -> ItemOut:
        """An item read with `queries.items_of` (its people and team joined)."""
        return cls(
            key=item.key,
            checklist=item.checklist,
            title=item.title,
            description=item.description,
            owner=item.owner_label,
            required=item.required,
            allow_na=item.allow_na,
            state=item.state,  # type: ignore[arg-type]
            na_reason=item.na_reason or None,
            changed_by=item.changed_by.username if item.changed_by else None,
            changed_at=item.changed_at,
            via=item.changed_via or None,
            message=item.changed_by_message_id,
            due_at=item.due_at,
            assignee=item.assignee.username if item.assignee else None,
        )


class SectionOut(Schema):
    """A section of the review document with the DRI's answer."""

    key: str = Field(examples=["observability"])
    title: str
    questions: list[str]
    answer: str | None = Field(description="The DRI's answer (Markdown); null: not answered.")
    answered_by: str | None
    answered_at: Timestamp | None
    revisions: int = Field(description="Texts the answer has had (every edit is kept).")

    @classmethod
    def of(cls, section: Section, answer: Answer | None) -> SectionOut:
        """`answer` read with `answers_of` (its author and revision count)."""
        return cls(
            key=section.key,
            title=section.title,
            questions=list(section.questions),
            answer=answer.body if answer else None,
            answered_by=answer.updated_by.username if answer else None,
            answered_at=answer.updated_at if answer else None,
            revisions=answer.revision_count if answer else 0,  # type: ignore[attr-defined]
        )

    @classmethod
    def list_of(cls, review: Review, sections: list[Section] | None = None) -> list[SectionOut]:
        """The review's sections (or those given) with their answers, in one query."""
        shown = review.document_sections if sections is None else sections
        answers = answers_of(review, [s.key for s in shown])
        return [cls.of(s, answers.get(s.key)) for s in shown]


def answers_of(review: Review, keys: list[str]) -> dict[str, Answer]:
    return {
        a.section_key: a
        for a in Answer.objects.filter(review=review, section_key__in=keys)
        .select_related("updated_by")
        .annotate(revision_count=Count("revisions"))
    }


class SnapshotSummaryOut(Schema):
    version: int
    sha256: str
    created_at: Timestamp
    created_by: str

    @classmethod
    def of(cls, snapshot: Snapshot) -> Self:
        return cls(**cls.fields_of(snapshot))

    @staticmethod
    def fields_of(snapshot: Snapshot) -> dict[str, Any]:
        return {
            "version": snapshot.version,
            "sha256": snapshot.sha256,
            "created_at": snapshot.created_at,
            "created_by": snapshot.created_by.username,
        }


class ReviewOut(ReviewSummaryOut):
    reviewer_teams: list[str]
    reviewers: list[str]
    approved_with_follow_ups: list[str] = Field(
        description="Reviewer teams whose approval is done with follow-ups they raised still open."
    )
    open_follow_ups: int
    previous: str | None = Field(description="The review this one re-reviews (`PRR-3`).")
    readiness: ReadinessOut
    items: list[ItemOut]
    sections: list[SectionOut]
    snapshots: list[SnapshotSummaryOut]

    @classmethod
    def of(cls, review: Review) -> ReviewOut:
        """The whole review; a fixed number of queries, however many items and answers."""
        from prr.reviews.follow_ups import approved_with_follow_ups
        from prr.reviews.queries import items_of

        items = list(items_of(review))
        ready = ReadinessOut.of(review, items)
        return cls(
            **cls.fields_of(review, required=ready.required, complete=ready.complete),
            reviewer_teams=[t.slug for t in review.reviewer_teams.order_by("slug")],
            reviewers=[u.username for u in review.reviewers.order_by("username")],
            approved_with_follow_ups=sorted(
                review.reviewer_teams.filter(pk__in=approved_with_follow_ups(review)).values_list(
                    "slug", flat=True
                )
            ),
            open_follow_ups=review.follow_ups.filter(done_at__isnull=True).count(),
            previous=review.previous.ref if review.previous else None,
            readiness=ready,
            items=[ItemOut.of(i) for i in items],
            sections=SectionOut.list_of(review),
            snapshots=[
                SnapshotSummaryOut.of(s)
                for s in review.snapshots.select_related("created_by").order_by("version")
            ],
        )


class ReviewEventOut(ReviewSummaryOut):
    """The review an event happened to, in a webhook payload: its summary and readiness."""

    readiness: ReadinessOut

    @classmethod
    def of(cls, review: Review) -> ReviewEventOut:
        ready = ReadinessOut.of(review)
        return cls(
            **cls.fields_of(review, required=ready.required, complete=ready.complete),
            readiness=ready,
        )


class EventPayloadOut(Schema):
    """The body of a webhook delivery (docs/webhooks.md), frozen when the event happens."""

    id: str = Field(description="The event's id (a UUID): the same on every retry.")
    type: str = Field(examples=["review.item_changed"])
    occurred_at: Timestamp
    actor: str | None = Field(description="Who caused it (a username); null: prr itself.")
    review: ReviewEventOut
    change: dict[str, Any] = Field(description="What changed; its keys depend on the type.")


# -- the channel ------------------------------------------------------------------------------


class MessageOut(Schema):
    id: int
    author: str | None = Field(description="None for prr's own replies.")
    body: str
    source: str = Field(examples=["api"])
    external_id: str | None
    in_reply_to: int | None
    created_at: Timestamp
    edited_at: Timestamp | None

    @classmethod
    def of(cls, message: Message) -> MessageOut:
        return cls(
            id=message.pk,
            author=message.author.username if message.author else None,
            body=message.body,
            source=message.source,
            external_id=message.external_id,
            in_reply_to=message.in_reply_to_id,
            created_at=message.created_at,
            edited_at=message.edited_at,
        )


class EffectOut(Schema):
    item: str
    state: str


class PostedOut(Schema):
    message: MessageOut
    effects: list[EffectOut] = Field(description="Items the message's phrases changed.")
    replies: list[MessageOut] = Field(description="prr's replies in the channel.")
    duplicate: bool = Field(description="True when this external_id was already stored.")

    @classmethod
    def of(cls, result: Any) -> PostedOut:
        """What `channel.post_message` did (a `PostResult`)."""
        return cls(
            message=MessageOut.of(result.message),
            effects=[EffectOut(item=e.item, state=e.state) for e in result.effects],
            replies=[MessageOut.of(m) for m in result.replies],
            duplicate=result.duplicate,
        )


# -- history ----------------------------------------------------------------------------------


class TimelineEventOut(Schema):
    id: int
    kind: str = Field(examples=["item.changed"])
    summary: str
    actor: str | None
    item: str | None
    message: int | None
    data: dict[str, Any]
    created_at: Timestamp

    @classmethod
    def of(cls, event: TimelineEvent) -> TimelineEventOut:
        """An event read with its actor and item joined."""
        return cls(
            id=event.pk,
            kind=event.kind,
            summary=event.summary,
            actor=event.actor.username if event.actor else None,
            item=event.item.key if event.item else None,
            message=event.message_id,
            data=event.data,
            created_at=event.created_at,
        )


class AddendumOut(Schema):
    follow_up: int
    text: str
    done_at: Timestamp
    done_by: str | None


class SnapshotOut(SnapshotSummaryOut):
    content: dict[str, Any] = Field(description="The frozen review; `sha256` is computed over it.")
    addenda: list[AddendumOut] = Field(
        description="Follow-ups done after the snapshot was written (not part of its hash)."
    )

    @classmethod
    def of(cls, snapshot: Snapshot) -> Self:
        from prr.reviews.follow_ups import addenda

        return cls(**cls.fields_of(snapshot), content=snapshot.content, addenda=addenda(snapshot))


# -- beyond the gate --------------------------------------------------------------------------


class WaiverOut(Schema):
    review: str = Field(examples=["PRR-12"])
    item: str
    title: str
    reason: str
    owner: str = Field(examples=["team SRE", "@sam"])
    until: date = Field(description="The waiver's last day.")
    granted_by: str
    granted_at: Timestamp

    @classmethod
    def of(cls, waiver: Waiver) -> WaiverOut:
        return cls(
            review=waiver.item.review.ref,
            item=waiver.item.key,
            title=waiver.item.title,
            reason=waiver.reason,
            owner=waiver.owner_label,
            until=waiver.expires_on,
            granted_by=waiver.granted_by.username,
            granted_at=waiver.granted_at,
        )


class FollowUpOut(Schema):
    review: str = Field(examples=["PRR-12"])
    number: int
    text: str
    owner: str = Field(examples=["team SRE", "@dana"])
    due: date | None
    link: str | None = Field(description="Its issue in a tracker.")
    raised_by: str
    done: bool

    @classmethod
    def of(cls, follow_up: FollowUp) -> FollowUpOut:
        return cls(
            review=follow_up.review.ref,
            number=follow_up.number,
            text=follow_up.text,
            owner=follow_up.owner_label,
            due=follow_up.due_on,
            link=follow_up.link or None,
            raised_by=follow_up.raised_by.username,
            done=follow_up.done_at is not None,
        )


class DueOut(Schema):
    ref: str = Field(examples=["PRR-3"])
    title: str
    dri: str
    why: str = Field(examples=["a waiver expired"])

    @classmethod
    def of(cls, due: Any) -> DueOut:
        """A review due for a re-review (`rereview.Due`)."""
        review = due.review
        return cls(ref=review.ref, title=review.title, dri=review.dri.username, why=due.why)

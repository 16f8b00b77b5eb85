"""Request and response bodies of the API, with examples for the OpenAPI document."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from ninja import Field, Schema

from prr.reviews.channel import MESSAGE_MAX_CHARS
from prr.reviews.services import ANSWER_MAX_CHARS, REASON_MAX_CHARS, TITLE_MAX_CHARS

Username = str
ReviewStatus = Literal["open", "closed", "cancelled"]


# -- people and teams -------------------------------------------------------------------------


class UserOut(Schema):
    username: str = Field(examples=["dana"])
    name: str = Field(examples=["Dana Reyes"])
    admin: bool
    bot: bool
    active: bool
    teams: list[str] = Field(examples=[["sre"]])


class TeamOut(Schema):
    slug: str = Field(examples=["sre"])
    name: str = Field(examples=["SRE"])
    members: list[str] = Field(description="Usernames of current members.", examples=[["sam"]])


class TeamIn(Schema):
    slug: str = Field(min_length=1, max_length=50, examples=["dba"])
    name: str = Field("", max_length=100, examples=["Databases"])


class MembersIn(Schema):
    usernames: list[Username] = Field(min_length=1, max_length=200, examples=[["sam", "paula"]])


class TokenOut(Schema):
    id: int
    name: str = Field(examples=["deploy pipeline"])
    user: str
    prefix: str = Field(description="The token's visible start.", examples=["prr_3f9a1c2b7d4e_"])
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class TokenIn(Schema):
    name: str = Field(min_length=1, max_length=100, examples=["deploy pipeline"])


class TokenCreatedOut(TokenOut):
    token: str = Field(description="The token itself: shown this once, never again.")


# -- reviews ----------------------------------------------------------------------------------


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


class ReviewSummaryOut(Schema):
    number: int = Field(examples=[12])
    ref: str = Field(examples=["PRR-12"])
    title: str = Field(examples=["Payments API v2 launch in eu-west"])
    kind: str = Field(examples=["service"])
    status: ReviewStatus
    dri: str = Field(examples=["dana"])
    playbook: str = Field(examples=["prr"])
    playbook_version: int
    created_at: datetime
    closed_at: datetime | None
    required: int = Field(description="Required checklist items.")
    complete: int = Field(description="Required items done or n/a.")
    url: str = Field(description="The review's page in the web UI.")


class ItemOut(Schema):
    key: str = Field(examples=["sre-review"])
    checklist: str
    title: str
    description: str
    owner: str = Field(description="'dri' or the owning team's slug.")
    required: bool
    allow_na: bool
    state: Literal["open", "done", "n/a", "waived"]
    na_reason: str | None
    changed_by: str | None
    changed_at: datetime | None
    via: str | None = Field(description="manual, message, api or check.")
    message: int | None = Field(description="The message whose phrase changed it.")
    due_at: datetime | None
    assignee: str | None = Field(description="The person working on it (a username), if any.")


class SectionOut(Schema):
    key: str = Field(examples=["observability"])
    title: str
    questions: list[str]
    answer: str | None = Field(description="The DRI's answer (Markdown).")
    answered_by: str | None
    answered_at: datetime | None


class SnapshotSummaryOut(Schema):
    version: int
    sha256: str
    created_at: datetime
    created_by: str


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


class StartReviewIn(Schema):
    playbook: str = Field(min_length=1, max_length=64, examples=["prr"])
    version: int | None = Field(None, ge=1, description="Default: the latest version.")
    kind: str | None = Field(None, max_length=32, examples=["service"])
    title: str = Field(
        min_length=1,
        max_length=TITLE_MAX_CHARS,
        description="Self-descriptive: at least 3 words and 15 characters, unique among open "
        "reviews.",
        examples=["Payments API v2 launch in eu-west"],
    )
    dri: Username | None = Field(None, description="Default: the caller. Admins may name anyone.")
    reviewers: list[Username] = Field(default_factory=list, max_length=100)


class ReviewersIn(Schema):
    users: list[Username] = Field(default_factory=list, max_length=100)
    teams: list[str] = Field(default_factory=list, max_length=50)


class ItemStateIn(Schema):
    state: Literal["done", "open", "n/a"]
    reason: str = Field(
        "", max_length=REASON_MAX_CHARS, description="Required for n/a.", examples=[""]
    )


class AnswerOut(Schema):
    section: str
    title: str
    questions: list[str]
    body: str | None
    updated_by: str | None
    updated_at: datetime | None
    revisions: int


class AnswerIn(Schema):
    body: str = Field(
        min_length=1,
        max_length=ANSWER_MAX_CHARS,
        examples=["Dashboards: https://grafana.example.com/d/payments. Alerts page the on-call."],
    )


class MessageOut(Schema):
    id: int
    author: str | None = Field(description="None for prr's own replies.")
    body: str
    source: str = Field(examples=["api"])
    external_id: str | None
    in_reply_to: int | None
    created_at: datetime
    edited_at: datetime | None


class MessageIn(Schema):
    body: str = Field(
        min_length=1, max_length=MESSAGE_MAX_CHARS, examples=["SRE review is completed"]
    )
    external_id: str | None = Field(
        None,
        max_length=200,
        description="Your id for this message: the same id posted twice is stored once.",
    )


class EffectOut(Schema):
    item: str
    state: str


class PostedOut(Schema):
    message: MessageOut
    effects: list[EffectOut] = Field(description="Items the message's phrases changed.")
    replies: list[MessageOut] = Field(description="prr's replies in the channel.")
    duplicate: bool = Field(description="True when this external_id was already stored.")


class CloseIn(Schema):
    force: bool = Field(False, description="Admins only: close with required items open.")
    reason: str = Field("", max_length=REASON_MAX_CHARS, description="Required with force.")


class ReasonIn(Schema):
    reason: str = Field(min_length=1, max_length=REASON_MAX_CHARS)


class TimelineEventOut(Schema):
    id: int
    kind: str = Field(examples=["item.changed"])
    summary: str
    actor: str | None
    item: str | None
    message: int | None
    data: dict[str, Any]
    created_at: datetime


class AddendumOut(Schema):
    follow_up: int
    text: str
    done_at: datetime
    done_by: str | None


class SnapshotOut(SnapshotSummaryOut):
    content: dict[str, Any] = Field(description="The frozen review; `sha256` is computed over it.")
    addenda: list[AddendumOut] = Field(
        description="Follow-ups done after the snapshot was written (not part of its hash)."
    )


# -- playbooks --------------------------------------------------------------------------------


class PlaybookOut(Schema):
    slug: str = Field(examples=["prr"])
    title: str
    latest_version: int | None
    versions: int


class PlaybookVersionOut(Schema):
    slug: str
    version: int
    digest: str
    created_at: datetime
    created_by: str | None
    spec: dict[str, Any] = Field(description="The validated playbook (see README, Playbooks).")


class ImportedOut(Schema):
    created: bool = Field(description="False when the content equals the latest version.")
    playbook: PlaybookVersionOut

"""/api/v1/reviews: the PRR process over HTTP, through the same services as every face."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from django.http import HttpRequest, HttpResponse
from ninja import Field, Path, Query, Router, Schema, Status

from prr.accounts.models import User
from prr.accounts.services import get_user
from prr.api.errors import COMMON_ERRORS
from prr.api.pagination import Page, PageParams, paginate
from prr.api.schemas import (
    AnswerIn,
    CloseIn,
    ItemStateIn,
    MessageIn,
    ReasonIn,
    ReviewersIn,
    StartReviewIn,
)
from prr.notifications.reminders import snooze
from prr.playbooks.services import get_playbook, get_version
from prr.reviews import answers, items, lifecycle, starting
from prr.reviews.assignment import assign_item
from prr.reviews.channel import post_message
from prr.reviews.follow_ups import complete_follow_up, open_follow_ups, raise_follow_up
from prr.reviews.models import Message, Review, ReviewItem
from prr.reviews.queries import (
    DEFAULT_SORT,
    SORT_KEYS,
    ReviewFilter,
    filter_reviews,
    get_review,
    get_snapshot,
    items_of,
)
from prr.reviews.reports import Scope, build_reports
from prr.reviews.rereview import due_for_rereview, request_rereview, restart_review
from prr.reviews.schemas import (
    DueOut,
    FollowUpOut,
    ItemOut,
    MessageOut,
    PostedOut,
    ReadinessOut,
    ReviewOut,
    ReviewSummaryOut,
    SectionOut,
    SnapshotOut,
    SnapshotSummaryOut,
    TimelineEventOut,
    WaiverOut,
)
from prr.reviews.services import get_section
from prr.reviews.snapshot_diff import against_previous, diff_snapshots, pick_snapshots
from prr.reviews.waivers import active_waivers, waive_item
from prr.teams.queries import person_or_team
from prr.teams.services import get_team

router = Router(tags=["reviews"])

Ref = Annotated[
    str,
    Path(
        pattern=r"^(?:[Pp][Rr][Rr]-)?[0-9]{1,9}$",
        description="The review: PRR-12 or 12.",
        examples=["PRR-12"],
    ),
]


def caller(request: HttpRequest) -> User:
    user = request.auth  # type: ignore[attr-defined]
    assert isinstance(user, User)
    return user


def responses(ok: int, schema: Any) -> dict[int, Any]:
    return {ok: schema, **COMMON_ERRORS}


class ReviewListParams(PageParams):
    status: Literal["open", "closed", "cancelled", "all"] = Field(
        "open", description="Default: open reviews."
    )
    kind: str | None = Field(None, max_length=32, description="service, feature, …")
    playbook: str | None = Field(None, max_length=64, description="Playbook slug.")
    dri: str | None = Field(None, max_length=150, description="The DRI's username.")
    awaiting: str | None = Field(
        None,
        max_length=50,
        description="Team slug: reviews with a required item of this team still open; "
        "`me` for any of the caller's teams.",
    )
    q: str | None = Field(
        None,
        max_length=200,
        description="Search: `PRR-2` (or `2`), `@dri`, or words found in titles and answers; "
        "every word must match.",
    )
    sort: str = Field(
        DEFAULT_SORT,
        pattern=rf"^-?(?:{'|'.join(SORT_KEYS)})$",
        description=f"One of {', '.join(SORT_KEYS)}; `-` first reverses it. Default: newest "
        "first (`-number`).",
    )


@router.get("/reviews", response=responses(200, Page[ReviewSummaryOut]), summary="List reviews")
def list_reviews(request: HttpRequest, params: Query[ReviewListParams]) -> Page[ReviewSummaryOut]:
    """Reviews with their progress, newest first unless sorted; filtered and paginated."""
    awaiting_me = params.awaiting == "me"
    reviews = filter_reviews(
        ReviewFilter(
            status=params.status,
            kind=params.kind,
            playbook=params.playbook,
            dri=params.dri.lstrip("@").lower() if params.dri else None,
            awaiting_team=None if awaiting_me else params.awaiting,
            awaiting_user=caller(request) if awaiting_me else None,
            text=params.q,
            sort=params.sort,
        )
    )
    return paginate(reviews, params, ReviewSummaryOut.list_of)


@router.post("/reviews", response=responses(201, ReviewOut), summary="Start a review")
def start_review(request: HttpRequest, body: StartReviewIn) -> Status[ReviewOut]:
    """Start a review from a playbook; the caller is the DRI unless an admin names another."""
    by = caller(request)
    review = starting.start_review(
        version=get_version(get_playbook(body.playbook), body.version),
        title=body.title,
        dri=get_user(body.dri) if body.dri else by,
        kind=body.kind,
        reviewers=[get_user(name) for name in body.reviewers],
        by=by,
    )
    return Status(201, ReviewOut.of(get_review(review.number)))


@router.get("/reviews/{ref}", response=responses(200, ReviewOut), summary="Get a review")
def get_one(request: HttpRequest, ref: Ref) -> ReviewOut:
    """The whole review: readiness, checklist, document and snapshots. `ref` is PRR-12 or 12."""
    return ReviewOut.of(get_review(ref))


@router.get("/reviews/{ref}/readiness", response=responses(200, ReadinessOut), summary="Readiness")
def readiness(request: HttpRequest, ref: Ref) -> ReadinessOut:
    """Ready to close or not, and what is missing: made for deploy pipelines."""
    return ReadinessOut.of(get_review(ref))


@router.post(
    "/reviews/{ref}/reviewers", response=responses(200, ReviewOut), summary="Add reviewers"
)
def add_reviewers(request: HttpRequest, ref: Ref, body: ReviewersIn) -> ReviewOut:
    review = starting.add_reviewers(
        get_review(ref),
        by=caller(request),
        users=[get_user(name) for name in body.users],
        teams=[get_team(slug) for slug in body.teams],
    )
    return ReviewOut.of(get_review(review.number))


# -- checklist --------------------------------------------------------------------------------


@router.get("/reviews/{ref}/items", response=responses(200, list[ItemOut]), summary="Checklist")
def list_items(request: HttpRequest, ref: Ref) -> list[ItemOut]:
    return [ItemOut.of(i) for i in items_of(get_review(ref))]


@router.put(
    "/reviews/{ref}/items/{key}/state",
    response=responses(200, ItemOut),
    summary="Set an item's state",
)
def set_item_state(request: HttpRequest, ref: Ref, key: str, body: ItemStateIn) -> ItemOut:
    """Mark an item done, open again, or n/a with a reason, by hand (same rules as the UI)."""
    review = get_review(ref)
    items.set_item_state(
        review,
        key,
        body.state,
        by=caller(request),
        reason=body.reason,
        via=ReviewItem.Via.API,
    )
    return ItemOut.of(items_of(review).get(key=key))


class AssigneeIn(Schema):
    assignee: str | None = Field(
        description="The username to assign the item to; null: to nobody.", examples=["sam"]
    )


@router.put(
    "/reviews/{ref}/items/{key}/assignee",
    response=responses(200, ItemOut),
    summary="Assign an item",
)
def assign(request: HttpRequest, ref: Ref, key: str, body: AssigneeIn) -> ItemOut:
    """Assign an item to the person working on it (a current member of its team, for a team's
    item), or to nobody; for those who may change the item, and admins."""
    review = get_review(ref)
    assignee = get_user(body.assignee) if body.assignee else None
    assign_item(review, key, assignee, by=caller(request))
    return ItemOut.of(items_of(review).get(key=key))


class WaiverIn(Schema):
    reason: str = Field(max_length=2000, examples=["The vendor fixes the SLA in Q3"])
    until: date = Field(description="The waiver's last day.", examples=["2027-06-30"])
    owner: str | None = Field(
        None, description="Who answers for it: a username or a team slug (default: the caller)."
    )


@router.post(
    "/reviews/{ref}/items/{key}/waiver",
    response=responses(201, WaiverOut),
    summary="Waive an item",
)
def waive(request: HttpRequest, ref: Ref, key: str, body: WaiverIn) -> Status[WaiverOut]:
    """Waive an item until a date (where n/a is allowed; approvals the playbook marks
    `waivable`, by an admin): it counts as complete for closing until then."""
    owner = person_or_team(body.owner, what="waiver's owner") if body.owner else None
    waiver = waive_item(
        get_review(ref), key, by=caller(request), reason=body.reason, until=body.until, owner=owner
    )
    return Status(201, WaiverOut.of(waiver))


class WaiverListParams(Schema):
    expiring: int | None = Field(
        None, ge=0, le=3660, description="Only waivers ending within this many days."
    )


@router.get("/waivers", response=responses(200, list[WaiverOut]), summary="Waivers in force")
def waivers(request: HttpRequest, params: Query[WaiverListParams]) -> list[WaiverOut]:
    """Every waiver in force across reviews, soonest to end first."""
    caller(request)
    return [WaiverOut.of(w) for w in active_waivers(expiring_within=params.expiring)]


@router.post(
    "/reviews/{ref}/restart", response=responses(201, ReviewOut), summary="Start the re-review"
)
def restart(request: HttpRequest, ref: Ref) -> Status[ReviewOut]:
    """Start the re-review of a closed review (its DRI or an admin): a new review linked to it,
    with the same kind, DRI and reviewers, its answers copied in to start from."""
    review = restart_review(get_review(ref), by=caller(request))
    return Status(201, ReviewOut.of(get_review(review.number)))


@router.post(
    "/reviews/{ref}/rereview-request",
    response=responses(200, ReviewOut),
    summary="Ask for a re-review",
)
def ask_rereview(request: HttpRequest, ref: Ref, body: ReasonIn) -> ReviewOut:
    """An admin asks for a re-review of a closed review before its time."""
    review = request_rereview(get_review(ref), by=caller(request), reason=body.reason)
    return ReviewOut.of(get_review(review.number))


@router.get("/rereviews/due", response=responses(200, list[DueOut]), summary="Re-reviews due")
def rereviews_due(request: HttpRequest) -> list[DueOut]:
    """Closed reviews due for a re-review (recertification time, an expired waiver, or an
    admin asked), oldest first."""
    caller(request)
    return [DueOut.of(d) for d in due_for_rereview()]


class FollowUpIn(Schema):
    text: str = Field(max_length=2000, examples=["Add the p99 panel to the dashboard"])
    owner: str | None = Field(None, description="A username or team slug (default: the DRI).")
    due: date | None = None
    link: str = Field("", max_length=2000, description="Its issue in a tracker.")


@router.post(
    "/reviews/{ref}/follow-ups", response=responses(201, FollowUpOut), summary="Raise a follow-up"
)
def add_follow_up(request: HttpRequest, ref: Ref, body: FollowUpIn) -> Status[FollowUpOut]:
    """Raise a follow-up on an open review (a reviewer, its DRI or an admin)."""
    owner = person_or_team(body.owner, what="follow-up's owner") if body.owner else None
    raised = raise_follow_up(
        get_review(ref), body.text, by=caller(request), owner=owner, due=body.due, link=body.link
    )
    return Status(201, FollowUpOut.of(raised))


@router.post(
    "/reviews/{ref}/follow-ups/{number}/done",
    response=responses(200, FollowUpOut),
    summary="Mark a follow-up done",
)
def done_follow_up(
    request: HttpRequest, ref: Ref, number: Annotated[int, Path(ge=1, le=2_147_483_647)]
) -> FollowUpOut:
    return FollowUpOut.of(complete_follow_up(get_review(ref), number, by=caller(request)))


@router.get("/follow-ups", response=responses(200, list[FollowUpOut]), summary="Open follow-ups")
def follow_ups(request: HttpRequest) -> list[FollowUpOut]:
    """Every open follow-up across reviews, soonest due first."""
    caller(request)
    return [FollowUpOut.of(f) for f in open_follow_ups()]


class ReportParams(Schema):
    playbook: str | None = Field(None, max_length=64, description="A playbook slug.")
    kind: str | None = Field(None, max_length=32, description="A review kind.")


class ReportOut(Schema):
    key: str = Field(examples=["time-to-close"])
    title: str
    columns: list[str]
    rows: list[list[Any]]
    note: str


class ReportsOut(Schema):
    generated_at: datetime
    playbook: str | None
    kind: str | None
    reports: list[ReportOut]


@router.get("/reports", response=responses(200, ReportsOut), summary="Reports")
def reports(request: HttpRequest, params: Query[ReportParams]) -> ReportsOut:
    """Reviews started and closed per week, time to close (median, p90), time to approve per
    team, open reviews by age, overdue items and follow-ups by owner, waivers ending within 30
    days; for all reviews or one playbook and kind. The web page offers each as CSV."""
    caller(request)
    built = build_reports(Scope(playbook=params.playbook, kind=params.kind))
    return ReportsOut(
        generated_at=built.generated_at,
        playbook=params.playbook,
        kind=params.kind,
        reports=[ReportOut(**r.as_dict()) for r in built.reports],
    )


class SnoozeIn(Schema):
    until: date | None = Field(
        description="No reminders until the end of this day; null: remind again.",
        examples=["2027-01-15"],
    )


class SnoozeOut(Schema):
    item: str
    until: datetime | None


@router.put(
    "/reviews/{ref}/items/{key}/snooze",
    response=responses(200, SnoozeOut),
    summary="Snooze an item's reminders",
)
def snooze_item(request: HttpRequest, ref: Ref, key: str, body: SnoozeIn) -> SnoozeOut:
    """No daily reminders about a due or overdue item until a date (for those who may change
    the item, and admins)."""
    found = snooze(get_review(ref), key, until=body.until, by=caller(request))
    return SnoozeOut(item=key, until=found.until if found else None)


# -- the review document ----------------------------------------------------------------------


def sections(review: Review, only: str | None = None) -> list[SectionOut]:
    """The review document's sections with their answers, or just `only`."""
    if only is None:
        return SectionOut.list_of(review)
    return SectionOut.list_of(review, [get_section(review, only)])


@router.get(
    "/reviews/{ref}/answers", response=responses(200, list[SectionOut]), summary="The document"
)
def list_answers(request: HttpRequest, ref: Ref) -> list[SectionOut]:
    """Every section of the review document with its questions and the DRI's answer."""
    return sections(get_review(ref))


@router.get(
    "/reviews/{ref}/answers/{section}", response=responses(200, SectionOut), summary="One answer"
)
def get_answer(request: HttpRequest, ref: Ref, section: str) -> SectionOut:
    return sections(get_review(ref), section)[0]


@router.put(
    "/reviews/{ref}/answers/{section}",
    response=responses(200, SectionOut),
    summary="Answer a section",
)
def put_answer(request: HttpRequest, ref: Ref, section: str, body: AnswerIn) -> SectionOut:
    """Write the DRI's answer (Markdown) to one section; every text is kept as a revision."""
    review = get_review(ref)
    answers.answer_section(review, section, body.body, by=caller(request))
    return sections(review, section)[0]


# -- the channel ------------------------------------------------------------------------------


class MessageListParams(PageParams):
    per_page: int = Field(50, ge=1, le=100, description="Items per page (1-100).")


@router.get(
    "/reviews/{ref}/messages",
    response=responses(200, Page[MessageOut]),
    summary="Messages of the channel",
)
def list_messages(
    request: HttpRequest, ref: Ref, params: Query[MessageListParams]
) -> Page[MessageOut]:
    """The channel, oldest first, prr's replies included (their author is null)."""
    review = get_review(ref)
    messages = Message.objects.filter(review=review).select_related("author").order_by("pk")
    return paginate(messages, params, lambda rows: [MessageOut.of(m) for m in rows])


@router.post(
    "/reviews/{ref}/messages", response=responses(201, PostedOut), summary="Post a message"
)
def post(request: HttpRequest, ref: Ref, body: MessageIn) -> Status[PostedOut]:
    """Post in the channel as the caller. An approval phrase from a current member of the
    owning team marks its item done; the response lists the effects and prr's replies."""
    result = post_message(
        ref,
        author=caller(request),
        body=body.body,
        source=Message.Source.API,
        external_id=body.external_id,
    )
    return Status(201, PostedOut.of(result))


# -- closing ----------------------------------------------------------------------------------


@router.post("/reviews/{ref}/close", response=responses(200, ReviewOut), summary="Close")
def close(request: HttpRequest, ref: Ref, body: CloseIn) -> ReviewOut:
    """Close a ready review and write its snapshot; refused (409) with what is missing."""
    review = get_review(ref)
    lifecycle.close_review(review, by=caller(request), force=body.force, reason=body.reason)
    return ReviewOut.of(get_review(review.number))


@router.post("/reviews/{ref}/reopen", response=responses(200, ReviewOut), summary="Reopen")
def reopen(request: HttpRequest, ref: Ref, body: ReasonIn) -> ReviewOut:
    """Reopen a closed or cancelled review (admins, with a reason)."""
    review = get_review(ref)
    lifecycle.reopen_review(review, by=caller(request), reason=body.reason)
    return ReviewOut.of(get_review(review.number))


@router.post("/reviews/{ref}/cancel", response=responses(200, ReviewOut), summary="Cancel")
def cancel(request: HttpRequest, ref: Ref, body: ReasonIn) -> ReviewOut:
    """Cancel an open review (the DRI or an admin, with a reason)."""
    review = get_review(ref)
    lifecycle.cancel_review(review, by=caller(request), reason=body.reason)
    return ReviewOut.of(get_review(review.number))


# -- history ----------------------------------------------------------------------------------


@router.get(
    "/reviews/{ref}/timeline",
    response=responses(200, Page[TimelineEventOut]),
    summary="Timeline",
)
def timeline(request: HttpRequest, ref: Ref, params: Query[PageParams]) -> Page[TimelineEventOut]:
    """Every event of the review, oldest first."""
    events = get_review(ref).timeline.select_related("actor", "item").order_by("created_at", "pk")
    return paginate(events, params, lambda rows: [TimelineEventOut.of(e) for e in rows])


@router.get(
    "/reviews/{ref}/snapshots",
    response=responses(200, list[SnapshotSummaryOut]),
    summary="Snapshots",
)
def snapshots(request: HttpRequest, ref: Ref) -> list[SnapshotSummaryOut]:
    review = get_review(ref)
    return [
        SnapshotSummaryOut.of(s)
        for s in review.snapshots.select_related("created_by").order_by("version")
    ]


class DiffParams(Schema):
    before: int | None = Field(
        None, alias="from", ge=1, le=2_147_483_647, description="Default: the one before `to`."
    )
    after: int | None = Field(
        None, alias="to", ge=1, le=2_147_483_647, description="Default: the latest."
    )
    previous: bool = Field(
        False,
        description="Compare the last snapshot of the review this one re-reviews with this "
        "review's last (from/to are then ignored).",
    )


class SnapshotRef(Schema):
    review: str = Field(examples=["PRR-12"], description="Whose snapshot it is.")
    version: int
    sha256: str


class SectionChangeOut(Schema):
    section: str
    title: str
    change: Literal["added", "removed", "changed", "answered", "unanswered"]
    diff: list[str] = Field(description="The answer's unified diff, line by line.")


class ItemChangeOut(Schema):
    item: str
    title: str
    change: Literal["added", "removed", "changed"]
    fields: dict[str, dict[str, Any]] = Field(
        description="Each changed field (state, na_reason, changed_by, via, …) as {from, to}."
    )


class SnapshotDiffOut(Schema):
    review: str
    from_: SnapshotRef = Field(alias="from")
    to: SnapshotRef
    sections: list[SectionChangeOut]
    items: list[ItemChangeOut]


@router.get(
    "/reviews/{ref}/diff",
    response=responses(200, SnapshotDiffOut),
    summary="Compare two snapshots",
    by_alias=True,
)
def snapshot_diff(request: HttpRequest, ref: Ref, params: Query[DiffParams]) -> SnapshotDiffOut:
    """What changed between two snapshots of the review (by default its last two): the
    document section by section, the checklist item by item, with both SHA-256."""
    review = get_review(ref)
    if params.previous:
        before, after = against_previous(review)
    else:
        before, after = pick_snapshots(review, params.before, params.after)
    return SnapshotDiffOut.model_validate(diff_snapshots(review, before, after).as_dict())


class SnapshotFormat(Schema):
    format: Literal["json", "md"] = Field("json", description="json (default) or md (Markdown).")


@router.get(
    "/reviews/{ref}/snapshots/{version}",
    response=responses(200, SnapshotOut),
    summary="A snapshot",
    openapi_extra={
        "responses": {
            200: {
                "description": "The snapshot as JSON, or as Markdown with `?format=md`.",
                "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/SnapshotOut"}},
                    "text/markdown": {"schema": {"type": "string"}},
                },
            }
        }
    },
)
def snapshot(
    request: HttpRequest, ref: Ref, version: int, params: Query[SnapshotFormat]
) -> SnapshotOut | HttpResponse:
    """A frozen snapshot: JSON with its SHA-256, or its Markdown (`?format=md`)."""
    review = get_review(ref)
    found = get_snapshot(review, version)
    if params.format == "md":
        response = HttpResponse(found.markdown, content_type="text/markdown; charset=utf-8")
        response["Content-Disposition"] = (
            f'inline; filename="{review.ref}-snapshot-v{found.version}.md"'
        )
        return response
    return SnapshotOut.of(found)

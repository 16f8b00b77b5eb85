"""Reads the faces need; the number of queries does not grow with the rows shown."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import (
    Avg,
    Case,
    Count,
    Exists,
    F,
    FloatField,
    OrderBy,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Lower
from django.utils import timezone

from prr.accounts.models import User
from prr.errors import InvalidInput, NotFound
from prr.playbooks.spec import Section
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
from prr.teams.models import Membership

REF_RE = re.compile(r"^(?:prr-)?(\d{1,9})$", re.IGNORECASE)


def parse_ref(ref: str | int) -> int:
    match = REF_RE.match(str(ref).strip())
    if not match:
        raise InvalidInput(f"'{ref}' is not a review reference; use PRR-12 or 12.")
    return int(match.group(1))


def get_review(ref: str | int) -> Review:
    number = parse_ref(ref)
    try:
        return Review.objects.select_related("dri", "playbook_version__playbook").get(number=number)
    except Review.DoesNotExist:
        raise NotFound(f"No review PRR-{number}.") from None


def items_of(review: Review) -> QuerySet[ReviewItem]:
    return review.items.select_related(
        "owner_team", "changed_by", "changed_by_message", "assignee"
    ).order_by("position")


def list_reviews(status: str = "open") -> QuerySet[Review]:
    """Reviews by status (`all` for every one), newest first; `progress_of` gives their counts.

    Nothing here is aggregated, and the playbook's spec is not read: a page of the list costs
    the same whether there are a hundred reviews or a hundred thousand.
    """
    reviews = Review.objects.select_related("dri", "playbook_version__playbook").defer(
        "playbook_version__spec_json"
    )
    if status != "all":
        if status not in Review.Status.values:
            raise InvalidInput(f"Unknown status '{status}'; use open, closed, cancelled or all.")
        reviews = reviews.filter(status=status)
    return reviews.order_by("-number")


SORT_KEYS = ("number", "title", "dri", "age", "progress")
DEFAULT_SORT = "-number"  # newest first
MAX_SEARCH_WORDS = 8  # each word is a few LIKEs and one EXISTS: the query stays bounded


@dataclass(frozen=True)
class ReviewFilter:
    """What a list of reviews is narrowed to (dashboard, API, CLI); every field optional.

    `text` is a search (see `matching_text`); `sort` one of SORT_KEYS, `-` first for the
    reverse order (`-number`: newest first; `age`: youngest first).
    """

    status: str = "open"
    kind: str | None = None
    playbook: str | None = None
    dri: str | None = None
    awaiting_team: str | None = None
    awaiting_user: User | None = None
    text: str | None = None
    sort: str = DEFAULT_SORT


def filter_reviews(f: ReviewFilter) -> QuerySet[Review]:
    """`list_reviews` narrowed by a filter, in the filter's order.

    "Awaiting" a team means the review has a required item still open that the team owns;
    awaiting a user means awaiting any team the user is currently a member of.
    """
    reviews = list_reviews(f.status)
    if f.kind:
        reviews = reviews.filter(kind=f.kind.strip().lower())
    if f.playbook:
        reviews = reviews.filter(playbook_version__playbook__slug=f.playbook.strip().lower())
    if f.dri:
        reviews = reviews.filter(dri__username=f.dri.strip().lstrip("@").lower())
    waiting = ReviewItem.objects.filter(
        review=OuterRef("pk"), required=True, state=ReviewItem.State.OPEN
    )
    if f.awaiting_team:
        slug = f.awaiting_team.strip().lower()
        reviews = reviews.filter(Exists(waiting.filter(owner_team__slug=slug)))
    if f.awaiting_user is not None:
        my_teams = Membership.objects.filter(user=f.awaiting_user, removed_at__isnull=True).values(
            "team"
        )
        reviews = reviews.filter(Exists(waiting.filter(owner_team__in=my_teams)))
    if f.text and f.text.strip():
        reviews = reviews.filter(matching_text(f.text))
    return sort_reviews(reviews, f.sort)


def matching_text(text: str) -> Q:
    """Reviews that match every word of a search.

    A word matches a review's reference (`PRR-2`, `prr-2`, `2`), its DRI (`@dana` only the
    DRI; `dana` also the DRI's name), or occurs in its title or one of its answers, ignoring
    case (SQLite folds the case of ASCII letters only). The database does the search: a
    review's answers are read by an EXISTS, not brought back.
    """
    found = Q()
    for word in text.split()[:MAX_SEARCH_WORDS]:
        if word.startswith("@"):
            if word.lstrip("@"):
                found &= Q(dri__username__iexact=word.lstrip("@"))
            continue
        in_answers = Answer.objects.filter(review=OuterRef("pk"), body__icontains=word)
        matches = (
            Q(title__icontains=word)
            | Q(dri__username__iexact=word)
            | Q(dri__display_name__icontains=word)
            | Q(Exists(in_answers))
        )
        ref = REF_RE.match(word)
        if ref:
            matches |= Q(number=int(ref.group(1)))
        found &= matches
    return found


def sort_reviews(reviews: QuerySet[Review], sort: str) -> QuerySet[Review]:
    """`reviews` in the order `sort` names (see ReviewFilter), ties newest first."""
    key = sort.removeprefix("-")
    if key not in SORT_KEYS:
        raise InvalidInput(
            f"Unknown sort '{sort}'; use {', '.join(SORT_KEYS)}, or - before one to reverse it."
        )
    descending = sort.startswith("-")
    if key == "number":
        return reviews.order_by("-number" if descending else "number")
    if key == "progress":
        reviews = reviews.annotate(share_complete=share_complete())
    columns: dict[str, F | Lower] = {
        "title": Lower("title"),
        "dri": F("dri__username"),
        # The youngest review has the smallest age: by age is by start time, reversed.
        "age": F("created_at"),
        "progress": F("share_complete"),
    }
    by = columns[key]
    if key == "age":
        descending = not descending
    order: OrderBy = by.desc() if descending else by.asc()
    return reviews.order_by(order, "-number")


def share_complete() -> Coalesce:
    """The share of a review's required items that are done or n/a, 0.0 to 1.0 (1.0 with no
    required item), as an annotation.

    Its cost: to sort by it the database computes it for every review the filter lets
    through before it can take a page: one correlated aggregate over each review's required
    items (through the index on review_id). So a sort by progress grows with the number of
    reviews filtered (10,000 open reviews: their 100,000-odd items read), where the other
    orders compare a column of each row. It is still one query for the rows of a page.
    """
    done = Case(
        When(state=ReviewItem.State.OPEN, then=Value(0.0)),
        default=Value(1.0),
        output_field=FloatField(),
    )
    share = (
        ReviewItem.objects.filter(review=OuterRef("pk"), required=True)
        .order_by()
        .values("review")
        .annotate(share=Avg(done))
        .values("share")
    )
    return Coalesce(Subquery(share, output_field=FloatField()), Value(1.0))


@dataclass(frozen=True)
class Progress:
    """How far a review is: its required items, those done or n/a, and what the open ones
    wait on, by owner (team name, or "DRI") and by due date."""

    required: int
    complete: int
    by_owner: dict[str, int]
    overdue: int
    due_soon: int


DUE_SOON_DAYS = 3  # an open item due within this many days is "due soon"


def progress_of(
    reviews: Iterable[Review], *, soon_days: int = DUE_SOON_DAYS
) -> dict[int, Progress]:
    """The progress of each of these reviews (a page of a list); one query for any number.

    The query groups in the database, so it returns a few rows per review, not its items.
    """
    ids = [r.pk for r in reviews]
    now = timezone.now()
    soon = now + timedelta(days=soon_days)
    required = dict.fromkeys(ids, 0)
    complete = dict.fromkeys(ids, 0)
    by_owner: dict[int, dict[str, int]] = {pk: {} for pk in ids}
    overdue = dict.fromkeys(ids, 0)
    due_soon = dict.fromkeys(ids, 0)
    is_open = Q(state=ReviewItem.State.OPEN)
    rows = (
        ReviewItem.objects.filter(review_id__in=ids, required=True)
        .values("review_id", "owner_team__name")
        .annotate(
            total=Count("pk"),
            still_open=Count("pk", filter=is_open),
            late=Count("pk", filter=is_open & Q(due_at__lt=now)),
            near=Count("pk", filter=is_open & Q(due_at__gte=now, due_at__lt=soon)),
        )
        .order_by()
        .values_list("review_id", "owner_team__name", "total", "still_open", "late", "near")
    )
    for review_id, team_name, total, still_open, late, near in rows:
        required[review_id] += total
        complete[review_id] += total - still_open
        if still_open:
            by_owner[review_id][team_name or "DRI"] = still_open
        overdue[review_id] += late
        due_soon[review_id] += near
    return {
        pk: Progress(
            required[pk],
            complete[pk],
            dict(sorted(by_owner[pk].items())),
            overdue[pk],
            due_soon[pk],
        )
        for pk in ids
    }


@dataclass(frozen=True)
class AfterClose:
    """What a review still carries in a list: open follow-ups, and whether it is a closed
    review whose waiver expired while no re-review was started (a re-review is due)."""

    open_follow_ups: int = 0
    waiver_expired: bool = False


def after_close_of(reviews: Iterable[Review]) -> dict[int, AfterClose]:
    """`AfterClose` of each of these reviews (a page of a list); one query for any number,
    none for none."""
    ids = [r.pk for r in reviews]
    if not ids:
        return {}
    open_follow_ups = (
        FollowUp.objects.filter(review=OuterRef("pk"), done_at__isnull=True)
        .order_by()
        .values("review")
        .annotate(n=Count("pk"))
        .values("n")
    )
    rows = (
        Review.objects.filter(pk__in=ids)
        .annotate(
            follow_ups_open=Coalesce(Subquery(open_follow_ups), 0),
            expired=Exists(
                Waiver.objects.filter(item__review=OuterRef("pk"), expired_at__isnull=False)
            ),
            rereviewed=Exists(Review.objects.filter(previous=OuterRef("pk"))),
        )
        .order_by()
        .values_list("pk", "status", "follow_ups_open", "expired", "rereviewed")
    )
    return {
        pk: AfterClose(
            follow_ups_open,
            waiver_expired=status == Review.Status.CLOSED and expired and not rereviewed,
        )
        for pk, status, follow_ups_open, expired, rereviewed in rows
    }


def due_state(item: ReviewItem, now: datetime) -> str:
    """Whether `item` is "overdue", "due soon" or neither (""), by the rule `progress_of`
    counts with: a required item still open, due before `now`, or within DUE_SOON_DAYS of it."""
    if not item.required or item.state != ReviewItem.State.OPEN or item.due_at is None:
        return ""
    if item.due_at < now:
        return "overdue"
    if item.due_at < now + timedelta(days=DUE_SOON_DAYS):
        return "due soon"
    return ""


@dataclass(frozen=True)
class Missing:
    item: ReviewItem
    reason: str


def describe_missing(item: ReviewItem, review: Review) -> str:
    if item.owner_team is not None:
        return (
            f"{item.title} is still open; waiting for a member of team "
            f"{item.owner_team.name} to approve"
        )
    return f"{item.title} is still open; waiting for the DRI @{review.dri.username}"


def missing_items(review: Review) -> list[Missing]:
    """Required items that are neither done nor n/a, each with who it waits for."""
    open_required = items_of(review).filter(required=True, state=ReviewItem.State.OPEN)
    return [Missing(item, describe_missing(item, review)) for item in open_required]


def unanswered_sections(review: Review) -> list[Section]:
    """The sections of the review document that have no answer (or only whitespace), in the
    playbook's order; one query."""
    answered = {
        key
        for key, body in Answer.objects.filter(review_id=review.pk).values_list(
            "section_key", "body"
        )
        if body.strip()
    }
    return [s for s in review.document_sections if s.key not in answered]


def missing_sections(review: Review) -> list[Section]:
    """Required sections (`required: true` in the playbook) that are not answered yet."""
    if not any(s.required for s in review.document_sections):
        return []  # no query
    return [s for s in unanswered_sections(review) if s.required]


def readiness(review: Review, items: list[ReviewItem] | None = None) -> dict[str, Any]:
    """Whether the review can close, and what it still waits on (for APIs and webhooks).

    Given the review's items (already read), no query for them; otherwise two. Required
    sections cost a query only when the playbook has some.
    """
    if items is None:
        missing = missing_items(review)
        required = review.items.filter(required=True).count()
    else:
        open_required = [i for i in items if i.required and i.state == ReviewItem.State.OPEN]
        missing = [Missing(i, describe_missing(i, review)) for i in open_required]
        required = sum(1 for i in items if i.required)
    sections = missing_sections(review)
    return {
        "ref": review.ref,
        "status": review.status,
        "ready": review.is_open and not missing and not sections,
        "closed": review.status == Review.Status.CLOSED,
        "required": required,
        "complete": required - len(missing),
        "missing": [
            {
                "item": m.item.key,
                "title": m.item.title,
                "owner": m.item.owner_label,
                "reason": m.reason,
            }
            for m in missing
        ],
        "missing_sections": [{"section": s.key, "title": s.title} for s in sections],
    }


def get_snapshot(review: Review, version: int | None = None) -> Snapshot:
    """The given snapshot version, or the latest."""
    snapshots = review.snapshots.order_by("-version")
    found = snapshots.first() if version is None else snapshots.filter(version=version).first()
    if found is None:
        if version is None:
            raise NotFound(f"{review.ref} has no snapshot yet; it gets one when it is closed.")
        raise NotFound(f"{review.ref} has no snapshot v{version}.")
    return found


@dataclass(frozen=True)
class LiveVersion:
    """What a page showing a review needs to tell whether anything changed (one query)."""

    review_id: int
    status: str
    last_event: int
    last_message: int

    @property
    def token(self) -> str:
        return f"{self.last_event}-{self.last_message}"


def live_version(ref: str | int) -> LiveVersion:
    """The review's latest timeline event and message ids: every change writes one of them."""
    number = parse_ref(ref)
    newest_event = TimelineEvent.objects.filter(review=OuterRef("pk")).order_by("-pk")
    newest_message = Message.objects.filter(review=OuterRef("pk")).order_by("-pk")
    row = (
        Review.objects.filter(number=number)
        .annotate(
            last_event=Subquery(newest_event.values("pk")[:1]),
            last_message=Subquery(newest_message.values("pk")[:1]),
        )
        .values_list("pk", "status", "last_event", "last_message")
        .first()
    )
    if row is None:
        raise NotFound(f"No review PRR-{number}.")
    pk, status, last_event, last_message = row
    return LiveVersion(pk, status, last_event or 0, last_message or 0)


def events_since(
    review_id: int, after_event: int, upto_event: int, *, limit: int
) -> list[TimelineEvent]:
    """The review's timeline events in (`after_event`, `upto_event`], oldest first, at most
    `limit` + 1 of them (one more than `limit` says the page is too far behind)."""
    return list(
        TimelineEvent.objects.filter(
            review_id=review_id, pk__gt=after_event, pk__lte=upto_event
        ).order_by("pk")[: limit + 1]
    )

"""Everything the review page shows, read once per render in a fixed number of queries."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.http import QueryDict
from django.utils import timezone
from django.utils.safestring import SafeString

from prr.accounts.models import User
from prr.integrations.chat.models import ChannelLink, Platform
from prr.integrations.chat.notify import destinations
from prr.reviews.approvals import ApprovalRow, approvals_of
from prr.reviews.assignment import assignable_to, may_assign
from prr.reviews.follow_ups import approved_with_follow_ups, may_complete, may_raise
from prr.reviews.models import (
    Answer,
    FollowUp,
    Message,
    Review,
    ReviewItem,
    TimelineEvent,
    Waiver,
)
from prr.reviews.queries import (
    DUE_SOON_DAYS,
    LiveVersion,
    due_state,
    events_since,
    get_review,
    items_of,
    live_version,
    missing_items,
    progress_of,
)
from prr.reviews.rereview import may_request_rereview, may_restart, why_due
from prr.reviews.services import may, may_change_item, owns_item, who_may_change
from prr.reviews.waivers import may_waive
from prr.teams.models import Team


@dataclass
class SectionRow:
    key: str
    title: str
    description: str
    questions: list[str]
    answer: Answer | None
    error: str = ""
    draft: str | None = None
    preview: SafeString | None = None  # the draft rendered, when "Preview" was asked for

    @property
    def text(self) -> str:
        """What the edit box holds: a refused or previewed draft, else the current answer."""
        if self.draft is not None:
            return self.draft
        return self.answer.body if self.answer else ""

    @property
    def editing(self) -> bool:
        """Whether the edit box is open: the answer's box stays closed until "Edit" is chosen,
        except to show a refusal or a preview of what was typed."""
        return self.draft is not None


@dataclass
class ItemRow:
    item: ReviewItem
    can_change: bool
    who: str
    due: str = ""  # "overdue", "due soon" or ""
    error: str = ""
    reason: str = ""
    can_assign: bool = False
    assignable: list[User] = field(default_factory=list)  # offered when `can_assign`
    can_waive: bool = False  # offered in the checklist's one "Waive an item" form
    waiver: Waiver | None = None  # the waiver in force, when the item is waived


@dataclass
class OwnerGroup:
    """Consecutive items of a checklist with one owner: who may change them is said once."""

    owner_team_id: int | None
    who: str
    can_change: bool
    rows: list[ItemRow] = field(default_factory=list)


@dataclass
class Checklist:
    title: str
    groups: list[OwnerGroup] = field(default_factory=list)

    @property
    def rows(self) -> list[ItemRow]:
        return [row for group in self.groups for row in group.rows]


@dataclass
class Refusal:
    """A refused action, shown where it was made, with what the person had typed."""

    # "composer", "section:<key>", "item:<key>", "waive", "reviewers", "follow-ups",
    # "follow-up:<number>" or "rereview"
    where: str
    message: str
    text: str = ""
    details: list[str] = field(default_factory=list)  # other fields typed, in form order
    picked: tuple[str, ...] = ()  # the checkboxes that were ticked (team slugs)


@dataclass(frozen=True)
class Preview:
    """A section's draft shown rendered, not saved."""

    section: str
    text: str
    html: SafeString


def sections_of(
    review: Review, refusal: Refusal | None, preview: Preview | None = None
) -> list[SectionRow]:
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
        elif preview is not None and preview.section == section.key:
            row.draft, row.preview = preview.text, preview.html
        rows.append(row)
    return rows


# What the checklist can be narrowed to (`?show=`), with the words of its link.
CHECKLIST_FILTERS: dict[str, str] = {
    "": "All",
    "open": "Open only",
    "mine": "Mine",
    "approvals": "Approvals",
}
NOTHING_SHOWN: dict[str, str] = {
    "open": "Every item is done or n/a.",
    "mine": "None of these items is yours to change or assigned to you.",
    "approvals": "This review has no approvals.",
}


def checklist_filter(value: str | None) -> str:
    """The filter asked for, or "" (all items) for anything unknown."""
    return value if value in CHECKLIST_FILTERS else ""


@dataclass(frozen=True)
class FilterLink:
    label: str
    href: str
    current: bool


def filter_links(show: str, *, all_messages: bool) -> list[FilterLink]:
    links = []
    for value, label in CHECKLIST_FILTERS.items():
        query = QueryDict(mutable=True)
        if value:
            query["show"] = value
        if all_messages:
            query["messages"] = "all"
        links.append(FilterLink(label, f"?{query.urlencode()}#checklist", value == show))
    return links


def is_shown(
    show: str, item: ReviewItem, user: User, *, owner: bool, approval_ids: Collection[int]
) -> bool:
    """Whether `item` is in the checklist narrowed to `show`; "mine" is what the viewer
    owns (items of a team they are in, or the DRI's items for the DRI) or is assigned."""
    if show == "open":
        return item.state == ReviewItem.State.OPEN
    if show == "mine":
        return owner or item.assignee_id == user.pk
    if show == "approvals":
        return item.pk in approval_ids
    return True


def checklists_of(
    review: Review,
    user: User,
    refusal: Refusal | None,
    *,
    only: set[int] | None = None,
    show: str = "",
    approval_ids: Collection[int] = (),
    now: datetime | None = None,
) -> list[Checklist]:
    """The checklists with what `user` may do on each item (`only` these item ids, if given;
    narrowed to `show`, where the "approvals" filter keeps `approval_ids`)."""
    now = now or timezone.now()
    owns: dict[int | None, bool] = {}  # the answer is the same for every item of one owner
    # Whom an item may be assigned to is the same for every item of one owner too: a query
    # per owner the viewer may assign for, not per item.
    assignable: dict[int | None, list[User]] = {}
    checklists: list[Checklist] = []
    items = list(items_of(review) if only is None else items_of(review).filter(pk__in=only))
    waivers = waivers_in_force(items)
    for item in items:
        if item.owner_team_id not in owns:
            owns[item.owner_team_id] = owns_item(user, item, review)
        owner = owns[item.owner_team_id]
        refused_here = refusal is not None and refusal.where == f"item:{item.key}"
        shown = is_shown(show, item, user, owner=owner, approval_ids=approval_ids)
        if not (refused_here or shown):
            continue
        row = ItemRow(
            item,
            can_change=may_change_item(user, item, review, owner=owner),
            who=who_may_change(item, review),
            due=due_state(item, now) if review.is_open else "",
            can_assign=may_assign(user, item, review, owner=owner),
            can_waive=item.state != ReviewItem.State.WAIVED and may_waive(user, item, review),
            waiver=waivers.get(item.pk),
        )
        if row.can_assign:
            if item.owner_team_id not in assignable:
                assignable[item.owner_team_id] = list(assignable_to(item, review))
            row.assignable = assignable[item.owner_team_id]
        if refusal is not None and refused_here:
            row.error, row.reason = refusal.message, refusal.text
        if not checklists or checklists[-1].title != item.checklist:
            checklists.append(Checklist(item.checklist))
        groups = checklists[-1].groups
        if not groups or groups[-1].owner_team_id != item.owner_team_id:
            groups.append(OwnerGroup(item.owner_team_id, row.who, row.can_change))
        groups[-1].rows.append(row)
    return in_viewers_order(checklists, review, user, approval_ids)


def waivers_in_force(items: list[ReviewItem]) -> dict[int, Waiver]:
    """The waiver in force of each waived item, by item id: one query, none if none is waived."""
    waived = [item.pk for item in items if item.state == ReviewItem.State.WAIVED]
    if not waived:
        return {}
    found = Waiver.objects.filter(
        item_id__in=waived, expired_at__isnull=True, lifted_at__isnull=True
    ).select_related("owner_user", "owner_team")
    return {waiver.item_id: waiver for waiver in found}


def in_viewers_order(
    checklists: list[Checklist], review: Review, user: User, approval_ids: Collection[int]
) -> list[Checklist]:
    """The checklists with those holding approvals first, so what a review waits on is not
    last; for the DRI, right after the checklists of the DRI's own items. Otherwise, and
    within each rank, the playbook's order."""
    is_dri = user.pk == review.dri_id

    def rank(checklist: Checklist) -> int:
        items = [row.item for row in checklist.rows]
        if is_dri and any(item.owner_team_id is None for item in items):
            return 0
        if any(item.pk in approval_ids for item in items):
            return 1
        return 2

    return sorted(checklists, key=rank)


def missing_by_owner(review: Review) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for missing in missing_items(review):
        team = missing.item.owner_team
        owner = f"Team {team.name}" if team is not None else "DRI"
        grouped.setdefault(owner, []).append(missing.reason)
    return grouped


# The channel shows its latest messages; the rest are one link away.
CHANNEL_WINDOW = 200


def channel_of(review: Review, *, all_messages: bool, upto: int) -> dict[str, Any]:
    """The channel as of message `upto` (the page's version: nothing newer is shown, so the
    next live update appends exactly what the page lacks)."""
    messages = (
        review.messages.filter(pk__lte=upto).select_related("author").order_by("-created_at", "-pk")
    )
    shown = list(messages if all_messages else messages[:CHANNEL_WINDOW])
    shown.reverse()
    hidden = 0 if all_messages or len(shown) < CHANNEL_WINDOW else messages.count() - len(shown)
    return {
        "channel": shown,
        "channel_hidden": hidden,
        "channel_first": shown[0].pk if shown and hidden else 0,
        "all_messages": all_messages,
    }


def timeline_of(review: Review, *, upto: int) -> list[TimelineEvent]:
    return list(review.timeline.filter(pk__lte=upto).order_by("-created_at", "-pk"))


@dataclass(frozen=True)
class ChatLinkState:
    """A linked chat channel, and whether prr posts the review's news there."""

    link: ChannelLink
    silent_because: str = ""  # why prr posts nothing there; "" when it does


SILENT_BECAUSE: dict[str, str] = {
    Platform.MATTERMOST: "no webhook is configured (an admin sets PRR_MATTERMOST_WEBHOOK_URL "
    "or the link's notify URL)",
    Platform.SLACK: "no bot token is configured (an admin sets PRR_SLACK_BOT_TOKEN)",
}


def chat_link_states(review: Review) -> list[ChatLinkState]:
    """The review's linked channels, each said as it is: the notifier's own `destinations`
    decide where its news goes, so the page cannot claim a channel that hears nothing."""
    heard = {platform for platform, _, _ in destinations(review)}
    return [
        ChatLinkState(link, "" if link.platform in heard else SILENT_BECAUSE.get(link.platform, ""))
        for link in review.channel_links.all()
    ]


def reviewers_form_of(review: Review, user: User) -> dict[str, Any]:
    """The form that adds reviewers: shown to those who may, with the teams not yet in."""
    can_add = may("add-reviewers", user, review)
    teams = Team.objects.exclude(pk__in=review.reviewer_teams.values("pk")).order_by("name")
    return {"can_add_reviewers": can_add, "teams_to_add": list(teams) if can_add else []}


def header_of(review: Review, user: User) -> dict[str, Any]:
    """The header: facts, readiness, snapshots and the actions `user` may take."""
    missing = missing_by_owner(review) if review.is_open else {}
    return {
        "missing": missing,
        "ready": review.is_open and not missing,
        "progress": progress_of([review], soon_days=DUE_SOON_DAYS)[review.pk],
        "reviewer_teams": list(review.reviewer_teams.order_by("name")),
        "reviewers": list(review.reviewers.order_by("username")),
        "snapshots": list(review.snapshots.order_by("version").only("version", "created_at")),
        "chat_links": chat_link_states(review),
        "can_close": may("close", user, review),
        "can_cancel": may("cancel", user, review),
        "can_reopen": may("reopen", user, review),
    }


@dataclass(frozen=True)
class FollowUpRow:
    follow_up: FollowUp
    overdue: bool
    can_complete: bool
    error: str = ""  # a refusal of "Mark done"


def follow_ups_region(
    review: Review, user: User, *, today: date, refusal: Refusal | None = None
) -> dict[str, Any]:
    """Every follow-up of the review, done or not (they outlive the close), and what `user`
    may do: raise one (on an open review), mark one done (on any)."""
    found = review.follow_ups.select_related("owner_user", "owner_team", "raised_by")
    rows = [
        FollowUpRow(
            f,
            overdue=f.done_at is None and f.due_on is not None and f.due_on < today,
            can_complete=f.done_at is None and may_complete(user, f, review),
            error=refusal.message if refusal and refusal.where == f"follow-up:{f.number}" else "",
        )
        for f in found.order_by("number")
    ]
    return {
        "follow_ups": rows,
        "can_raise_follow_up": review.is_open and may_raise(user, review),
    }


def rereview_region(review: Review, user: User) -> dict[str, Any]:
    """The links between a review and its re-review, why a closed one is due, and who may
    start it or ask for it (as `restart_review` and `request_rereview` decide)."""
    closed = review.status == Review.Status.CLOSED
    rereview = review.rereviews.order_by("number").first() if closed else None
    waiting = closed and rereview is None and user.is_active
    return {
        "previous": review.previous,
        "rereview": rereview,
        "why_due": why_due(review) if closed else None,
        "can_restart": waiting and may_restart(user, review),
        "can_ask_rereview": waiting and may_request_rereview(user, review),
    }


def approvals_with_follow_ups(review: Review, user: User, *, now: datetime) -> list[ApprovalRow]:
    return approvals_of(review, user, now=now, followed_up=approved_with_follow_ups(review))


def checklist_region(
    review: Review,
    user: User,
    refusal: Refusal | None,
    approvals: list[ApprovalRow],
    *,
    show: str,
    all_messages: bool,
    now: datetime,
) -> dict[str, Any]:
    """The checklist region: its items narrowed to `show`, the links that narrow it, and the
    items `user` may waive (one form for all: an item's card goes out in every live update of
    it, and stays small)."""
    checklists = checklists_of(
        review,
        user,
        refusal,
        show=show,
        approval_ids={row.item.pk for row in approvals},
        now=now,
    )
    return {
        "checklists": checklists,
        "waivable": [row.item for c in checklists for row in c.rows if row.can_waive],
        "show": show,
        "checklist_filters": filter_links(show, all_messages=all_messages),
        "nothing_shown": NOTHING_SHOWN.get(show, ""),
    }


def review_context(
    review: Review,
    user: User,
    *,
    refusal: Refusal | None = None,
    preview: Preview | None = None,
    all_messages: bool = False,
    show: str = "",
) -> dict[str, Any]:
    # The version first: the page shows messages and events up to it, never past it.
    live = live_version(review.number)
    review = get_review(review.number)  # fresh: an action may just have changed it
    now = timezone.now()
    approvals = approvals_with_follow_ups(review, user, now=now)
    return {
        "review": review,
        "spec": review.playbook_version.spec,
        **header_of(review, user),
        **reviewers_form_of(review, user),
        "approvals": approvals,
        "sections": sections_of(review, refusal, preview),
        "can_answer": may("answer", user, review),
        **checklist_region(
            review, user, refusal, approvals, show=show, all_messages=all_messages, now=now
        ),
        **channel_of(review, all_messages=all_messages, upto=live.last_message),
        "timeline": timeline_of(review, upto=live.last_event),
        **follow_ups_region(review, user, today=now.date(), refusal=refusal),
        **rereview_region(review, user),
        "live": live,
        "refusal": refusal,
    }


# A live update sends what changed since the page's version: new messages appended, new
# timeline events prepended, changed items and sections replaced, the header when anything
# but a message happened, the approvals box when an approval changed (`live_update_context`
# tells which items are approvals). What each kind of event changes besides the timeline; a
# kind not listed here (a new one) sends every region again, which is always right. The form
# that adds reviewers ("reviewers") is sent again only when the review's status changes, so
# that what its DRI is typing is never replaced by someone else's change.
AFTER = ("follow_ups", "rereview")  # what lives on after the close: follow-ups, re-review
EVENT_CHANGES: dict[str, set[str]] = {
    "item.changed": {"item", "header"},
    "item.assigned": {"item"},
    "task_action.refused": set(),  # its reply is a message
    "answer.updated": {"section"},
    "message.edited": {"messages"},
    "reviewers.added": {"header"},
    "chat.linked": {"header"},
    "chat.unlinked": {"header"},
    # What may be done changes everywhere; the channel and the timeline only grow.
    "review.closed": {"header", "reviewers", "approvals", "document", "checklist", *AFTER},
    "review.reopened": {"header", "reviewers", "approvals", "document", "checklist", *AFTER},
    "review.cancelled": {"header", "reviewers", "approvals", "document", "checklist", *AFTER},
    "item.waived": {"item", "header"},
    "waiver.expired": {"item", "header", "rereview"},
    # A follow-up may turn an approval into "approved with follow-ups", or back.
    "follow_up.raised": {"follow_ups", "approvals"},
    "follow_up.done": {"follow_ups", "approvals"},
    "review.restarted": {"rereview"},
    "review.rereviewed": {"rereview"},
    "review.rereview_requested": {"rereview"},
}
WHOLE_PAGE = frozenset(
    {"header", "approvals", "document", "checklist", "messages", "timeline", *AFTER}
)
# A page further behind than this gets whole regions: cheaper than a long list of changes.
LIVE_MAX_CHANGES = 50


@dataclass
class Changes:
    """What a page at version `seen` lacks: whole regions, or the parts that changed."""

    regions: set[str] = field(default_factory=set)
    sections: set[str] = field(default_factory=set)
    items: set[int] = field(default_factory=set)
    messages: list[Message] = field(default_factory=list)
    events: list[TimelineEvent] = field(default_factory=list)


def changes_since(now: LiveVersion, seen: tuple[int, int] | None) -> Changes:
    if seen is None or seen[0] > now.last_event or seen[1] > now.last_message:
        return Changes(set(WHOLE_PAGE))
    events = events_since(now.review_id, seen[0], now.last_event, limit=LIVE_MAX_CHANGES)
    messages = list(
        Message.objects.filter(review_id=now.review_id, pk__gt=seen[1], pk__lte=now.last_message)
        .select_related("author")
        .order_by("pk")[: LIVE_MAX_CHANGES + 1]
    )
    if len(events) > LIVE_MAX_CHANGES or len(messages) > LIVE_MAX_CHANGES:
        return Changes(set(WHOLE_PAGE))
    changes = Changes(events=events, messages=messages)
    if messages and seen[1] == 0:
        changes.regions.add("messages")  # the page still says "No messages yet."
    for event in events:
        kinds = EVENT_CHANGES.get(event.kind)
        if kinds is None:
            return Changes(set(WHOLE_PAGE))
        changes.regions |= kinds - {"item", "section"}
        if "item" in kinds and event.item_id is not None:
            changes.items.add(event.item_id)
        if "section" in kinds and isinstance(event.data, dict):
            changes.sections.add(str(event.data.get("section", "")))
    return changes


def live_update_context(
    review: Review,
    user: User,
    now: LiveVersion,
    changes: Changes,
    *,
    all_messages: bool,
    show: str = "",
    highlight: bool = False,
) -> dict[str, Any]:
    """What web/review/regions.html needs to bring a page from its version to `now`;
    `highlight`: the changes are someone else's, marked so that the page shows them briefly."""
    regions = set(changes.regions)
    moment = timezone.now()
    approvals: list[ApprovalRow] = []
    if regions & {"approvals", "checklist"} or changes.items:
        approvals = approvals_with_follow_ups(review, user, now=moment)
        if changes.items & {row.item.pk for row in approvals}:
            regions.add("approvals")
    if changes.items and show:
        regions.add("checklist")  # a changed item may join or leave a narrowed list
    context: dict[str, Any] = {
        "review": review,
        "live": now,
        "regions": regions | {"live"},
        "all_messages": all_messages,
        "show": show,
        "refusal": None,
        # A message that just changed an item is among the page's latest: a plain anchor.
        "channel_first": 0,
        "highlight": highlight,
        "changed_items": changes.items if highlight else set(),
        "changed_sections": changes.sections if highlight else set(),
    }
    if "header" in regions:
        context.update(header_of(review, user))
    if "reviewers" in regions:
        context.update(reviewers_form_of(review, user))
    if "approvals" in regions:
        context["approvals"] = approvals
    if "document" in regions or changes.sections:
        context["can_answer"] = may("answer", user, review)
        context["sections"] = sections_of(review, None)
        context["oob_sections"] = [s for s in context["sections"] if s.key in changes.sections]
    if "checklist" in regions:
        context.update(
            checklist_region(
                review, user, None, approvals, show=show, all_messages=all_messages, now=moment
            )
        )
    elif changes.items:
        checklists = checklists_of(review, user, None, only=changes.items, now=moment)
        context["oob_items"] = [row for checklist in checklists for row in checklist.rows]
    if "messages" in regions:
        context.update(channel_of(review, all_messages=all_messages, upto=now.last_message))
    else:
        context["new_messages"] = changes.messages
    if "follow_ups" in regions:
        context.update(follow_ups_region(review, user, today=moment.date()))
    if "rereview" in regions:
        context.update(rereview_region(review, user))
    if "timeline" in regions:
        context["timeline"] = timeline_of(review, upto=now.last_event)
    else:
        context["new_events"] = changes.events[::-1]  # the timeline shows the newest first
    return context

"""The review page and the actions taken on it: answer, checklist, channel, live updates.

Each action works as a plain form POST (Post/Redirect/Get; a refusal re-renders the page
with the service's words where the person acted) and as an htmx request (the changed
regions come back as out-of-band swaps; a refusal comes back with a 4xx status). An htmx
answer also names the element that shows the action's result and a short note saying it
(`HX-Trigger-After-Settle`), so that the page's script moves the focus there.
"""

from __future__ import annotations

import json
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from prr.accounts.models import User
from prr.accounts.services import get_user
from prr.errors import InvalidInput, NotFound, PrrError
from prr.reviews.answers import answer_section, ensure_may_answer
from prr.reviews.assignment import assign_item
from prr.reviews.channel import PostResult, post_message
from prr.reviews.follow_ups import complete_follow_up, raise_follow_up
from prr.reviews.items import set_item_state
from prr.reviews.models import Review
from prr.reviews.queries import get_review, live_version, parse_ref
from prr.reviews.rereview import request_rereview, restart_review
from prr.reviews.starting import add_reviewers
from prr.reviews.waivers import waive_item
from prr.teams.models import Team
from prr.teams.queries import person_or_team
from prr.teams.services import get_team
from prr.web.markdown import render_markdown
from prr.web.review_page import (
    Preview,
    Refusal,
    changes_since,
    checklist_filter,
    live_update_context,
    review_context,
)
from prr.web.views.common import acting_user, http_error, is_htmx, status_for

# Where a refused action's words are shown, as the id of the control to go back to.
REFUSAL_FOCUS = {
    "composer": "message-body",
    "reviewers": "reviewers-users",
    "follow-ups": "follow-up-text",
    "rereview": "rereview",
    "waive": "waive-reason",
}


def load_review(number: int | str) -> Review:
    try:
        return get_review(number)
    except PrrError as error:
        raise http_error(error) from error


def wants_all_messages(request: HttpRequest) -> bool:
    return request.GET.get("messages") == "all"


def shown_items(request: HttpRequest) -> str:
    """What the checklist is narrowed to: `?show=` on the page, or sent with an action."""
    return checklist_filter(request.GET.get("show") or request.POST.get("show"))


def review_url(review: Review, anchor: str = "", *, show: str = "") -> str:
    url = reverse("web:review", args=[review.number])
    if show:
        url += f"?show={show}"
    return f"{url}#{anchor}" if anchor else url


def focus_on(response: HttpResponse, element_id: str, note: str = "") -> HttpResponse:
    """Tell the page's script (web/review.js) to move the focus to `element_id` once the
    answer is swapped in, and to say `note` in the page's polite live region."""
    event = {"prr:focus": {"element": element_id, "note": note}}
    response["HX-Trigger-After-Settle"] = json.dumps(event)
    return response


# What a page shows again when one of its items changed state (its readiness, its approvals).
AN_ITEM_CHANGED = {"header", "approvals", "checklist", "timeline", "live"}


def done(
    request: HttpRequest,
    review: Review,
    regions: set[str],
    anchor: str,
    note: str,
    *,
    show: str = "",
) -> HttpResponse:
    """What a change answers: with htmx, the changed regions, the focus moved to `anchor` and
    `note` said; without, a redirect there with `note` as a banner."""
    if is_htmx(request):
        return focus_on(changed_response(request, review, regions), anchor, note)
    messages.success(request, note)
    return HttpResponseRedirect(review_url(review, anchor, show=show))


def refusal_focus(refusal: Refusal) -> str:
    where, _, key = refusal.where.partition(":")
    if where == "section":
        return f"answer-{key}"
    if where == "item":
        return f"item-{key}"
    if where == "follow-up":
        return f"follow-up-{key}"
    return REFUSAL_FOCUS.get(where, "")


@login_required
@require_GET
def review_page(request: HttpRequest, number: int) -> HttpResponse:
    review = load_review(number)
    context = review_context(
        review,
        acting_user(request),
        all_messages=wants_all_messages(request),
        show=shown_items(request),
    )
    return render(request, "web/review.html", context)


@login_required
def review_by_ref(request: HttpRequest, ref: str) -> HttpResponse:
    try:
        number = parse_ref(ref)
    except PrrError as error:
        raise Http404(error.message) from error
    return redirect("web:review", number=number)


def regions_response(
    request: HttpRequest,
    review: Review,
    regions: set[str],
    *,
    sections: set[str] | None = None,
    refusal: Refusal | None = None,
    status: int = 200,
) -> HttpResponse:
    context = review_context(
        review,
        acting_user(request),
        refusal=refusal,
        all_messages=wants_all_messages(request),
        show=shown_items(request),
    )
    context["regions"] = regions
    context["oob_sections"] = [s for s in context["sections"] if s.key in (sections or set())]
    return render(request, "web/review/regions.html", context, status=status)


def changed_response(
    request: HttpRequest,
    review: Review,
    regions: set[str],
    *,
    sections: set[str] | None = None,
    redrawn: frozenset[str] = frozenset(),
) -> HttpResponse:
    """An action's htmx answer: what changed since the version the page sent (the action's
    own change and anyone else's), plus the `redrawn` regions; without a version, `regions`."""
    seen = parse_token(request.POST.get("since", ""))
    if seen is None:
        return regions_response(request, review, regions | redrawn, sections=sections)
    now = live_version(review.number)
    changes = changes_since(now, seen)
    changes.regions |= redrawn
    context = live_update_context(
        load_review(review.number),
        acting_user(request),
        now,
        changes,
        all_messages=wants_all_messages(request),
        show=shown_items(request),
    )
    return render(request, "web/review/regions.html", context)


def refused(
    request: HttpRequest,
    review: Review,
    error: PrrError,
    refusal: Refusal,
    regions: set[str],
    sections: set[str] | None = None,
) -> HttpResponse:
    """A refusal, shown where the person acted: in its region for htmx, else in the page."""
    status = status_for(error)
    if is_htmx(request):
        # The page's version stays: the next poll still brings what others did meanwhile.
        response = regions_response(
            request, review, regions, sections=sections, refusal=refusal, status=status
        )
        # The words are read out as an alert where they are shown; the focus goes there.
        return focus_on(response, refusal_focus(refusal))
    context = review_context(
        review, acting_user(request), refusal=refusal, show=shown_items(request)
    )
    return render(request, "web/review.html", context, status=status)


@login_required
@require_POST
def answer(request: HttpRequest, number: int, section_key: str) -> HttpResponse:
    review = load_review(number)
    body = request.POST.get("body", "")
    try:
        answer_section(review, section_key, body, by=acting_user(request))
    except PrrError as error:
        refusal = Refusal(f"section:{section_key}", error.message, body)
        return refused(request, review, error, refusal, set(), sections={section_key})
    if is_htmx(request):
        response = changed_response(request, review, {"timeline", "live"}, sections={section_key})
        return focus_on(response, f"section-{section_key}", "Answer saved.")
    messages.success(request, "Answer saved.")
    return HttpResponseRedirect(review_url(review, f"section-{section_key}"))


@login_required
@require_POST
def answer_preview(request: HttpRequest, number: int, section_key: str) -> HttpResponse:
    """The draft rendered as it would be saved, and nothing saved: a fragment for htmx,
    else the page again with the draft in its box and the preview under it."""
    review = load_review(number)
    body = request.POST.get("body", "")
    try:
        ensure_may_answer(review, section_key, acting_user(request))
    except PrrError as error:
        refusal = Refusal(f"section:{section_key}", error.message, body)
        return refused(request, review, error, refusal, set(), sections={section_key})
    html = render_markdown(body)
    if is_htmx(request):
        context = {"preview": html, "section_key": section_key}
        return render(request, "web/review/answer_preview.html", context)
    preview = Preview(section_key, body, html)
    context = review_context(
        review, acting_user(request), preview=preview, show=shown_items(request)
    )
    return render(request, "web/review.html", context)


@login_required
@require_POST
def set_item(request: HttpRequest, number: int, key: str) -> HttpResponse:
    review = load_review(number)
    state = request.POST.get("state", "")
    reason = request.POST.get("reason", "")
    try:
        item = set_item_state(review, key, state, by=acting_user(request), reason=reason)
    except PrrError as error:
        refusal = Refusal(f"item:{key}", error.message, reason)
        return refused(request, review, error, refusal, {"checklist"})
    note = f"'{item.title}' is now {item.state}."
    return done(
        request,
        review,
        AN_ITEM_CHANGED,
        f"item-{key}",
        note,
        show=shown_items(request),
    )


@login_required
@require_POST
def assign(request: HttpRequest, number: int, key: str) -> HttpResponse:
    """Assign an item to the person named in `assignee`, or to nobody when it is empty."""
    review = load_review(number)
    name = request.POST.get("assignee", "").strip()
    try:
        assignee = get_user(name) if name else None
        item = assign_item(review, key, assignee, by=acting_user(request))
    except PrrError as error:
        return refused(request, review, error, Refusal(f"item:{key}", error.message), {"checklist"})
    who = f"@{item.assignee.username}" if item.assignee else "nobody"
    note = f"'{item.title}' is assigned to {who}."
    return done(
        request,
        review,
        {"checklist", "timeline", "live"},
        f"item-{key}",
        note,
        show=shown_items(request),
    )


def people_and_teams(names: str, slugs: list[str]) -> tuple[list[User], list[Team]]:
    """The people named (handles separated by commas or spaces) and the teams ticked; every
    unknown name is said at once."""
    handles = [name for name in names.replace(",", " ").split() if name]
    if not handles and not slugs:
        raise InvalidInput("Name at least one person or tick a team to add as reviewers.")
    users, unknown = [], []
    for handle in handles:
        try:
            users.append(get_user(handle))
        except NotFound as error:
            unknown.append(error.message)
    if unknown:
        raise InvalidInput(" ".join(unknown))
    return users, [get_team(slug) for slug in slugs]


@login_required
@require_POST
def reviewers(request: HttpRequest, number: int) -> HttpResponse:
    review = load_review(number)
    names = request.POST.get("users", "")
    slugs = request.POST.getlist("teams")
    try:
        users, teams = people_and_teams(names, slugs)
        add_reviewers(review, by=acting_user(request), users=users, teams=teams)
    except PrrError as error:
        refusal = Refusal("reviewers", error.message, names, picked=tuple(slugs))
        return refused(request, review, error, refusal, {"reviewers"})
    added = review.timeline.filter(kind="reviewers.added", actor=acting_user(request))
    event = added.order_by("pk").last()
    note = f"{event.summary}." if event else "Reviewers added."
    if is_htmx(request):
        # The form comes back empty, without the teams just added.
        response = changed_response(
            request, review, {"header", "timeline", "live"}, redrawn=frozenset({"reviewers"})
        )
        return focus_on(response, "reviewers-fact", note)
    messages.success(request, note)
    return HttpResponseRedirect(review_url(review, "review-header"))


@login_required
@require_POST
def post(request: HttpRequest, number: int) -> HttpResponse:
    review = load_review(number)
    body = request.POST.get("body", "")
    # The approvals box's button posts its team's phrase here like any message (the phrase in
    # a message is the approval), leaving the composer and whatever is typed in it alone.
    from_approvals = request.POST.get("from") == "approvals"
    try:
        result = post_message(review, author=acting_user(request), body=body)
    except PrrError as error:
        refusal = Refusal("composer", error.message, body)
        return refused(request, review, error, refusal, {"composer"})
    show = shown_items(request)
    if is_htmx(request):
        response = changed_response(
            request,
            review,
            {"header", "approvals", "checklist", "messages", "timeline", "live"},
            # The composer is emptied once its message is posted.
            redrawn=frozenset() if from_approvals else frozenset({"composer"}),
        )
        approval = request.POST.get("item", "")
        target = f"approval-{approval}" if from_approvals and approval else ""
        return focus_on(
            response, target or f"message-{result.message.pk}", posted_note(review, result)
        )
    messages.success(request, "Message posted.")
    if from_approvals:
        return HttpResponseRedirect(review_url(review, "approvals", show=show))
    last = result.replies[-1] if result.replies else result.message
    return HttpResponseRedirect(review_url(review, f"message-{last.pk}", show=show))


def posted_note(review: Review, result: PostResult) -> str:
    """The note after a post: that it was posted, and the items its phrases changed."""
    if not result.effects:
        return "Message posted."
    titles = dict(
        review.items.filter(key__in=[e.item for e in result.effects]).values_list("key", "title")
    )
    changed = "; ".join(f"'{titles.get(e.item, e.item)}' is now {e.state}" for e in result.effects)
    return f"Message posted. {changed}."


def parse_token(token: str) -> tuple[int, int] | None:
    event, _, message = token.partition("-")
    if not (event.isdigit() and message.isdigit()):
        return None
    return int(event), int(message)


@login_required
@require_GET
def live(request: HttpRequest, number: int) -> HttpResponse:
    """The poll: 204 when nothing changed since the page's token, else what changed."""
    try:
        now = live_version(number)
    except PrrError as error:
        raise http_error(error) from error
    seen = parse_token(request.GET.get("v", ""))
    if seen == (now.last_event, now.last_message):
        return HttpResponse(status=204)
    changes = changes_since(now, seen)
    context = live_update_context(
        load_review(number),
        acting_user(request),
        now,
        changes,
        all_messages=wants_all_messages(request),
        show=shown_items(request),
        highlight=True,  # what the poll brings is someone else's doing
    )
    return render(request, "web/review/regions.html", context)


def typed_date(value: str, what: str) -> date | None:
    """A date from a date input (YYYY-MM-DD), None when left empty."""
    value = value.strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"The {what} '{value}' is not a date (YYYY-MM-DD).") from None


@login_required
@require_POST
def waive(request: HttpRequest, number: int) -> HttpResponse:
    """Waive the item `item` until a date, with a reason and an owner (the person waiving,
    if none is named)."""
    review = load_review(number)
    key = request.POST.get("item", "")
    reason = request.POST.get("reason", "")
    name = request.POST.get("owner", "").strip()
    typed = [key, request.POST.get("until", ""), request.POST.get("owner", "")]
    try:
        until = typed_date(request.POST.get("until", ""), "waiver's end")
        if until is None:
            raise InvalidInput("Say until when the waiver holds (YYYY-MM-DD).")
        owner = person_or_team(name, what="waiver's owner") if name else None
        waiver = waive_item(
            review, key, by=acting_user(request), reason=reason, until=until, owner=owner
        )
    except PrrError as error:
        refusal = Refusal("waive", error.message, reason, details=typed)
        return refused(request, review, error, refusal, {"checklist"})
    note = f"'{waiver.item.title}' is waived until {waiver.expires_on:%Y-%m-%d}."
    return done(
        request,
        review,
        AN_ITEM_CHANGED,
        f"item-{key}",
        note,
        show=shown_items(request),
    )


@login_required
@require_POST
def follow_up_raise(request: HttpRequest, number: int) -> HttpResponse:
    review = load_review(number)
    text = request.POST.get("text", "")
    name = request.POST.get("owner", "").strip()
    typed = {key: request.POST.get(key, "") for key in ("owner", "due", "link")}
    try:
        due = typed_date(typed["due"], "due date")
        owner = person_or_team(name, what="follow-up's owner") if name else None
        follow_up = raise_follow_up(
            review, text, by=acting_user(request), owner=owner, due=due, link=typed["link"]
        )
    except PrrError as error:
        refusal = Refusal("follow-ups", error.message, text, details=list(typed.values()))
        return refused(request, review, error, refusal, {"follow_ups"})
    note = f"Follow-up {follow_up.number} raised for {follow_up.owner_label}."
    return done(
        request,
        review,
        {"approvals", "follow_ups", "timeline", "live"},
        f"follow-up-{follow_up.number}",
        note,
    )


@login_required
@require_POST
def follow_up_done(request: HttpRequest, number: int, follow_up: int) -> HttpResponse:
    review = load_review(number)
    try:
        complete_follow_up(review, follow_up, by=acting_user(request))
    except PrrError as error:
        refusal = Refusal(f"follow-up:{follow_up}", error.message)
        return refused(request, review, error, refusal, {"follow_ups"})
    note = f"Follow-up {follow_up} is done."
    return done(
        request,
        review,
        {"approvals", "follow_ups", "timeline", "live"},
        f"follow-up-{follow_up}",
        note,
    )


@login_required
@require_POST
def restart(request: HttpRequest, number: int) -> HttpResponse:
    """Start the re-review of a closed review, and go to it."""
    review = load_review(number)
    try:
        started = restart_review(review, by=acting_user(request))
    except PrrError as error:
        return refused(request, review, error, Refusal("rereview", error.message), {"rereview"})
    messages.success(request, f"{started.ref} started as the re-review of {review.ref}.")
    url = review_url(started)
    if is_htmx(request):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return HttpResponseRedirect(url)


@login_required
@require_POST
def rereview_request(request: HttpRequest, number: int) -> HttpResponse:
    """An admin asks for a re-review of a closed review, with a reason."""
    review = load_review(number)
    reason = request.POST.get("reason", "")
    try:
        request_rereview(review, by=acting_user(request), reason=reason)
    except PrrError as error:
        refusal = Refusal("rereview", error.message, reason)
        return refused(request, review, error, refusal, {"rereview"})
    note = f"A re-review of {review.ref} is asked for."
    return done(request, review, {"rereview", "timeline", "live"}, "rereview", note)

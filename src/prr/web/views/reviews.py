"""The review page and the actions taken on it: answer, checklist, channel, live updates.

Each action works as a plain form POST (Post/Redirect/Get; a refusal re-renders the page
with the service's words where the person acted) and as an htmx request (the changed
regions come back as out-of-band swaps; a refusal comes back with a 4xx status).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from prr.errors import PrrError
from prr.reviews.channel import post_message
from prr.reviews.models import Review
from prr.reviews.queries import get_review, live_version, parse_ref
from prr.reviews.services import answer_section, set_item_state
from prr.web.review_page import (
    Refusal,
    changes_since,
    checklist_filter,
    live_update_context,
    review_context,
)
from prr.web.views.common import acting_user, http_error, is_htmx, status_for


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
        return regions_response(
            request, review, regions, sections=sections, refusal=refusal, status=status
        )
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
        return changed_response(request, review, {"timeline", "live"}, sections={section_key})
    messages.success(request, "Answer saved.")
    return HttpResponseRedirect(review_url(review, f"section-{section_key}"))


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
    if is_htmx(request):
        return changed_response(
            request, review, {"header", "approvals", "checklist", "timeline", "live"}
        )
    messages.success(request, f"'{item.title}' is now {item.state}.")
    return HttpResponseRedirect(review_url(review, f"item-{key}", show=shown_items(request)))


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
        return changed_response(
            request,
            review,
            {"header", "approvals", "checklist", "messages", "timeline", "live"},
            # The composer is emptied once its message is posted.
            redrawn=frozenset() if from_approvals else frozenset({"composer"}),
        )
    messages.success(request, "Message posted.")
    if from_approvals:
        return HttpResponseRedirect(review_url(review, "approvals", show=show))
    last = result.replies[-1] if result.replies else result.message
    return HttpResponseRedirect(review_url(review, f"message-{last.pk}", show=show))


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
    )
    return render(request, "web/review/regions.html", context)

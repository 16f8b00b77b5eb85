"""Closing, reopening and cancelling a review: a confirmation page, then the service."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from prr.accounts.models import User
from prr.errors import PrrError
from prr.reviews.lifecycle import cancel_review, close_review, reopen_review
from prr.reviews.models import Review
from prr.reviews.queries import missing_items, unanswered_sections
from prr.reviews.services import may, who_may
from prr.web.views.common import acting_user, status_for
from prr.web.views.reviews import load_review


@dataclass(frozen=True)
class Action:
    verb: str  # close, reopen, cancel
    reason_required: bool  # always for reopen and cancel; for close only when forced


ACTIONS = {
    "close": Action("close", reason_required=False),
    "reopen": Action("reopen", reason_required=True),
    "cancel": Action("cancel", reason_required=True),
}


def perform(action: Action, review: Review, user: User, reason: str, force: bool) -> str:
    """Run the service; returns what to tell the person."""
    if action.verb == "close":
        snapshot = close_review(review, by=user, force=force, reason=reason)
        return f"Closed {review.ref}; snapshot v{snapshot.version} written."
    if action.verb == "reopen":
        reopen_review(review, by=user, reason=reason)
        return f"Reopened {review.ref}."
    cancel_review(review, by=user, reason=reason)
    return f"Cancelled {review.ref}."


@login_required
@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, number: int, verb: str) -> HttpResponse:
    action = ACTIONS.get(verb)
    if action is None:
        raise Http404(f"No action '{verb}'.")
    review = load_review(number)
    user = acting_user(request)
    context: dict[str, object] = {
        "review": review,
        "action": action,
        "can_force": verb == "close" and may("force-close", user, review),
        "missing": missing_items(review) if verb == "close" and review.is_open else [],
        "unanswered": unanswered_sections(review) if verb == "close" and review.is_open else [],
        "reason": "",
        "force": False,
        "allowed": may(verb, user, review),
        "who": who_may(verb, review),
    }
    if request.method == "POST":
        reason = request.POST.get("reason", "")
        force = request.POST.get("force") == "on"
        try:
            done = perform(action, review, user, reason, force)
        except PrrError as error:
            context.update(
                error=error.message.splitlines()[0],
                details=[d["reason"] for d in error.details or [] if isinstance(d, dict)],
                reason=reason,
                force=force,
            )
            return render(request, "web/review_confirm.html", context, status=status_for(error))
        messages.success(request, done)
        return redirect("web:review", number=review.number)
    return render(request, "web/review_confirm.html", context)

"""Starting a review from the latest version of a playbook."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from prr.accounts.models import User
from prr.accounts.services import get_user
from prr.errors import PrrError
from prr.reviews.starting import start_review
from prr.web.forms import StartReviewForm
from prr.web.views.common import acting_user, status_for


def users_named(form: StartReviewForm, field: str, names: list[str]) -> list[User] | None:
    """The users named in a field, or None after adding an error for each unknown name."""
    users = []
    for name in names:
        try:
            users.append(get_user(name))
        except PrrError as error:
            form.add_error(field, error.message)
    return None if form.has_error(field) else users


@login_required
@require_http_methods(["GET", "POST"])
def start(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    if request.method != "POST":
        form = StartReviewForm(initial={"dri": user.username})
        return render(request, "web/review_new.html", {"form": form})
    form = StartReviewForm(request.POST)
    status = 400
    if form.is_valid():
        dri = users_named(form, "dri", [form.cleaned_data["dri"]])
        reviewers = users_named(form, "reviewers", form.reviewer_names())
        if dri is not None and reviewers is not None:
            try:
                review = start_review(
                    version=form.versions[form.cleaned_data["playbook"]],
                    title=form.cleaned_data["title"],
                    dri=dri[0],
                    kind=form.cleaned_data["kind"],
                    reviewers=reviewers,
                    by=user,
                )
            except PrrError as error:
                form.add_error(None, error.message)
                status = status_for(error)
            else:
                messages.success(request, f"Started {review.ref}.")
                return redirect("web:review", number=review.number)
    return render(request, "web/review_new.html", {"form": form}, status=status)

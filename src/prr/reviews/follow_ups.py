"""Follow-ups: work a reviewer asks for that need not hold the review up.

A follow-up has a text, an owner (a person or a team; by default the DRI), maybe a due date
and a link to an issue tracker. It is raised on an open review by a reviewer (a current member
of a reviewer team, or a reviewer named on the review), the DRI or an admin, from every face,
and in chat by a message that starts with "Follow-up:". Raised by a member of a team whose
approval is done, that approval reads "approved with follow-ups" while any is open.

Follow-ups survive the close: they are listed on the closed review and across reviews until
done, remind their owner when overdue, and their completion is on the timeline, an addendum
to the snapshot (which never changes). Its owner, the DRI or an admin marks one done.
"""

from __future__ import annotations

import re
from datetime import date

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.db.models import Max, QuerySet
from django.utils import timezone

from prr.accounts.models import User
from prr.accounts.services import ensure_can_act
from prr.errors import InvalidInput, NotFound, PermissionDenied, RuleViolation
from prr.reviews.models import FollowUp, Review, ReviewItem, Snapshot, TimelineKind
from prr.reviews.schemas import AddendumOut
from prr.reviews.services import ensure_open, is_dri_or_admin, lock_review, record
from prr.teams.models import Team
from prr.teams.queries import current_memberships, is_current_member

TEXT_MAX = 2000
# "Follow-up: add the p99 panel" at the start of a chat message (any case, colon or dash).
CHAT_PREFIX = re.compile(r"^\s*follow[- ]?up\s*[:\-]\s*(?P<text>\S.*)", re.IGNORECASE | re.DOTALL)


def clean_link(link: str) -> str:
    """A link to an issue tracker: http or https, or nothing."""
    link = link.strip()
    if not link:
        return ""
    try:
        URLValidator(schemes=["http", "https"])(link)
    except ValidationError:
        raise InvalidInput(f"'{link}' is not an http or https link.") from None
    if len(link) > 2000:
        raise InvalidInput("The link is longer than 2,000 characters.")
    return link


def reviewer_team_of(user: User, review: Review) -> Team | None:
    """The reviewer team of `review` the user is a current member of (the first by slug)."""
    team_ids = current_memberships().filter(user=user).values("team_id")
    return review.reviewer_teams.filter(pk__in=team_ids).order_by("slug").first()


def may_raise(user: User, review: Review) -> bool:
    if not user.is_active or user.is_bot:
        return False
    return (
        is_dri_or_admin(user, review)
        or review.reviewers.filter(pk=user.pk).exists()
        or reviewer_team_of(user, review) is not None
    )


def raise_follow_up(
    review: Review,
    text: str,
    *,
    by: User,
    owner: User | Team | None = None,
    due: date | None = None,
    link: str = "",
) -> FollowUp:
    """Record a follow-up on an open review (owner: the DRI unless named)."""
    ensure_can_act(by)
    text = " ".join(text.split()) if "\n" not in text else text.strip()
    if not text:
        raise InvalidInput("A follow-up needs a text: what is to be done.")
    if len(text) > TEXT_MAX:
        raise InvalidInput(f"A follow-up is at most {TEXT_MAX:,} characters.")
    link = clean_link(link)
    if due is not None and due < timezone.now().date():
        raise InvalidInput(f"The due date {due} is in the past.")
    with transaction.atomic():
        review = lock_review(review)
        ensure_open(review, "raise follow-ups")
        if not may_raise(by, review):
            raise PermissionDenied(
                f"Only a reviewer of {review.ref}, its DRI or an admin can raise a follow-up."
            )
        owner = owner or review.dri
        if isinstance(owner, User) and not owner.is_active:
            raise RuleViolation(f"@{owner.username} is deactivated and cannot own a follow-up.")
        number = (review.follow_ups.aggregate(n=Max("number"))["n"] or 0) + 1
        try:
            with transaction.atomic():
                follow_up = FollowUp.objects.create(
                    review=review,
                    number=number,
                    text=text,
                    owner_user=owner if isinstance(owner, User) else None,
                    owner_team=owner if isinstance(owner, Team) else None,
                    due_on=due,
                    link=link,
                    raised_by=by,
                    raised_by_team=reviewer_team_of(by, review),
                )
        except IntegrityError:
            raise RuleViolation(
                "Another follow-up was raised at the same moment; try again."
            ) from None
        due_text = f", due {due:%Y-%m-%d}" if due else ""
        record(
            review,
            TimelineKind.FOLLOW_UP_RAISED,
            f"@{by.username} raised follow-up {number} for {follow_up.owner_label}{due_text}: "
            f"{text}",
            actor=by,
            number=number,
            owner=follow_up.owner_label,
            due=due.isoformat() if due else None,
            link=link,
        )
    return follow_up


def get_follow_up(review: Review, number: int) -> FollowUp:
    found = review.follow_ups.select_related("owner_user", "owner_team").filter(number=number)
    follow_up = found.first()
    if follow_up is None:
        raise NotFound(f"{review.ref} has no follow-up {number}.")
    return follow_up


def may_complete(user: User, follow_up: FollowUp, review: Review) -> bool:
    if not user.is_active:
        return False
    if is_dri_or_admin(user, review) or follow_up.owner_user_id == user.pk:
        return True
    return follow_up.owner_team is not None and is_current_member(user, follow_up.owner_team)


def complete_follow_up(review: Review, number: int, *, by: User) -> FollowUp:
    """Mark a follow-up done (open or closed review: on a closed one it is an addendum)."""
    ensure_can_act(by)
    with transaction.atomic():
        review = lock_review(review)
        follow_up = get_follow_up(review, number)
        if not may_complete(by, follow_up, review):
            raise PermissionDenied(
                f"Only {follow_up.owner_label}, the DRI or an admin can mark follow-up "
                f"{number} done."
            )
        if follow_up.done_at is not None:
            raise RuleViolation(f"Follow-up {number} of {review.ref} is already done.")
        follow_up.done_at, follow_up.done_by = timezone.now(), by
        follow_up.save(update_fields=["done_at", "done_by"])
        addendum = " (an addendum to the closed review)" if review.status == "closed" else ""
        record(
            review,
            TimelineKind.FOLLOW_UP_DONE,
            f"@{by.username} marked follow-up {number} done{addendum}: {follow_up.text}",
            actor=by,
            number=number,
        )
    return follow_up


def open_follow_ups(review: Review | None = None) -> QuerySet[FollowUp]:
    """Follow-ups not done yet (of one review, or all), overdue and soonest due first."""
    found = FollowUp.objects.filter(done_at__isnull=True)
    if review is not None:
        found = found.filter(review=review)
    return found.select_related("review", "owner_user", "owner_team", "raised_by").order_by(
        "due_on", "review__number", "number"
    )


def approved_with_follow_ups(review: Review) -> set[int]:
    """The ids of the teams whose approval of this review is done while follow-ups their
    members raised are still open: "approved with follow-ups"."""
    raised = set(
        review.follow_ups.filter(done_at__isnull=True, raised_by_team__isnull=False).values_list(
            "raised_by_team_id", flat=True
        )
    )
    if not raised:
        return set()
    approved = review.items.filter(owner_team_id__in=raised, state=ReviewItem.State.DONE)
    return set(approved.values_list("owner_team_id", flat=True))


def follow_up_in_message(body: str) -> str | None:
    """The follow-up text of a chat message that starts with "Follow-up:", else None."""
    match = CHAT_PREFIX.match(body)
    return match.group("text").strip() if match else None


def addenda(snapshot: Snapshot) -> list[AddendumOut]:
    """Follow-ups of the snapshot's review done after it was written: what the frozen
    document is followed by (the snapshot itself, and its hash, never change)."""
    done = snapshot.review.follow_ups.filter(done_at__gt=snapshot.created_at).select_related(
        "done_by"
    )
    return [
        AddendumOut(
            follow_up=f.number,
            text=f.text,
            done_at=f.done_at,  # type: ignore[arg-type]  # filtered on it
            done_by=f.done_by.username if f.done_by else None,
        )
        for f in done.order_by("done_at", "number")
    ]

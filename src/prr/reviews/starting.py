"""Starting a review from a playbook version, and adding reviewers to it.

The shared rules (who may act, locking, the timeline) are in `prr.reviews.services`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import Max

from prr.accounts.models import User
from prr.accounts.services import ensure_can_act
from prr.errors import InvalidInput, PermissionDenied, RuleViolation
from prr.playbooks.models import PlaybookVersion
from prr.playbooks.spec import DRI
from prr.playbooks.spec import TaskAction as SpecTaskAction
from prr.reviews import events
from prr.reviews.models import (
    Review,
    ReviewItem,
    TaskAction,
    TimelineKind,
)
from prr.reviews.services import (
    ensure_open,
    is_dri_or_admin,
    lock_review,
    record,
)
from prr.teams.models import Team

TITLE_MIN_WORDS = 3
TITLE_MIN_CHARS = 15
TITLE_MAX_CHARS = 200


def validate_title(title: str, version: PlaybookVersion) -> str:
    title = " ".join(title.split())
    if len(title) > TITLE_MAX_CHARS:
        raise InvalidInput(f"The title is longer than {TITLE_MAX_CHARS} characters.")
    if len(title.split()) < TITLE_MIN_WORDS or len(title) < TITLE_MIN_CHARS:
        raise InvalidInput(
            f"The title '{title}' is not self-descriptive: use at least {TITLE_MIN_WORDS} words "
            f"and {TITLE_MIN_CHARS} characters that say what is being launched, e.g. "
            "'Payments API: move card tokenisation to the new vault'."
        )
    if title.casefold() in {version.spec.title.casefold(), version.playbook.title.casefold()}:
        raise InvalidInput(
            f"The title '{title}' is only the playbook's title; say what this review is about."
        )
    clash = Review.objects.filter(status=Review.Status.OPEN, title__iexact=title).first()
    if clash is not None:
        raise RuleViolation(
            f"{clash.ref} is already open with the title '{clash.title}'; choose a title that "
            "tells the two reviews apart."
        )
    return title


def start_review(
    *,
    version: PlaybookVersion,
    title: str,
    dri: User,
    kind: str | None = None,
    reviewers: Iterable[User] = (),
    by: User | None = None,
) -> Review:
    """Start a review from a playbook version: copy its items, add the approving teams."""
    by = by or dri
    ensure_can_act(by)
    if not dri.is_active:
        raise RuleViolation(f"@{dri.username} is deactivated and cannot be the DRI.")
    if dri.is_bot:
        raise RuleViolation(f"@{dri.username} is a bot and cannot be the DRI.")
    if by.pk != dri.pk and not by.is_superuser:
        raise PermissionDenied("Only an admin can start a review with someone else as the DRI.")
    spec = version.spec
    kind = kind or spec.kinds[0]
    if kind not in spec.kinds:
        raise InvalidInput(
            f"Playbook '{spec.slug}' has no kind '{kind}' (kinds: {', '.join(spec.kinds)})."
        )
    reviewer_list = list(dict.fromkeys(reviewers))
    for reviewer in reviewer_list:
        if not reviewer.is_active:
            raise RuleViolation(f"@{reviewer.username} is deactivated and cannot review.")
    teams = {team.slug: team for team in Team.objects.all()}
    gone = sorted({slug for _, slug in spec.team_references() if slug not in teams})
    if gone:
        raise RuleViolation(
            f"Playbook '{spec.slug}' v{version.number} names teams that no longer exist: "
            f"{', '.join(gone)}. Create them or import a corrected playbook."
        )
    with transaction.atomic():
        title = validate_title(title, version)
        for attempt in range(5):
            number = (Review.objects.aggregate(n=Max("number"))["n"] or 0) + 1
            try:
                with transaction.atomic():
                    review = Review.objects.create(
                        number=number,
                        title=title,
                        kind=kind,
                        playbook_version=version,
                        dri=dri,
                        created_by=by,
                    )
                break
            except IntegrityError:
                # Another review took this number, or this title, at the same moment.
                validate_title(title, version)
                if attempt == 4:
                    raise RuleViolation("Too many reviews started at once; try again.") from None
        now = review.created_at
        items: list[ReviewItem] = []
        actions: list[tuple[ReviewItem, SpecTaskAction]] = []
        approving: set[str] = set()
        for checklist, item in spec.items():
            if item.kinds is not None and kind not in item.kinds:
                continue
            if item.owner != DRI and item.required:
                approving.add(item.owner)
            items.append(
                ReviewItem(
                    review=review,
                    position=len(items),
                    checklist=checklist.title,
                    key=item.key,
                    title=item.title,
                    description=item.description,
                    owner_team=teams[item.owner] if item.owner != DRI else None,
                    required=item.required,
                    allow_na=bool(item.allow_na),
                    due_at=now + timedelta(days=item.due_days) if item.due_days else None,
                )
            )
            actions.extend((items[-1], action) for action in item.task_actions)
        ReviewItem.objects.bulk_create(items)
        TaskAction.objects.bulk_create(
            TaskAction(
                item=review_item,
                review=review,
                team=teams[action.team],
                phrases=list(action.phrases),
                then=action.then,
            )
            for review_item, action in actions
        )
        review.reviewer_teams.set([teams[slug] for slug in sorted(approving)])
        review.reviewers.set(reviewer_list)
        record(
            review,
            TimelineKind.REVIEW_STARTED,
            f"@{by.username} started {review.ref} '{title}' ({kind}) from playbook "
            f"{version.playbook.slug} v{version.number}, DRI @{dri.username}",
            actor=by,
            dri=dri.username,
            kind=kind,
            playbook=version.playbook.slug,
            playbook_version=version.number,
            reviewer_teams=sorted(approving),
            reviewers=[u.username for u in reviewer_list],
        )
        events.publish(review.pk, events.STARTED, actor=by)
    return review


def add_reviewers(
    review: Review, *, by: User, users: Iterable[User] = (), teams: Iterable[Team] = ()
) -> Review:
    ensure_can_act(by)
    with transaction.atomic():
        review = lock_review(review)
        ensure_open(review, "add reviewers")
        if not is_dri_or_admin(by, review):
            raise PermissionDenied(
                f"Only the DRI (@{review.dri.username}) or an admin can add reviewers."
            )
        have_users = set(review.reviewers.values_list("pk", flat=True))
        have_teams = set(review.reviewer_teams.values_list("pk", flat=True))
        new_users = [u for u in dict.fromkeys(users) if u.pk not in have_users]
        new_teams = [t for t in dict.fromkeys(teams) if t.pk not in have_teams]
        for user in new_users:
            if not user.is_active:
                raise RuleViolation(f"@{user.username} is deactivated and cannot review.")
        if not new_users and not new_teams:
            raise RuleViolation("Everyone named is already a reviewer of " + review.ref + ".")
        review.reviewers.add(*new_users)
        review.reviewer_teams.add(*new_teams)
        names = [f"@{u.username}" for u in new_users] + [f"team {t.name}" for t in new_teams]
        record(
            review,
            TimelineKind.REVIEWERS_ADDED,
            f"@{by.username} added reviewers: {', '.join(names)}",
            actor=by,
            users=[u.username for u in new_users],
            teams=[t.slug for t in new_teams],
        )
        events.publish(
            review.pk,
            events.REVIEWERS_ADDED,
            actor=by,
            users=[u.username for u in new_users],
            teams=[t.slug for t in new_teams],
        )
    return review

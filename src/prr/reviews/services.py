"""The PRR process: every rule and every write of a review happens here, once.

Each function checks who may act, enforces the rule, writes the change and its timeline
event in one transaction, and raises a domain error (prr.errors) worded for the person who
asked. Changes to a review lock its row first, so concurrent writers are serialised.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from prr.accounts.models import User
from prr.accounts.services import ensure_can_act
from prr.errors import InvalidInput, NotFound, PermissionDenied, RuleViolation
from prr.playbooks.models import PlaybookVersion
from prr.playbooks.spec import DRI
from prr.playbooks.spec import TaskAction as SpecTaskAction
from prr.reviews import events
from prr.reviews.models import (
    Answer,
    AnswerRevision,
    Message,
    Review,
    ReviewItem,
    Snapshot,
    TaskAction,
    TimelineEvent,
    TimelineKind,
    Waiver,
)
from prr.reviews.queries import missing_items, missing_sections
from prr.reviews.snapshot import build_snapshot
from prr.teams.models import Team
from prr.teams.queries import is_current_member

TITLE_MIN_WORDS = 3
TITLE_MIN_CHARS = 15
TITLE_MAX_CHARS = 200
ANSWER_MAX_CHARS = 100_000
REASON_MAX_CHARS = 2_000


def record(
    review: Review,
    kind: TimelineKind,
    summary: str,
    /,
    *,
    actor: User | None = None,
    item: ReviewItem | None = None,
    message: Message | None = None,
    **data: Any,
) -> TimelineEvent:
    """Append one event to the review's timeline (call inside the change's transaction)."""
    return TimelineEvent.objects.create(
        review=review,
        kind=kind,
        summary=summary,
        actor=actor,
        item=item,
        message=message,
        data=data,
    )


def lock_review(review: Review) -> Review:
    """The review's row, re-read and locked until the transaction ends."""
    return Review.objects.select_for_update().select_related("dri").get(pk=review.pk)


def lock_review_status(review: Review) -> str:
    """Lock the review's row (cheaply: the hot path of every message) and read its status."""
    status: str = (
        Review.objects.select_for_update()
        .filter(pk=review.pk)
        .values_list("status", flat=True)
        .get()
    )
    return status


def ensure_open(review: Review, doing: str) -> None:
    if review.status != Review.Status.OPEN:
        hint = " An admin can reopen it." if review.status == Review.Status.CLOSED else ""
        raise RuleViolation(f"{review.ref} is {review.status}; cannot {doing}.{hint}")


def is_dri_or_admin(user: User, review: Review) -> bool:
    return user.is_superuser or user.pk == review.dri_id


def who_may(verb: str, review: Review) -> str:
    """Who may close, cancel or reopen a review: the rule in words, for the faces."""
    if verb == "reopen":
        return "an admin"
    return f"the DRI (@{review.dri.username}) or an admin"


def may(verb: str, user: User, review: Review) -> bool:
    """Whether `user` may close, cancel, reopen, force-close, answer or add reviewers to
    `review` now.

    Faces show or hide actions by it; the services below enforce the same rules, with reasons.
    """
    if not user.is_active:
        return False
    if verb == "reopen":
        return not review.is_open and user.is_superuser
    if verb in ("close", "cancel", "answer", "add-reviewers"):
        return review.is_open and is_dri_or_admin(user, review)
    if verb == "force-close":
        return review.is_open and user.is_superuser
    raise ValueError(f"Unknown verb {verb!r}")


def may_change_item(
    user: User, item: ReviewItem, review: Review, *, owner: bool | None = None
) -> bool:
    """Whether `user` may change `item` by hand now (`owner`: `owns_item`, if already known)."""
    if not (user.is_active and review.is_open):
        return False
    return user.is_superuser or (owns_item(user, item, review) if owner is None else owner)


def clean_reason(reason: str, doing: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(f"A reason is required to {doing}.")
    if len(reason) > REASON_MAX_CHARS:
        raise InvalidInput(f"The reason is longer than {REASON_MAX_CHARS:,} characters.")
    return reason


# -- starting ---------------------------------------------------------------------------------


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


# -- the document -----------------------------------------------------------------------------


def answer_section(review: Review, section_key: str, body: str, *, by: User) -> Answer:
    """Write the DRI's answer to one section; every text is kept as a revision."""
    ensure_can_act(by)
    body = body.strip()
    if not body:
        raise InvalidInput("The answer is empty; write the answer, with links to evidence.")
    if len(body) > ANSWER_MAX_CHARS:
        raise InvalidInput(f"The answer is longer than {ANSWER_MAX_CHARS:,} characters.")
    with transaction.atomic():
        review = lock_review(review)
        sections = {s.key: s for s in review.document_sections}
        if section_key not in sections:
            raise NotFound(
                f"{review.ref} has no section '{section_key}' (sections: {', '.join(sections)})."
            )
        ensure_open(review, "change its answers")
        if not is_dri_or_admin(by, review):
            raise PermissionDenied(
                f"Only the DRI (@{review.dri.username}) or an admin can answer the review document."
            )
        now = timezone.now()
        answer = Answer.objects.filter(review=review, section_key=section_key).first()
        completes = (
            sections[section_key].required
            and (answer is None or not answer.body.strip())
            and [s.key for s in missing_sections(review)] == [section_key]
        )
        if answer is not None and answer.body == body:
            raise RuleViolation(f"The answer to '{sections[section_key].title}' is unchanged.")
        if answer is None:
            answer = Answer.objects.create(
                review=review, section_key=section_key, body=body, updated_by=by, updated_at=now
            )
        else:
            answer.body, answer.updated_by, answer.updated_at = body, by, now
            answer.save(update_fields=["body", "updated_by", "updated_at"])
        AnswerRevision.objects.create(answer=answer, body=body, author=by, created_at=now)
        record(
            review,
            TimelineKind.ANSWER_UPDATED,
            f"@{by.username} answered '{sections[section_key].title}'",
            actor=by,
            section=section_key,
            as_admin=by.pk != review.dri_id,
        )
        if completes and not missing_items(review):
            # The last required section answered, every required item complete.
            events.publish(review.pk, events.READY, actor=by, completed_by=section_key)
    return answer


# -- checklist items --------------------------------------------------------------------------


def get_item(review: Review, key: str) -> ReviewItem:
    item = review.items.select_related("owner_team").filter(key=key).first()
    if item is None:
        keys = ", ".join(review.items.values_list("key", flat=True))
        raise NotFound(f"{review.ref} has no item '{key}' (items: {keys}).")
    return item


def who_may_change(item: ReviewItem, review: Review) -> str:
    if item.owner_team is not None:
        return f"a member of team {item.owner_team.name} or an admin"
    return f"the DRI (@{review.dri.username}) or an admin"


def owns_item(user: User, item: ReviewItem, review: Review) -> bool:
    """A current member of the owning team, or the DRI for the DRI's own items."""
    if item.owner_team is not None:
        return is_current_member(user, item.owner_team)
    return user.pk == review.dri_id


def apply_item_state(
    item: ReviewItem,
    state: str,
    *,
    by: User,
    via: str,
    reason: str = "",
    message: Message | None = None,
) -> None:
    """Write a new state on an item (the caller has checked the rules and holds the lock).

    Publishes `review.item_changed`, and `review.ready` when this completed the last open
    required item.
    """
    was_open = item.state == ReviewItem.State.OPEN
    if item.state == ReviewItem.State.WAIVED and state != ReviewItem.State.WAIVED:
        # Changed by hand (or expired): the waiver in force ends with it.
        Waiver.objects.filter(item=item, expired_at__isnull=True, lifted_at__isnull=True).update(
            lifted_at=timezone.now()
        )
    item.state = state
    item.na_reason = reason if state == ReviewItem.State.NA else ""
    item.changed_by = by
    item.changed_at = timezone.now()
    item.changed_via = via
    item.changed_by_message = message
    item.save(
        update_fields=[
            "state",
            "na_reason",
            "changed_by",
            "changed_at",
            "changed_via",
            "changed_by_message",
        ]
    )
    events.publish(
        item.review_id,
        events.ITEM_CHANGED,
        actor=by,
        item=item.key,
        title=item.title,
        state=state,
        via=via,
        reason=item.na_reason,
        message=message.pk if message is not None else None,
    )
    if (
        item.required
        and was_open
        and state != ReviewItem.State.OPEN
        and not ReviewItem.objects.filter(
            review_id=item.review_id, required=True, state=ReviewItem.State.OPEN
        ).exists()
        and not missing_sections(item.review)
    ):
        events.publish(item.review_id, events.READY, actor=by, completed_by=item.key)


STATE_WORDS = {"done": "done", "open": "open", "n/a": "n/a", "na": "n/a", "reopen": "open"}


def set_item_state(
    review: Review,
    item_key: str,
    state: str,
    *,
    by: User,
    reason: str = "",
    via: str = ReviewItem.Via.MANUAL,
) -> ReviewItem:
    """Mark an item done, open again, or n/a (with a reason) by hand."""
    ensure_can_act(by)
    new_state = STATE_WORDS.get(state.strip().lower())
    if new_state is None:
        raise InvalidInput(f"Unknown state '{state}'; use done, open or n/a.")
    with transaction.atomic():
        review = lock_review(review)
        item = get_item(review, item_key)
        ensure_open(review, "change its checklist")
        owner = owns_item(by, item, review)
        if not (owner or by.is_superuser):
            raise PermissionDenied(
                f"Only {who_may_change(item, review)} can change '{item.title}'."
            )
        if item.state == new_state:
            raise RuleViolation(f"'{item.title}' is already {new_state}.")
        if new_state == ReviewItem.State.NA:
            if not item.allow_na:
                raise RuleViolation(f"'{item.title}' cannot be marked n/a; it must be done.")
            reason = clean_reason(reason, f"mark '{item.title}' n/a")
        as_admin = not owner
        apply_item_state(item, new_state, by=by, via=via, reason=reason)
        summary = f"@{by.username} marked '{item.title}' {new_state}"
        if reason:
            summary += f": {reason}"
        if as_admin:
            summary += " (as admin)"
        record(
            review,
            TimelineKind.ITEM_CHANGED,
            summary,
            actor=by,
            item=item,
            key=item.key,
            state=new_state,
            via=via,
            reason=reason,
            as_admin=as_admin,
        )
    return item


# -- closing, reopening, cancelling -----------------------------------------------------------


def close_review(review: Review, *, by: User, force: bool = False, reason: str = "") -> Snapshot:
    """Close a ready review and freeze its document into the next snapshot."""
    ensure_can_act(by)
    with transaction.atomic():
        review = lock_review(review)
        if review.status == Review.Status.CLOSED:
            raise RuleViolation(f"{review.ref} is already closed.")
        ensure_open(review, "close it")
        if not is_dri_or_admin(by, review):
            raise PermissionDenied(
                f"Only the DRI (@{review.dri.username}) or an admin can close {review.ref}."
            )
        if force and not by.is_superuser:
            raise PermissionDenied("Only an admin can force-close a review.")
        if force:
            reason = clean_reason(reason, "force-close a review")
        missing = missing_items(review)
        sections = missing_sections(review)
        if (missing or sections) and not force:
            unanswered = [
                (s.key, f"the section '{s.title}' is required and not answered") for s in sections
            ]
            raise RuleViolation(
                f"{review.ref} cannot be closed yet:\n"
                + "\n".join(
                    f"  - {r}" for r in [r for _, r in unanswered] + [m.reason for m in missing]
                ),
                details=[
                    *({"section": key, "reason": r} for key, r in unanswered),
                    *({"item": m.item.key, "reason": m.reason} for m in missing),
                ],
            )
        review.status = Review.Status.CLOSED
        review.closed_at = timezone.now()
        review.save(update_fields=["status", "closed_at"])
        version = (review.snapshots.aggregate(v=Max("version"))["v"] or 0) + 1
        if force:
            summary = (
                f"@{by.username} force-closed {review.ref} with {len(missing)} required "
                f"item(s) open: {reason}"
            )
        else:
            summary = f"@{by.username} closed {review.ref}"
        record(
            review,
            TimelineKind.REVIEW_CLOSED,
            summary + f" (snapshot v{version})",
            actor=by,
            forced=force,
            reason=reason,
            missing=[m.item.key for m in missing],
            snapshot=version,
        )
        events.publish(
            review.pk, events.CLOSED, actor=by, forced=force, reason=reason, snapshot=version
        )
        return build_snapshot(review, version=version, by=by)


def reopen_review(review: Review, *, by: User, reason: str) -> Review:
    """Reopen a closed or cancelled review; its snapshots stay as they are."""
    ensure_can_act(by)
    if not by.is_superuser:
        raise PermissionDenied("Only an admin can reopen a review.")
    reason = clean_reason(reason, "reopen a review")
    with transaction.atomic():
        review = lock_review(review)
        if review.status == Review.Status.OPEN:
            raise RuleViolation(f"{review.ref} is already open.")
        clash = (
            Review.objects.filter(status=Review.Status.OPEN, title__iexact=review.title)
            .exclude(pk=review.pk)
            .first()
        )
        if clash is not None:
            raise RuleViolation(
                f"{clash.ref} is open with the same title; close or cancel it before reopening "
                f"{review.ref}."
            )
        previous = review.status
        review.status = Review.Status.OPEN
        review.closed_at = None
        review.save(update_fields=["status", "closed_at"])
        record(
            review,
            TimelineKind.REVIEW_REOPENED,
            f"@{by.username} reopened {review.ref}: {reason}",
            actor=by,
            reason=reason,
            previous=previous,
        )
        events.publish(review.pk, events.REOPENED, actor=by, reason=reason, previous=previous)
    return review


def cancel_review(review: Review, *, by: User, reason: str) -> Review:
    ensure_can_act(by)
    reason = clean_reason(reason, "cancel a review")
    with transaction.atomic():
        review = lock_review(review)
        ensure_open(review, "cancel it")
        if not is_dri_or_admin(by, review):
            raise PermissionDenied(
                f"Only the DRI (@{review.dri.username}) or an admin can cancel {review.ref}."
            )
        review.status = Review.Status.CANCELLED
        review.save(update_fields=["status"])
        record(
            review,
            TimelineKind.REVIEW_CANCELLED,
            f"@{by.username} cancelled {review.ref}: {reason}",
            actor=by,
            reason=reason,
        )
        events.publish(review.pk, events.CANCELLED, actor=by, reason=reason)
    return review

"""The review's channel: posting messages, and the task actions a message triggers."""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from prr.accounts.models import User
from prr.accounts.services import ensure_can_act
from prr.errors import InvalidInput, NotFound, PermissionDenied, PrrError, RuleViolation
from prr.operations import metrics
from prr.reviews import events
from prr.reviews.follow_ups import follow_up_in_message, raise_follow_up
from prr.reviews.items import apply_item_state
from prr.reviews.models import Message, Review, ReviewItem, TaskAction, TimelineKind
from prr.reviews.phrases import PhraseMatch, PhraseTable, Reason
from prr.reviews.queries import parse_ref
from prr.reviews.services import lock_review, lock_review_status, record
from prr.teams.directory import describe_membership
from prr.teams.models import Source
from prr.teams.queries import current_member_handles, current_memberships

MESSAGE_MAX_CHARS = 20_000


@dataclass(frozen=True)
class Effect:
    item: str
    state: str


@dataclass
class PostResult:
    message: Message
    effects: list[Effect] = field(default_factory=list)
    replies: list[Message] = field(default_factory=list)
    duplicate: bool = False


def clean_body(body: str) -> str:
    body = body.strip()
    if not body:
        raise InvalidInput("The message is empty.")
    if len(body) > MESSAGE_MAX_CHARS:
        raise InvalidInput(f"The message is longer than {MESSAGE_MAX_CHARS:,} characters.")
    return body


def locked_for_posting(review: Review | str | int) -> Review:
    """The review, its row locked until the transaction ends, with its status read under the
    lock. Given a reference (`PRR-12`, `12`), one query finds and locks it, reading only what
    posting needs (its number, status and start), not its playbook version's spec."""
    if isinstance(review, Review):
        review.status = lock_review_status(review)
        return review
    number = parse_ref(review)
    row = (
        Review.objects.select_for_update()
        .filter(number=number)
        .values_list("pk", "status", "created_at")
        .first()
    )
    if row is None:
        raise NotFound(f"No review PRR-{number}.")
    pk, status, created_at = row
    return Review(pk=pk, number=number, status=status, created_at=created_at)


def post_message(
    review: Review | str | int,
    *,
    author: User,
    body: str,
    source: str = Message.Source.WEB,
    external_id: str | None = None,
) -> PostResult:
    """Store a message in the review's channel (a Review, or its reference) and run the task
    actions it triggers.

    Messages are accepted in any status (a closed review keeps its channel); task actions
    fire only on an open review.

    A message whose external id is already stored for this review and source is not stored
    again (chat platforms may deliver the same post twice); each source has its own ids.

    A phrase that occurs but does not count (negated, conditional, a question, quoted, code)
    changes nothing and gets a reply saying why: silence is never an answer to an approval
    attempt.
    """
    ensure_can_act(author)
    body = clean_body(body)
    if source not in Message.Source.values or source == Message.Source.SYSTEM:
        raise InvalidInput(f"Unknown message source '{source}'.")
    with transaction.atomic():
        # Every message takes the review's row lock before its id is drawn, so one review's
        # messages commit in id order: a reader that has seen message N (the review page's
        # live updates) never has a lower id still to come. It also serialises approvals with
        # each other and with a close, and reads the status a close may have changed.
        review = locked_for_posting(review)
        triggered = {} if author.is_bot else triggered_actions(review, body)
        message, duplicate = store_message(review, author, body, source, external_id)
        result = PostResult(message, duplicate=duplicate)
        if not duplicate:
            if triggered:
                run_task_actions(review, message, triggered, result)
            asked = None if author.is_bot else follow_up_in_message(body)
            if asked is not None:
                take_follow_up(review, author, asked, result)
            publish_posted(result)
    return result


def take_follow_up(review: Review, author: User, text: str, result: PostResult) -> None:
    """A message that starts with "Follow-up:" raises one (owned by the DRI), or says why not."""
    try:
        follow_up = raise_follow_up(review, text, by=author)
    except PrrError as error:
        reply(result, f"No follow-up recorded: {error.message}")
        return
    reply(
        result,
        f"Follow-up {follow_up.number} recorded for {follow_up.owner_label}: {follow_up.text}",
    )


def publish_posted(result: PostResult) -> None:
    message = result.message
    events.publish(
        message.review_id,
        events.MESSAGE_POSTED,
        actor=message.author,
        message=message.pk,
        body=message.body,
        source=message.source,
        effects=[{"item": e.item, "state": e.state} for e in result.effects],
        replies=[r.body for r in result.replies],
    )


@dataclass(frozen=True)
class ReviewPhrases:
    """A review's task actions as the channel matches them: its phrase table, and for each
    phrase the actions (by id) that carry it."""

    table: PhraseTable
    phrases_of: dict[int, tuple[str, ...]]  # action id -> its phrases, in order
    actions_with: dict[str, tuple[int, ...]]  # phrase -> ids of the actions that carry it


# A review's task actions are copied from its playbook when it starts and never change, so each
# process may keep their phrase table. The key holds the start time too: a database restored or
# rolled back may give a review id to another review. Membership is never cached: it is read
# when a phrase matches.
_PHRASE_TABLES_MAX = 512
_phrase_tables: OrderedDict[tuple[int, datetime], ReviewPhrases] = OrderedDict()
_phrase_tables_lock = threading.Lock()


def review_phrases(review: Review) -> ReviewPhrases:
    key = (review.pk, review.created_at)
    with _phrase_tables_lock:
        found = _phrase_tables.get(key)
        if found is not None:
            _phrase_tables.move_to_end(key)
            return found
    rows = (
        TaskAction.objects.filter(review_id=review.pk).order_by("pk").values_list("pk", "phrases")
    )
    phrases_of = {pk: tuple(phrases) for pk, phrases in rows}
    actions_with: dict[str, list[int]] = {}
    for pk, phrases in phrases_of.items():
        for phrase in dict.fromkeys(phrases):
            actions_with.setdefault(phrase, []).append(pk)
    found = ReviewPhrases(
        PhraseTable(actions_with),
        phrases_of,
        {phrase: tuple(pks) for phrase, pks in actions_with.items()},
    )
    with _phrase_tables_lock:
        _phrase_tables[key] = found
        while len(_phrase_tables) > _PHRASE_TABLES_MAX:
            _phrase_tables.popitem(last=False)
    return found


def triggered_actions(review: Review, body: str) -> dict[int, PhraseMatch]:
    """The review's task actions whose phrases occur in the message, by id, each with the match
    that decides it: one that counts if any of its phrases counts, else its first phrase that
    occurs."""
    phrases = review_phrases(review)
    matches = phrases.table.match(body)
    if not matches:
        return {}
    by_phrase = {match.phrase: match for match in matches}
    candidates = sorted({pk for match in matches for pk in phrases.actions_with[match.phrase]})
    triggered: dict[int, PhraseMatch] = {}
    for pk in candidates:
        found = [by_phrase[p] for p in phrases.phrases_of[pk] if p in by_phrase]
        triggered[pk] = next((m for m in found if m.counts), found[0])
    return triggered


def store_message(
    review: Review, author: User, body: str, source: str, external_id: str | None
) -> tuple[Message, bool]:
    """The new message, or the one already stored with this external id (and True)."""
    if not external_id:
        return Message.objects.create(review=review, author=author, body=body, source=source), False
    try:
        with transaction.atomic():
            message = Message.objects.create(
                review=review, author=author, body=body, source=source, external_id=external_id
            )
    except IntegrityError:
        existing = Message.objects.get(review=review, source=source, external_id=external_id)
        return existing, True
    return message, False


def run_task_actions(
    review: Review, message: Message, matches: dict[int, PhraseMatch], result: PostResult
) -> None:
    # The caller holds the review's lock and has read its status.
    author = message.author
    assert author is not None
    # Membership is read here, after the lock: it is the author's at the moment of posting.
    triggered = list(
        TaskAction.objects.filter(pk__in=matches)
        .select_related("item", "team")
        .annotate(
            by_member=Exists(current_memberships().filter(team=OuterRef("team"), user=author))
        )
        .order_by("item__position", "pk")
    )
    if review.status != Review.Status.OPEN:
        titles = ", ".join(dict.fromkeys(f"'{a.item.title}'" for a in triggered))
        reply(result, f"{review.ref} is {review.status}; approvals no longer change it ({titles}).")
        return
    by_item: dict[int, list[TaskAction]] = {}
    for action in triggered:
        by_item.setdefault(action.item_id, []).append(action)
    for item_actions in by_item.values():
        counting = [a for a in item_actions if matches[a.pk].counts]
        if not counting:
            ignore_task_action(message, item_actions[0], matches[item_actions[0].pk], result)
            continue
        eligible = [a for a in counting if a.by_member]  # type: ignore[attr-defined]
        if eligible:
            apply_task_action(review, message, eligible[0], result)
        else:
            refuse_task_action(review, message, counting, result)


def apply_task_action(
    review: Review, message: Message, action: TaskAction, result: PostResult
) -> None:
    item, author = action.item, message.author
    assert author is not None
    target = ReviewItem.State.DONE if action.then == "done" else ReviewItem.State.OPEN
    if item.state == target:
        reply(result, f"'{item.title}' is already {target}; nothing changed.")
        return
    apply_item_state(item, target, by=author, via=ReviewItem.Via.MESSAGE, message=message)
    verb = "approved" if target == ReviewItem.State.DONE else "reopened"
    # How the author is a member, as the record of the approval: a directory's group says so.
    membership = current_memberships().get(team=action.team, user=author)
    member = (
        describe_membership(membership)
        if membership.source != Source.MANUAL
        else f"member of team {action.team.name}"
    )
    reply(
        result,
        f"'{item.title}' is now {target}: {verb} by @{author.username} "
        f"({member}) in message #{message.pk}.",
    )
    record(
        review,
        TimelineKind.ITEM_CHANGED,
        f"@{author.username} marked '{item.title}' {target} by message #{message.pk} "
        f"({describe_membership(membership)})",
        actor=author,
        item=item,
        message=message,
        key=item.key,
        state=target,
        via=ReviewItem.Via.MESSAGE,
        team=action.team.slug,
        membership={
            "source": membership.source,
            "group": membership.group,
            "since": membership.added_at.isoformat(),
        },
    )
    result.effects.append(Effect(item.key, target))
    transaction.on_commit(lambda: metrics.count_task_action("fired"))


def refuse_task_action(
    review: Review, message: Message, actions: list[TaskAction], result: PostResult
) -> None:
    item, author = actions[0].item, message.author
    assert author is not None
    teams = list(dict.fromkeys(a.team for a in actions))
    names = " or ".join(t.name for t in teams)
    nobody = "no active member yet, an admin can add members"
    who = "; ".join(f"{t.name}: {', '.join(current_member_handles(t)) or nobody}" for t in teams)
    reply(
        result,
        f"@{author.username} is not a member of team {names}, so this does not change "
        f"'{item.title}'. Who can: {who}.",
    )
    record(
        review,
        TimelineKind.TASK_ACTION_REFUSED,
        f"@{author.username}'s message #{message.pk} did not change '{item.title}': "
        f"not a member of team {names}",
        actor=author,
        item=item,
        message=message,
        teams=[t.slug for t in teams],
    )
    transaction.on_commit(lambda: metrics.count_task_action("refused"))


_WHY_NOT = {
    Reason.NEGATED: "is negated in this message",
    Reason.CONDITIONAL: "depends on a condition in this message",
    Reason.QUESTION: "is asked as a question in this message",
    Reason.QUOTED: "is only quoted in this message",
    Reason.CODE: "is inside code in this message",
}


def ignore_task_action(
    message: Message, action: TaskAction, match: PhraseMatch, result: PostResult
) -> None:
    """Say why a phrase that occurs does not count. Nothing is recorded on the timeline: the
    message changed nothing, and the reply in the channel is its record."""
    assert match.reason is not None
    why = _WHY_NOT[match.reason] + (f' ("{match.word}")' if match.word else "")
    verb = "approve" if action.then == "done" else "reopen"
    if action.by_member:  # type: ignore[attr-defined]
        how = f"Write the phrase on its own to {verb}."
    else:
        how = f"A member of team {action.team.name} can {verb} by writing the phrase on its own."
    reply(
        result,
        f"'{match.phrase}' {why}, so '{action.item.title}' did not change. {how}",
    )


def reply(result: PostResult, text: str) -> None:
    message = result.message
    result.replies.append(
        Message.objects.create(
            review_id=message.review_id,
            author=None,
            body=text,
            source=Message.Source.SYSTEM,
            in_reply_to=message,
        )
    )


def edit_message(message: Message, *, by: User, body: str) -> Message:
    """Change a message's text; an edit never triggers task actions."""
    ensure_can_act(by)
    body = clean_body(body)
    if message.author_id != by.pk:
        raise PermissionDenied("Only the author of a message can edit it.")
    if message.body == body:
        raise RuleViolation("The message is unchanged.")
    with transaction.atomic():
        review = lock_review(message.review)
        message.body = body
        message.edited_at = timezone.now()
        message.save(update_fields=["body", "edited_at"])
        record(
            review,
            TimelineKind.MESSAGE_EDITED,
            f"@{by.username} edited message #{message.pk}",
            actor=by,
            message=message,
        )
    return message

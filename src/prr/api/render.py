"""Model rows as response data; each function reads a fixed number of queries."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from prr.accounts.models import ApiToken, User
from prr.playbooks.models import PlaybookVersion
from prr.reviews.follow_ups import approved_with_follow_ups
from prr.reviews.models import Message, Review, ReviewItem, Snapshot, TimelineEvent
from prr.reviews.queries import items_of, progress_of, readiness


def review_url(review: Review) -> str:
    return review.absolute_url


def review_summary(review: Review, *, required: int, complete: int) -> dict[str, Any]:
    """A review with its progress: required items, and those done or n/a."""
    return {
        "number": review.number,
        "ref": review.ref,
        "title": review.title,
        "kind": review.kind,
        "status": review.status,
        "dri": review.dri.username,
        "playbook": review.playbook_version.playbook.slug,
        "playbook_version": review.playbook_version.number,
        "created_at": review.created_at,
        "closed_at": review.closed_at,
        "required": required,
        "complete": complete,
        "url": review_url(review),
    }


def review_summaries(reviews: Iterable[Review]) -> list[dict[str, Any]]:
    """A page of a list of reviews, with their progress read in one query."""
    shown = list(reviews)
    progress = progress_of(shown)
    return [
        review_summary(r, required=progress[r.pk].required, complete=progress[r.pk].complete)
        for r in shown
    ]


def item(item: ReviewItem) -> dict[str, Any]:
    return {
        "key": item.key,
        "checklist": item.checklist,
        "title": item.title,
        "description": item.description,
        "owner": item.owner_label,
        "required": item.required,
        "allow_na": item.allow_na,
        "state": item.state,
        "na_reason": item.na_reason or None,
        "changed_by": item.changed_by.username if item.changed_by else None,
        "changed_at": item.changed_at,
        "via": item.changed_via or None,
        "message": item.changed_by_message_id,
        "due_at": item.due_at,
        "assignee": item.assignee.username if item.assignee else None,
    }


def snapshot_summary(snapshot: Snapshot) -> dict[str, Any]:
    return {
        "version": snapshot.version,
        "sha256": snapshot.sha256,
        "created_at": snapshot.created_at,
        "created_by": snapshot.created_by.username,
    }


def review_detail(review: Review) -> dict[str, Any]:
    items = list(items_of(review))
    answers = {a.section_key: a for a in review.answers.select_related("updated_by")}
    ready = readiness(review, items)
    data = review_summary(review, required=ready["required"], complete=ready["complete"])
    data.update(
        reviewer_teams=[t.slug for t in review.reviewer_teams.order_by("slug")],
        reviewers=[u.username for u in review.reviewers.order_by("username")],
        approved_with_follow_ups=sorted(
            review.reviewer_teams.filter(pk__in=approved_with_follow_ups(review)).values_list(
                "slug", flat=True
            )
        ),
        open_follow_ups=review.follow_ups.filter(done_at__isnull=True).count(),
        previous=review.previous.ref if review.previous else None,
        readiness=ready,
        items=[item(i) for i in items],
        sections=[
            {
                "key": section.key,
                "title": section.title,
                "questions": list(section.questions),
                "answer": answers[section.key].body if section.key in answers else None,
                "answered_by": answers[section.key].updated_by.username
                if section.key in answers
                else None,
                "answered_at": answers[section.key].updated_at if section.key in answers else None,
            }
            for section in review.document_sections
        ],
        snapshots=[
            snapshot_summary(s)
            for s in review.snapshots.select_related("created_by").order_by("version")
        ],
    )
    return data


def message(message: Message) -> dict[str, Any]:
    return {
        "id": message.pk,
        "author": message.author.username if message.author else None,
        "body": message.body,
        "source": message.source,
        "external_id": message.external_id,
        "in_reply_to": message.in_reply_to_id,
        "created_at": message.created_at,
        "edited_at": message.edited_at,
    }


def timeline_event(event: TimelineEvent) -> dict[str, Any]:
    return {
        "id": event.pk,
        "kind": event.kind,
        "summary": event.summary,
        "actor": event.actor.username if event.actor else None,
        "item": event.item.key if event.item else None,
        "message": event.message_id,
        "data": event.data,
        "created_at": event.created_at,
    }


def playbook_version(version: PlaybookVersion) -> dict[str, Any]:
    return {
        "slug": version.playbook.slug,
        "version": version.number,
        "digest": version.digest,
        "created_at": version.created_at,
        "created_by": version.created_by.username if version.created_by else None,
        "spec": version.spec_json,
    }


def user(user: User, teams: Iterable[str]) -> dict[str, Any]:
    return {
        "username": user.username,
        "name": user.name,
        "admin": user.is_superuser,
        "bot": user.is_bot,
        "active": user.is_active,
        "teams": sorted(teams),
    }


def token(token: ApiToken) -> dict[str, Any]:
    return {
        "id": token.pk,
        "name": token.name,
        "user": token.user.username,
        "prefix": f"prr_{token.prefix}_",
        "created_at": token.created_at,
        "last_used_at": token.last_used_at,
        "revoked_at": token.revoked_at,
    }

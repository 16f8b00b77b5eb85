"""The frozen record of a closed review: JSON content, a Markdown document, a SHA-256."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from prr.accounts.models import User
from prr.reviews.models import Review, Snapshot, Waiver
from prr.reviews.schemas import FollowUpOut

FORMAT = "prr-snapshot/1"


def _when(value: datetime | None) -> str | None:
    return value.isoformat(timespec="seconds") if value else None


def _handle(user: User | None) -> str | None:
    return user.username if user else None


def build_content(review: Review, *, version: int, by: User) -> dict[str, Any]:
    spec = review.playbook_version.spec
    answers = {a.section_key: a for a in review.answers.select_related("updated_by")}
    items = review.items.select_related("owner_team", "changed_by").order_by("position")
    waivers = {
        w.item_id: w
        for w in Waiver.objects.filter(
            item__review=review, expired_at__isnull=True, lifted_at__isnull=True
        ).select_related("owner_user", "owner_team")
    }
    timeline = review.timeline.select_related("actor").order_by("created_at", "pk")
    return {
        "format": FORMAT,
        "snapshot": {"version": version, "closed_by": by.username},
        "review": {
            "ref": review.ref,
            "number": review.number,
            "title": review.title,
            "kind": review.kind,
            "status": review.status,
            "dri": {"username": review.dri.username, "name": review.dri.name},
            "playbook": {
                "slug": review.playbook_version.playbook.slug,
                "title": spec.title,
                "version": review.playbook_version.number,
            },
            "created_at": _when(review.created_at),
            "closed_at": _when(review.closed_at),
        },
        "reviewers": {
            "teams": [
                {"slug": t.slug, "name": t.name} for t in review.reviewer_teams.order_by("slug")
            ],
            "people": [
                {"username": u.username, "name": u.name}
                for u in review.reviewers.order_by("username")
            ],
        },
        "sections": [
            {
                "key": section.key,
                "title": section.title,
                "questions": list(section.questions),
                "answer": answers[section.key].body if section.key in answers else None,
                "answered_by": _handle(answers[section.key].updated_by)
                if section.key in answers
                else None,
                "answered_at": _when(answers[section.key].updated_at)
                if section.key in answers
                else None,
            }
            for section in review.document_sections
        ],
        "items": [
            {
                "checklist": item.checklist,
                "key": item.key,
                "title": item.title,
                "owner": item.owner_label,
                "required": item.required,
                "state": item.state,
                "na_reason": item.na_reason or None,
                "changed_by": _handle(item.changed_by),
                "changed_at": _when(item.changed_at),
                "via": item.changed_via or None,
                "message": item.changed_by_message_id,
                **(
                    {
                        "waiver": {
                            "reason": waivers[item.pk].reason,
                            "owner": waivers[item.pk].owner_label,
                            "until": waivers[item.pk].expires_on.isoformat(),
                        }
                    }
                    if item.pk in waivers
                    else {}
                ),
            }
            for item in items
        ],
        "follow_ups": [
            FollowUpOut.of(f).model_dump(mode="json", exclude={"review"})
            for f in review.follow_ups.select_related(
                "owner_user", "owner_team", "raised_by"
            ).order_by("number")
        ],
        "timeline": [
            {
                "at": _when(event.created_at),
                "kind": event.kind,
                "actor": _handle(event.actor),
                "summary": event.summary,
            }
            for event in timeline
        ],
    }


def content_sha256(content: dict[str, Any]) -> str:
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


STATE_MARK = {"done": "[x]", "n/a": "[-]", "open": "[ ]", "waived": "[~]"}


def _waived(item: dict[str, Any]) -> str:
    waiver = item.get("waiver") or {}
    return (
        f"waived until {waiver.get('until')} (owner {waiver.get('owner')}): {waiver.get('reason')}"
    )


def render_markdown(content: dict[str, Any]) -> str:
    review = content["review"]
    reviewers = content["reviewers"]
    lines = [
        f"# {review['ref']}: {review['title']}",
        "",
        f"- **Status:** {review['status']}",
        f"- **Kind:** {review['kind']}",
        f"- **DRI:** {review['dri']['name']} (@{review['dri']['username']})",
        f"- **Reviewer teams:** {', '.join(t['name'] for t in reviewers['teams']) or 'none'}",
        "- **Reviewers:** "
        + (", ".join(f"{p['name']} (@{p['username']})" for p in reviewers["people"]) or "none"),
        f"- **Playbook:** {review['playbook']['title']} "
        f"({review['playbook']['slug']} v{review['playbook']['version']})",
        f"- **Started:** {review['created_at']}",
        f"- **Closed:** {review['closed_at']} by @{content['snapshot']['closed_by']}",
        f"- **Snapshot:** version {content['snapshot']['version']}",
        "",
        "## Review document",
    ]
    for section in content["sections"]:
        lines += ["", f"### {section['title']}", ""]
        lines += [f"> {question}" for question in section["questions"]]
        lines.append("")
        if section["answer"]:
            lines += [section["answer"], ""]
            lines.append(f"*Answered by @{section['answered_by']} at {section['answered_at']}.*")
        else:
            lines.append("*Not answered.*")
    approvals = [i for i in content["items"] if i["owner"] != "dri"]
    lines += ["", "## Approvals", ""]
    for item in approvals:
        who = (
            f"by @{item['changed_by']} at {item['changed_at']} ({item['via']})"
            if item["state"] == "done"
            else _waived(item)
            if item["state"] == "waived"
            else "not given"
        )
        required = "" if item["required"] else " (optional)"
        lines.append(f"- {STATE_MARK[item['state']]} **{item['title']}**{required}: {who}")
    lines += ["", "## Checklist"]
    checklist = None
    for item in content["items"]:
        if item["owner"] != "dri":
            continue
        if item["checklist"] != checklist:
            checklist = item["checklist"]
            lines += ["", f"### {checklist}", ""]
        detail = ""
        if item["state"] == "n/a":
            detail = f": n/a, {item['na_reason']}"
        elif item["state"] == "waived":
            detail = f": {_waived(item)}"
        if item["changed_by"]:
            detail += f" (@{item['changed_by']}, {item['changed_at']})"
        required = "" if item["required"] else " (optional)"
        lines.append(f"- {STATE_MARK[item['state']]} {item['title']}{required}{detail}")
    follow_ups = content.get("follow_ups") or []
    if follow_ups:
        lines += ["", "## Follow-ups", ""]
        for f in follow_ups:
            due = f", due {f['due']}" if f["due"] else ""
            link = f" ({f['link']})" if f["link"] else ""
            mark = "[x]" if f["done"] else "[ ]"
            lines.append(f"- {mark} {f['number']}. {f['text']}{link}: {f['owner']}{due}")
    lines += ["", "## Timeline", ""]
    lines += [f"- {event['at']} {event['summary']}" for event in content["timeline"]]
    return "\n".join(lines) + "\n"


def build_snapshot(review: Review, *, version: int, by: User) -> Snapshot:
    """Write snapshot `version` of a review (inside the closing transaction)."""
    content = build_content(review, version=version, by=by)
    return Snapshot.objects.create(
        review=review,
        version=version,
        content=content,
        markdown=render_markdown(content),
        sha256=content_sha256(content),
        created_by=by,
    )

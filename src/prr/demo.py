"""Demo data for `prr demo`: every persona, two reviews in progress, one closed review.

Everything goes through the services, so the demo shows the process as it really runs. The
one exception: the feature review is moved back in time (its start and due dates), so that
the dashboard has overdue items to show.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import timedelta

from django.db import transaction
from django.db.models import F

from prr.accounts.models import User
from prr.accounts.services import create_user
from prr.playbooks.models import PlaybookVersion
from prr.playbooks.services import get_playbook, get_version
from prr.reviews.answers import answer_section
from prr.reviews.channel import post_message
from prr.reviews.items import set_item_state
from prr.reviews.lifecycle import close_review
from prr.reviews.models import Review, ReviewItem
from prr.reviews.starting import start_review
from prr.teams.services import add_members, get_team


@dataclass(frozen=True)
class Person:
    username: str
    name: str
    role: str
    team: str | None = None
    admin: bool = False
    password: str = field(default_factory=lambda: secrets.token_urlsafe(9))


PEOPLE = [
    Person("dana", "Dana Reyes", "DRI of the service and infrastructure reviews"),
    Person("sam", "Sam Okafor", "member of SRE", team="sre"),
    Person("paula", "Paula Lind", "member of Platform", team="platform"),
    Person("sid", "Sid Kapoor", "member of Security", team="security"),
    Person(
        "priya", "Priya Natarajan", "member of Product; DRI of the feature review", team="product"
    ),
    Person("oscar", "Oscar Vidal", "outsider (in no team)"),
    Person("admin", "Ada Admin", "admin", admin=True),
]

ANSWERS = {
    "summary": (
        "We launch **payments-vault**, which tokenises card numbers for the checkout service. "
        "Success: checkout stores no card numbers; p99 tokenisation under 80 ms. Owning team: "
        "Payments. On call at launch: the Payments rotation (see the runbook)."
    ),
    "architecture": (
        "Diagram: https://wiki.example.com/payments-vault/architecture\n\n"
        "- **PostgreSQL (primary + replica)**: when down, checkout falls back to the old flow.\n"
        "- **KMS**: when slow, tokenisation queues for up to 2 s, then fails closed.\n"
        "Single point of failure: none; two replicas in two zones."
    ),
    "observability": (
        "Dashboard: https://grafana.example.com/d/payments-vault. Request rate, errors, p50/p99 "
        "latency and pool saturation are on the first row. Logs are structured JSON without "
        "card data."
    ),
}


@dataclass
class DemoData:
    people: list[Person]
    reviews: list[str]


@transaction.atomic
def create_demo_data() -> DemoData:
    users: dict[str, User] = {}
    for person in PEOPLE:
        users[person.username] = create_user(
            person.username,
            display_name=person.name,
            email=f"{person.username}@example.com",
            admin=person.admin,
            password=person.password,
        )
        if person.team:
            add_members(get_team(person.team), [users[person.username]])
    version = get_version(get_playbook("prr"))
    closed = _closed_review(version, users)
    in_progress = _review_in_progress(version, users)
    late = _late_feature_review(version, users)
    return DemoData(
        PEOPLE,
        [
            f"{closed.ref} (closed, with snapshot v1): {closed.title}",
            f"{in_progress.ref} (open, SRE approved by phrase): {in_progress.title}",
            f"{late.ref} (open for 12 days, items overdue): {late.title}",
        ],
    )


def _closed_review(version: PlaybookVersion, users: dict[str, User]) -> Review:
    dana = users["dana"]
    review = start_review(
        version=version,
        title="Search cluster: upgrade Elasticsearch 7 to 8 in every region",
        dri=dana,
        kind="infrastructure",
        reviewers=[users["priya"]],
    )
    for section in review.document_sections:
        answer_section(
            review,
            section.key,
            f"See the upgrade plan, part '{section.title}': "
            "https://wiki.example.com/search/es8-upgrade",
            by=dana,
        )
    for item in review.items.filter(owner_team__isnull=True, required=True):
        set_item_state(review, item.key, "done", by=dana)
    for username, team in (("sam", "SRE"), ("paula", "Platform"), ("sid", "Security")):
        post_message(review, author=users[username], body=f"{team} review is completed")
    close_review(review, by=dana)
    return review


def _review_in_progress(version: PlaybookVersion, users: dict[str, User]) -> Review:
    dana = users["dana"]
    review = start_review(
        version=version,
        title="Payments API: move card tokenisation to the new vault",
        dri=dana,
        kind="service",
        reviewers=[users["priya"]],
    )
    for key, body in ANSWERS.items():
        answer_section(review, key, body, by=dana)
    done = list(
        review.items.filter(owner_team__isnull=True, required=True).values_list("key", flat=True)
    )[:6]
    for key in done:
        set_item_state(review, key, ReviewItem.State.DONE, by=dana)
    for author, body in (
        ("dana", "Review document is ready for a first pass; the load test is still running."),
        ("sam", "Which alerts page the Payments rotation? I'd like the runbook links."),
        ("dana", "All paging alerts link their runbook now, see Incident response."),
        ("sam", "Thanks. **SRE review is completed**"),
        ("oscar", "Platform review is completed"),
        (
            "paula",
            "I'll look at the deploy pipeline tomorrow; Platform review is not completed yet.",
        ),
    ):
        post_message(review, author=users[author], body=body)
    return review


def _late_feature_review(version: PlaybookVersion, users: dict[str, User]) -> Review:
    priya = users["priya"]
    review = start_review(
        version=version,
        title="Checkout: one-click reorder for returning customers",
        dri=priya,
        kind="feature",
    )
    answer_section(
        review,
        "summary",
        "A **Reorder** button on past orders puts the same basket back in one click. Success: "
        "5% of returning customers use it within a month. Owner: the Checkout team.",
        by=priya,
    )
    for key in ("arch-diagram", "obs-dashboard"):
        set_item_state(review, key, ReviewItem.State.DONE, by=priya)
    post_message(
        review,
        author=priya,
        body="Behind the `reorder` flag; the load test waits for the new staging cluster.",
    )
    # Started twelve days ago: its 7-day items are overdue, its 14-day items due soon.
    back = timedelta(days=12)
    Review.objects.filter(pk=review.pk).update(created_at=F("created_at") - back)
    review.items.filter(due_at__isnull=False).update(due_at=F("due_at") - back)
    return review

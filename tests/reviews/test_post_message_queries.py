"""The queries of post_message do not grow with the number of items in the review."""

from __future__ import annotations

import pytest
import yaml
from django.db import connection
from django.test.utils import CaptureQueriesContext

from prr.playbooks.services import import_playbook
from prr.reviews.channel import post_message
from prr.reviews.starting import start_review


def playbook_with(items: int, slug: str) -> str:
    plain = [{"key": f"item-{n}", "title": f"Item {n}"} for n in range(items)]
    approvals = [
        {
            "key": f"approval-{n}",
            "title": f"Approval {n}",
            "owner": "sre",
            "task_actions": [
                {"phrases": [f"Approval {n} is completed"], "team": "sre", "then": "done"}
            ],
        }
        for n in range(8)
    ]
    return yaml.safe_dump(
        {
            "slug": slug,
            "title": f"Playbook with {items} items",
            "checklists": [{"title": "Items", "items": plain + approvals}],
        }
    )


def queries_for(body: str, items: int, slug: str, dri, author) -> int:
    version = import_playbook(playbook_with(items, slug)).version
    review = start_review(version=version, title=f"Review of {slug} with many items", dri=dri)
    with CaptureQueriesContext(connection) as captured:
        post_message(review, author=author, body=body)
    return len(captured)


@pytest.mark.parametrize(
    ("body", "persona"),
    [
        ("Just a comment", "sre_member"),
        ("Approval 3 is completed", "sre_member"),
        ("Approval 3 is completed", "outsider"),
    ],
)
def test_query_count_does_not_grow_with_items(body, persona, request, dri, teams):
    author = request.getfixturevalue(persona)
    small = queries_for(body, 2, "two", dri, author)
    large = queries_for(body, 52, "fifty-two", dri, author)
    assert small == large

"""Assigning an item to the person who works on it: who may, to whom, and what they hear."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from prr.accounts.services import create_user
from prr.errors import PermissionDenied, RuleViolation
from prr.notifications import services as inbox
from prr.notifications.reminders import send_reminders
from prr.reviews.assignment import assign_item
from prr.reviews.lifecycle import cancel_review
from prr.teams.services import add_members
from tests.api.conftest import api_as
from tests.cli.conftest import cli

__all__ = ["api_as", "cli"]


@pytest.fixture
def sam_and_sue(sre_member, teams):
    sue = create_user("sue")
    add_members(teams["sre"], [sue])
    return sre_member, sue


def test_a_team_member_assigns_a_teammate_who_is_told(
    review, sam_and_sue, django_capture_on_commit_callbacks
) -> None:
    sam, sue = sam_and_sue
    with django_capture_on_commit_callbacks(execute=True):
        item = assign_item(review, "sre-review", sue, by=sam)

    assert item.assignee == sue
    (told,) = [n for n in inbox.inbox(sue) if n.kind == "assigned"]
    assert told.text == f"@sam assigned 'SRE review' on {review.ref} to you."
    assert told.link == f"{review.path}#item-sre-review"
    event = review.timeline.get(kind="item.assigned")
    assert event.summary == "@sam assigned 'SRE review' to @sue"


def test_who_may_assign_and_to_whom(review, dri, sam_and_sue, outsider, admin) -> None:
    sam, _ = sam_and_sue
    with pytest.raises(PermissionDenied, match="Only a member of team SRE or an admin can"):
        assign_item(review, "sre-review", sam, by=outsider)
    with pytest.raises(PermissionDenied, match="Only a member of team SRE"):
        assign_item(review, "sre-review", sam, by=dri)  # the DRI does not own the SRE item
    with pytest.raises(RuleViolation, match="assign it to one of its current members, not @oscar"):
        assign_item(review, "sre-review", outsider, by=admin)
    # The DRI's own items go to anyone active, by the DRI.
    assert assign_item(review, "dashboards", outsider, by=dri).assignee == outsider
    with pytest.raises(RuleViolation, match="already assigned to @oscar"):
        assign_item(review, "dashboards", outsider, by=dri)
    assert assign_item(review, "dashboards", None, by=dri).assignee is None
    cancel_review(review, by=dri, reason="Not needed after all")
    with pytest.raises(RuleViolation, match="cannot assign items"):
        assign_item(review, "dashboards", outsider, by=dri)


def test_the_assignee_gets_the_reminders_instead_of_the_whole_team(review, sam_and_sue) -> None:
    sam, sue = sam_and_sue
    review.items.filter(key="sre-review").update(due_at=timezone.now() - timedelta(days=1))
    assign_item(review, "sre-review", sue, by=sam)

    send_reminders("worker-a")

    assert [n.kind for n in inbox.inbox(sue)] == ["reminder"]
    assert [n.kind for n in inbox.inbox(sam)] == []


def test_assign_through_the_api_and_the_cli(review, dri, sam_and_sue, api_as, cli) -> None:
    sam, _ = sam_and_sue
    answer = api_as(sam).put(
        f"/reviews/{review.ref}/items/sre-review/assignee", {"assignee": "sue"}
    )
    assert answer.status_code == 200
    assert answer.json()["assignee"] == "sue"
    assert api_as(sam).get(f"/reviews/{review.ref}/items").json()[3]["assignee"] == "sue"
    unknown = api_as(sam).put(
        f"/reviews/{review.ref}/items/sre-review/assignee", {"assignee": "nobody-here"}
    )
    assert unknown.status_code == 404

    done = cli("review", "assign", review.ref, "dashboards", "sam", "--as", "dana")
    assert done.output == "'Dashboards linked' is assigned to @sam.\n"
    cleared = cli("review", "assign", review.ref, "dashboards", "--clear", "--as", "dana")
    assert cleared.output == "'Dashboards linked' is assigned to nobody.\n"
    assert cli("review", "assign", review.ref, "dashboards", "--as", "dana").exit_code == 2

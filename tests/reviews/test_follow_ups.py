"""Follow-ups: raised by reviewers, owned, due, surviving the close, done as an addendum."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from prr.errors import InvalidInput, PermissionDenied, RuleViolation
from prr.notifications import services as inbox
from prr.notifications.reminders import send_reminders
from prr.reviews.channel import post_message
from prr.reviews.follow_ups import (
    addenda,
    approved_with_follow_ups,
    complete_follow_up,
    open_follow_ups,
    raise_follow_up,
)
from prr.reviews.items import set_item_state
from prr.reviews.lifecycle import close_review
from tests.api.conftest import api_as
from tests.cli.conftest import cli

__all__ = ["api_as", "cli"]


def close(review, dri, security_member) -> None:
    set_item_state(review, "dashboards", "done", by=dri)
    set_item_state(review, "load-test", "done", by=dri)
    post_message(review, author=security_member, body="Security review is completed")
    close_review(review, by=dri)


def test_a_reviewer_approves_with_follow_ups_from_chat(
    review, dri, sre_member, security_member, teams
) -> None:
    asked = post_message(review, author=sre_member, body="Follow-up: add the p99 panel")
    assert approved_with_follow_ups(review) == set()  # not approved yet
    post_message(review, author=sre_member, body="SRE review is completed")

    (reply,) = asked.replies
    assert reply.body == "Follow-up 1 recorded for @dana: add the p99 panel"
    (follow_up,) = open_follow_ups(review)
    assert (follow_up.raised_by, follow_up.raised_by_team) == (sre_member, teams["sre"])
    assert approved_with_follow_ups(review) == {teams["sre"].pk}
    close(review, dri, security_member)
    assert list(open_follow_ups()) == [follow_up]  # it survives the close

    snapshot = review.snapshots.get()
    assert "## Follow-ups\n\n- [ ] 1. add the p99 panel: @dana" in snapshot.markdown
    sha = snapshot.sha256
    complete_follow_up(review, 1, by=dri)
    snapshot.refresh_from_db()
    assert snapshot.sha256 == sha  # the snapshot never changes
    assert [a.follow_up for a in addenda(snapshot)] == [1]
    assert review.timeline.filter(kind="follow_up.done").get().summary == (
        "@dana marked follow-up 1 done (an addendum to the closed review): add the p99 panel"
    )
    assert approved_with_follow_ups(review) == set()


def test_who_may_raise_and_complete(review, dri, sre_member, outsider, teams) -> None:
    with pytest.raises(PermissionDenied, match="Only a reviewer of PRR-1"):
        raise_follow_up(review, "Do more", by=outsider)
    refused = post_message(review, author=outsider, body="Follow-up: I am not a reviewer")
    assert refused.replies[0].body.startswith("No follow-up recorded: Only a reviewer of PRR-1")
    with pytest.raises(InvalidInput, match="not an http or https link"):
        raise_follow_up(review, "Tune alerts", by=sre_member, link="javascript:alert(1)")
    follow_up = raise_follow_up(
        review, "Tune the queue alerts", by=sre_member, owner=teams["sre"],
        link="https://issues.example.com/OPS-12",
    )  # fmt: skip
    assert follow_up.owner_label == "team SRE"
    with pytest.raises(PermissionDenied, match="Only team SRE, the DRI or an admin"):
        complete_follow_up(review, follow_up.number, by=outsider)
    complete_follow_up(review, follow_up.number, by=sre_member)
    with pytest.raises(RuleViolation, match="already done"):
        complete_follow_up(review, follow_up.number, by=dri)


def test_an_overdue_follow_up_reminds_its_owner(review, dri, sre_member) -> None:
    tomorrow = timezone.now().date() + timedelta(days=1)
    raise_follow_up(review, "Rotate the keys", by=sre_member, owner=sre_member, due=tomorrow)

    send_reminders("worker-a", timezone.now() + timedelta(days=3))

    (told,) = [n.text for n in inbox.inbox(sre_member) if n.kind == "reminder"]
    assert told.startswith("Reminder: 1 item for you: 'follow-up 1, Rotate the keys' on PRR-1")
    assert "overdue since" in told


def test_follow_ups_from_the_cli_and_the_api(review, dri, sre_member, api_as, cli) -> None:
    added = cli("review", "follow-up", "add", review.ref, "Add runbook links", "--as", "sam",
                "--owner", "sre", "--due", "2099-01-31")  # fmt: skip
    assert added.output == f"Follow-up 1 on {review.ref} for team SRE.\n"
    assert cli("review", "follow-up", "list").output == (
        f"{review.ref} #1 (team SRE due 2099-01-31): Add runbook links\n"
    )
    made = api_as(sre_member).post(
        f"/reviews/{review.ref}/follow-ups", {"text": "Load test at 3x", "due": "2099-02-01"}
    )
    assert made.status_code == 201
    assert made.json()["owner"] == "@dana"
    assert [f["number"] for f in api_as(dri).get("/follow-ups").json()] == [1, 2]
    done = api_as(dri).post(f"/reviews/{review.ref}/follow-ups/2/done", {})
    assert done.json()["done"] is True
    assert api_as(dri).post(f"/reviews/{review.ref}/follow-ups/9/done", {}).status_code == 404
    detail = api_as(dri).get(f"/reviews/{review.ref}").json()
    assert detail["open_follow_ups"] == 1
    assert detail["approved_with_follow_ups"] == []  # SRE has not approved yet
    post_message(review, author=sre_member, body="SRE review is completed")
    detail = api_as(dri).get(f"/reviews/{review.ref}").json()
    assert detail["approved_with_follow_ups"] == ["sre"]

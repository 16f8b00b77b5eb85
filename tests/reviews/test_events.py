"""Services announce what happened, once, and only for changes that committed."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.db import transaction

from prr.reviews import events
from prr.reviews.channel import post_message
from prr.reviews.items import set_item_state
from prr.reviews.lifecycle import cancel_review, close_review, reopen_review


@pytest.fixture
def heard() -> Iterator[list[events.Event]]:
    received: list[events.Event] = []
    events.subscribe(received.append)
    yield received
    events.unsubscribe(received.append)


def types(heard: list[events.Event]) -> list[str]:
    return [e.type for e in heard]


def complete_all_but_security(review, dri, sre_member) -> None:
    set_item_state(review, "dashboards", "done", by=dri)
    set_item_state(review, "load-test", "done", by=dri)
    post_message(review, author=sre_member, body="SRE review is completed")


def test_each_change_is_announced_after_it_commits(
    review, dri, sre_member, security_member, admin, heard, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        complete_all_but_security(review, dri, sre_member)
        post_message(review, author=security_member, body="Security review is completed")
        close_review(review, by=dri)
        reopen_review(review, by=admin, reason="The load test used the wrong region")
        cancel_review(review, by=dri, reason="Launch postponed to next quarter")
    assert types(heard) == [
        "review.item_changed",
        "review.item_changed",
        "review.item_changed",
        "review.message_posted",
        "review.item_changed",
        "review.ready",
        "review.message_posted",
        "review.closed",
        "review.reopened",
        "review.cancelled",
    ]
    approval = heard[2]
    assert (approval.actor, approval.change["item"], approval.change["via"]) == (
        "sam",
        "sre-review",
        "message",
    )
    assert heard[5].change == {"completed_by": "security-review"}
    assert heard[6].change["effects"] == [{"item": "security-review", "state": "done"}]
    assert len({e.id for e in heard}) == len(heard)


def test_a_change_that_rolls_back_announces_nothing(
    review, dri, heard, django_capture_on_commit_callbacks
):
    def change_then_fail() -> None:
        with transaction.atomic():
            set_item_state(review, "dashboards", "done", by=dri)
            raise RuntimeError("something later in the same transaction failed")

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        change_then_fail()
    assert heard == []


def test_ready_is_announced_once_not_again_when_a_complete_item_changes(
    review, dri, sre_member, security_member, heard, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        complete_all_but_security(review, dri, sre_member)
        post_message(review, author=security_member, body="Security review is completed")
        set_item_state(review, "load-test", "n/a", by=dri, reason="Internal tool, 3 users")
        set_item_state(review, "tracing", "done", by=dri)  # optional: not about readiness
    assert types(heard).count("review.ready") == 1


def test_a_redelivered_chat_message_is_announced_once(
    review, sre_member, heard, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(2):
            post_message(review, author=sre_member, body="Looks good", external_id="mm-post-1")
    assert types(heard) == ["review.message_posted"]


def test_a_failing_listener_breaks_nothing(review, dri, django_capture_on_commit_callbacks):
    def broken(event: events.Event) -> None:
        raise RuntimeError("listener bug")

    after: list[events.Event] = []
    events.subscribe(broken)
    events.subscribe(after.append)  # registered after the broken one
    try:
        with django_capture_on_commit_callbacks(execute=True):
            item = set_item_state(review, "dashboards", "done", by=dri)
    finally:
        events.unsubscribe(broken)
        events.unsubscribe(after.append)
    assert item.state == "done"
    assert types(after) == ["review.item_changed"]

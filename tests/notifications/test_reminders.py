"""Daily reminders of due and overdue items, with a controlled clock."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from prr.errors import PermissionDenied
from prr.integrations.ldap.leases import claim_lease
from prr.notifications import services
from prr.notifications.reminders import REMINDERS, send_reminders, snooze
from prr.reviews import events
from tests.api.conftest import api_as
from tests.cli.conftest import cli

__all__ = ["api_as", "cli"]

NOW = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def heard():
    received: list[events.Event] = []
    events.subscribe(received.append)
    yield received
    events.unsubscribe(received.append)


def due(review, key: str, when: datetime) -> None:
    review.items.filter(key=key).update(due_at=when)


def reminders_of(user) -> list[str]:
    return [n.text for n in services.inbox(user) if n.kind == "reminder"]


def test_owners_are_reminded_once_a_day(
    review, dri, sre_member, security_member, heard, django_capture_on_commit_callbacks
) -> None:
    due(review, "sre-review", NOW - timedelta(days=2))  # overdue, SRE's
    due(review, "dashboards", NOW + timedelta(hours=5))  # due today, the DRI's
    due(review, "load-test", NOW + timedelta(days=5))  # not yet

    with django_capture_on_commit_callbacks(execute=True):
        assert send_reminders("worker-a", NOW) == 3  # Sam, Dana, the review's channel

    assert reminders_of(sre_member) == [
        f"Reminder: 1 item for you: 'SRE review' on {review.ref} (overdue since 2027-02-27)."
    ]
    assert reminders_of(dri) == [
        f"Reminder: 1 item for you: 'Dashboards linked' on {review.ref} (due 2027-03-01)."
    ]
    assert reminders_of(security_member) == []
    (said,) = [e for e in heard if e.type == events.ITEMS_DUE]
    assert [(i["item"], i["owner"], i["overdue"]) for i in said.change["items"]] == [
        ("sre-review", "sre", True),
        ("dashboards", "dri", False),
    ]

    # Later the same day, from another worker, or after a restart: nothing again.
    assert send_reminders("worker-b", NOW + timedelta(hours=2)) == 0
    assert send_reminders("worker-a", NOW + timedelta(hours=23)) == 0
    assert len(reminders_of(sre_member)) == 1
    # The next day, again.
    assert send_reminders("worker-b", NOW + timedelta(days=1, minutes=1)) == 3
    assert len(reminders_of(sre_member)) == 2


def test_only_one_worker_runs_the_job_at_a_time(review, dri) -> None:
    due(review, "dashboards", NOW)
    assert claim_lease("worker-a", name=REMINDERS, now=NOW)

    assert send_reminders("worker-b", NOW) == 0
    assert reminders_of(dri) == []


def test_done_items_and_closed_reviews_remind_nobody(review, dri, sre_member) -> None:
    due(review, "sre-review", NOW - timedelta(days=1))
    review.items.filter(key="sre-review").update(state="done")

    assert send_reminders("worker-a", NOW) == 0
    assert reminders_of(sre_member) == []


def test_a_snoozed_item_is_not_reminded_until_the_date(review, dri, sre_member, outsider) -> None:
    due(review, "sre-review", NOW - timedelta(days=1))
    with pytest.raises(PermissionDenied, match="Only those who may change 'SRE review'"):
        snooze(review, "sre-review", until=date(2099, 3, 10), by=outsider)
    snooze(review, "sre-review", until=date(2099, 3, 10), by=sre_member)

    assert send_reminders("worker-a", NOW) == 0
    snooze(review, "sre-review", until=None, by=sre_member)
    assert send_reminders("worker-a", NOW + timedelta(minutes=11)) == 2


def test_snooze_from_the_api_and_the_cli(review, dri, sre_member, api_as, cli) -> None:
    answer = api_as(sre_member).put(
        f"/reviews/{review.ref}/items/sre-review/snooze", {"until": "2099-01-15"}
    )
    assert answer.status_code == 200
    assert answer.json()["until"].startswith("2099-01-15T23:59:59")
    refused = api_as(dri).put(
        f"/reviews/{review.ref}/items/sre-review/snooze", {"until": "2099-01-15"}
    )
    assert refused.status_code == 403

    done = cli(
        "review", "snooze", review.ref, "dashboards", "--until", "2099-02-01", "--as", "dana"
    )
    assert done.output == "No reminders about 'dashboards' until 2099-02-01 (end of day).\n"
    again = cli("review", "snooze", review.ref, "dashboards", "--clear", "--as", "dana")
    assert again.output == "Reminders about 'dashboards' are on again.\n"
    assert cli("review", "snooze", review.ref, "dashboards", "--as", "dana").exit_code == 2

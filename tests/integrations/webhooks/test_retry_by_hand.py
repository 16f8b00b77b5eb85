"""A retry by hand, from every face (service, API, CLI, admin), is one mechanism: it starts a new
round of attempts, and refuses a delivery being sent right now or not tried yet."""

from __future__ import annotations

import json
import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from prr.errors import RuleViolation
from prr.integrations.webhooks import transport
from prr.integrations.webhooks.models import Delivery
from prr.integrations.webhooks.services import add_subscription, retry_delivery
from prr.integrations.webhooks.tasks import claim, settle
from prr.reviews.items import set_item_state
from tests.api.conftest import api_as, error_of

from .conftest import in_thread

__all__ = ["api_as"]

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def failed(review, dri, closed_port_url, drain, settings) -> Delivery:
    """A delivery that used up its round of 2 attempts on a receiver that is down."""
    settings.WEBHOOK_MAX_ATTEMPTS = 2
    add_subscription(closed_port_url, ["review.item_changed"], by=None)
    set_item_state(review, "dashboards", "done", by=dri)
    [delivery] = drain()
    assert (delivery.status, delivery.round, delivery.attempts) == ("failed", 1, 2)
    return delivery


def test_a_retry_by_hand_starts_a_new_round_of_attempts(failed, drain):
    retried = retry_delivery(failed.pk, by=None)
    assert (retried.status, retried.round, retried.attempts, retried.attempts_in_all) == (
        "pending",
        2,
        0,
        2,
    )
    [delivery] = drain()
    assert (delivery.status, delivery.round, delivery.attempts, delivery.attempts_in_all) == (
        "failed",
        2,
        2,
        4,
    )
    assert [a.number for a in delivery.attempt_log.all()] == [1, 2, 3, 4]


def test_a_delivery_being_sent_is_not_retried(failed):
    Delivery.objects.filter(pk=failed.pk).update(status="retrying", next_attempt_at=None)
    assert claim(failed.pk, "worker-a")
    with pytest.raises(RuleViolation, match=rf"^Delivery #{failed.pk} is being sent right now"):
        retry_delivery(failed.pk, by=None)
    assert Delivery.objects.get().round == 1

    # Its worker died: once the lease is over, a retry by hand takes it over.
    Delivery.objects.filter(pk=failed.pk).update(lease_until=timezone.now() - timedelta(seconds=1))
    assert retry_delivery(failed.pk, by=None).round == 2
    answer = transport.Response(status_code=200, duration_ms=5)
    assert settle(Delivery.objects.get(), "worker-a", timezone.now(), answer) == "superseded"
    assert Delivery.objects.get().status == "pending"  # the dead worker's answer came too late


def test_a_delivery_not_tried_yet_is_not_retried(failed):
    retry_delivery(failed.pk, by=None)
    with pytest.raises(RuleViolation, match="is queued and not tried yet; only a failed delivery"):
        retry_delivery(failed.pk, by=None)
    assert Delivery.objects.get().round == 2


def test_a_delivery_queued_too_long_ago_is_retried_its_task_is_lost(failed, drain):
    # A worker died after taking the delivery's task and before claiming it: nothing would
    # ever send it, so after a claim's lease a retry by hand may queue it again.
    retry_delivery(failed.pk, by=None)
    long_ago = timezone.now() - timedelta(seconds=3600)
    Delivery.objects.filter(pk=failed.pk).update(next_attempt_at=long_ago)
    assert retry_delivery(failed.pk, by=None).round == 3
    with pytest.raises(RuleViolation, match="is queued and not tried yet"):
        retry_delivery(failed.pk, by=None)  # just queued again: not lost


@pytest.mark.postgres_only
def test_a_retry_locks_the_delivery(failed):
    with CaptureQueriesContext(connection) as queries:
        retry_delivery(failed.pk, by=None)
    [locking] = [q["sql"] for q in queries if "FOR UPDATE" in q["sql"]]
    assert '"webhooks_delivery"' in locking


@pytest.mark.postgres_only
def test_two_retries_at_once_make_one_new_round(failed):
    outcomes: list[str] = []
    barrier = threading.Barrier(2)

    def retry() -> None:
        barrier.wait()
        try:
            retry_delivery(failed.pk, by=None)
        except RuleViolation as exc:
            outcomes.append(exc.message)
        else:
            outcomes.append("retried")

    threads = [threading.Thread(target=in_thread(retry)) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == [
        f"Delivery #{failed.pk} is queued and not tried yet; only a failed delivery is sent "
        "again (or one waiting for its next attempt).",
        "retried",
    ]
    assert Delivery.objects.get().round == 2


def test_the_api_retries_in_a_new_round_and_refuses_while_sending(failed, api_as, admin):
    answer = api_as(admin).post(f"/webhooks/deliveries/{failed.pk}/retry")
    assert answer.status_code == 200
    body = answer.json()
    assert (body["status"], body["round"], body["attempts"], body["attempts_in_all"]) == (
        "pending",
        2,
        0,
        2,
    )
    assert claim(failed.pk, "worker-a")
    refused = api_as(admin).post(f"/webhooks/deliveries/{failed.pk}/retry")
    assert error_of(refused) == (409, "rule_violation")
    assert refused.json()["message"] == (
        f"Delivery #{failed.pk} is being sent right now; look again in a moment."
    )


def test_the_cli_and_the_admin_retry_the_same_way(failed, cli, admin, drain):
    assert cli("webhook", "retry", str(failed.pk)).exit_code == 0
    drain()
    client = Client()
    client.force_login(admin)
    client.post(
        reverse("admin:webhooks_delivery_changelist"),
        {"action": "retry_selected", "_selected_action": [failed.pk]},
    )
    assert Delivery.objects.get().round == 3
    [row] = json.loads(cli("webhook", "deliveries", "--json").stdout)
    assert (row["round"], row["attempts"], row["attempts_in_all"]) == (3, 0, 4)
    assert "attempts: 0 (round 3)" in cli("webhook", "deliveries").stdout
    refused = cli("webhook", "retry", str(failed.pk))
    assert refused.exit_code == 1
    assert "is queued and not tried yet" in refused.stderr


def test_a_refusal_that_cannot_change_fails_the_delivery_at_once(review, dri, receiver, settings):
    add_subscription(receiver.url, ["review.item_changed"], by=None)
    set_item_state(review, "dashboards", "done", by=dri)
    delivery = Delivery.objects.get()
    assert claim(delivery.pk, "worker-a")
    delivery.refresh_from_db()
    blocked = transport.Response(None, 1, error="127.0.0.1 is a loopback address", permanent=True)
    assert settle(delivery, "worker-a", timezone.now(), blocked) == "failed"
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("failed", 1)  # not the 3 of its round
    assert delivery.last_error == (
        "127.0.0.1 is a loopback address. Not retried: sending it again as it is cannot "
        f"succeed. Fix the cause, then send it again with `prr webhook retry {delivery.pk}`."
    )

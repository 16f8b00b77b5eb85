"""Deliveries reach a real HTTP receiver, signed; failures are retried, then given up on."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from prr.errors import NotFound, PermissionDenied, RuleViolation
from prr.integrations.webhooks import transport
from prr.integrations.webhooks.models import Delivery, DeliveryAttempt
from prr.integrations.webhooks.services import (
    add_subscription,
    get_delivery,
    list_deliveries,
    remove_subscription,
    retry_delivery,
    set_subscription_active,
)
from prr.integrations.webhooks.signing import verify_signature
from prr.integrations.webhooks.tasks import LIMITS, claim, deliver, rescue_abandoned, settle
from prr.reviews.items import set_item_state

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def subscribed(receiver):
    return add_subscription(receiver.url, ["review.item_changed"], by=None)


def test_the_receiver_gets_a_signed_event(review, dri, receiver, subscribed, drain):
    set_item_state(review, "dashboards", "done", by=dri)
    [delivery] = drain()
    [request] = receiver.requests
    headers = request.headers
    assert request.path == "/hooks/prr"
    assert headers["X-PRR-Event"] == "review.item_changed"
    assert headers["X-PRR-Delivery"] == str(delivery.pk)
    assert headers["Content-Type"] == "application/json"
    assert headers["User-Agent"].startswith("prr-webhooks/")
    assert abs(int(headers["X-PRR-Timestamp"]) - time.time()) < 60
    assert verify_signature(
        subscribed.secret, headers["X-PRR-Timestamp"], request.body, headers["X-PRR-Signature"]
    )
    assert not verify_signature(
        "not-the-secret-at-all",
        headers["X-PRR-Timestamp"],
        request.body,
        headers["X-PRR-Signature"],
    )
    assert request.json == delivery.payload
    assert request.json["change"]["item"] == "dashboards"
    assert delivery.status == "delivered"
    assert delivery.delivered_at is not None
    [attempt] = delivery.attempt_log.all()
    assert (attempt.number, attempt.status_code, attempt.error) == (1, 200, "")
    assert attempt.response_excerpt == "thanks"


def test_a_receiver_failing_twice_gets_the_event_three_times(
    review, dri, receiver, subscribed, drain
):
    receiver.fail_times = 2
    set_item_state(review, "dashboards", "done", by=dri)
    [delivery] = drain()
    assert len(receiver.requests) == 3
    assert len({r.headers["X-PRR-Delivery"] for r in receiver.requests}) == 1
    assert len({r.body for r in receiver.requests}) == 1  # the payload is frozen
    assert delivery.status == "delivered"
    attempts = list(delivery.attempt_log.values_list("number", "status_code", "error"))
    assert attempts == [
        (1, 500, "HTTP 500 Internal Server Error"),
        (2, 500, "HTTP 500 Internal Server Error"),
        (3, 200, ""),
    ]
    assert DeliveryAttempt.objects.get(number=1).response_excerpt == "receiver is down"


def test_after_the_limit_a_delivery_fails_and_a_retry_by_hand_sends_it(
    review, dri, receiver, subscribed, drain
):
    receiver.fail_times = 3  # WEBHOOK_MAX_ATTEMPTS is 3 in these tests
    set_item_state(review, "dashboards", "done", by=dri)
    [delivery] = drain()
    assert delivery.status == "failed"
    assert delivery.attempts == 3
    assert delivery.last_error == "HTTP 500 Internal Server Error"
    assert [d.pk for d in list_deliveries(by=None, status="failed")] == [delivery.pk]

    retry_delivery(delivery.pk, by=None)
    assert Delivery.objects.get().status == "pending"
    [delivery] = drain()
    assert delivery.status == "delivered"
    assert len(receiver.requests) == 4
    assert [a.number for a in get_delivery(delivery.pk, by=None).attempt_log.all()] == [1, 2, 3, 4]


def test_a_retry_by_hand_gets_a_fresh_round_of_attempts(review, dri, receiver, subscribed, drain):
    receiver.fail_times = 100
    set_item_state(review, "dashboards", "done", by=dri)
    [delivery] = drain()
    retry_delivery(delivery.pk, by=None)
    [delivery] = drain()
    assert delivery.status == "failed"
    assert delivery.attempts_in_all == 6
    assert len(receiver.requests) == 6


def test_an_unreachable_receiver_is_an_attempt_with_an_error(review, dri, drain, closed_port_url):
    add_subscription(closed_port_url, ["*"], by=None)
    set_item_state(review, "dashboards", "done", by=dri)
    [delivery] = drain()
    assert delivery.status == "failed"
    errors = list(delivery.attempt_log.values_list("status_code", "error"))
    assert errors == [(None, "Connection refused.")] * 3


def test_a_slow_receiver_times_out(review, dri, receiver, subscribed, drain, settings):
    settings.WEBHOOK_TIMEOUT = 0.2
    settings.WEBHOOK_MAX_ATTEMPTS = 1
    receiver.delay = 0.5
    set_item_state(review, "dashboards", "done", by=dri)
    [delivery] = drain()
    assert delivery.status == "failed"
    assert delivery.last_error == "No answer within 0.2 s (timed out)."
    assert DeliveryAttempt.objects.get().duration_ms >= 200


def test_a_redirect_is_not_followed(review, dri, receiver, subscribed, drain, settings):
    settings.WEBHOOK_MAX_ATTEMPTS = 1
    receiver.fail_times, receiver.fail_status = 1, 302
    set_item_state(review, "dashboards", "done", by=dri)
    [delivery] = drain()
    assert delivery.status == "failed"
    assert DeliveryAttempt.objects.get().status_code == 302
    assert len(receiver.requests) == 1


def test_the_back_off_doubles_up_to_its_cap(settings):
    settings.WEBHOOK_RETRY_DELAY = 10
    settings.WEBHOOK_RETRY_MAX_DELAY = 60
    assert [LIMITS.retry_delay(n).total_seconds() for n in (1, 2, 3, 4, 5)] == [10, 20, 40, 60, 60]


def test_a_delivery_runs_once_even_if_its_task_runs_twice(review, dri, receiver, subscribed, drain):
    set_item_state(review, "dashboards", "done", by=dri)
    delivery = Delivery.objects.get()
    assert deliver(delivery.pk) == "delivered"
    assert deliver(delivery.pk) == "skipped"
    drain()
    assert len(receiver.requests) == 1


def test_a_delivery_waiting_for_its_retry_is_not_sent_early(
    review, dri, receiver, subscribed, settings
):
    settings.WEBHOOK_RETRY_DELAY = 3600
    receiver.fail_times = 1
    set_item_state(review, "dashboards", "done", by=dri)
    delivery = Delivery.objects.get()
    assert deliver(delivery.pk) == "retrying"
    assert deliver(delivery.pk) == "skipped"
    assert len(receiver.requests) == 1
    retry_delivery(delivery.pk, by=None)  # by hand: now
    assert deliver(delivery.pk) == "delivered"


def test_a_paused_subscription_stops_its_waiting_deliveries(
    review, dri, receiver, subscribed, drain
):
    set_item_state(review, "dashboards", "done", by=dri)
    set_subscription_active(subscribed.pk, False, by=None)
    [delivery] = drain()
    assert delivery.status == "failed"
    assert delivery.attempts == 0
    assert "inactive" in delivery.last_error
    assert receiver.requests == []
    with pytest.raises(RuleViolation, match="inactive"):
        retry_delivery(delivery.pk, by=None)


def test_a_delivered_delivery_cannot_be_retried(review, dri, receiver, subscribed, drain):
    set_item_state(review, "dashboards", "done", by=dri)
    [delivery] = drain()
    with pytest.raises(RuleViolation, match="already delivered"):
        retry_delivery(delivery.pk, by=None)


def test_retrying_is_for_admins_and_known_deliveries(review, dri, admin, subscribed):
    set_item_state(review, "dashboards", "done", by=dri)
    delivery = Delivery.objects.get()
    with pytest.raises(PermissionDenied, match="Only an admin can retry"):
        retry_delivery(delivery.pk, by=dri)
    with pytest.raises(NotFound, match="No webhook delivery #999"):
        retry_delivery(999, by=admin)
    with pytest.raises(PermissionDenied):
        list_deliveries(by=dri)


def test_an_attempt_outliving_its_subscription_is_dropped(review, dri, subscribed):
    set_item_state(review, "dashboards", "done", by=dri)
    delivery = Delivery.objects.get()
    assert claim(delivery.pk, "worker-a")
    delivery.refresh_from_db()
    remove_subscription(subscribed.pk, by=None)  # while worker A waits for the receiver
    answer = transport.Response(status_code=200, duration_ms=5)
    assert settle(delivery, "worker-a", timezone.now(), answer) == "removed"
    assert not DeliveryAttempt.objects.exists()


def test_an_attempt_whose_claim_was_taken_over_does_not_overwrite_the_outcome(
    review, dri, subscribed
):
    set_item_state(review, "dashboards", "done", by=dri)
    delivery = Delivery.objects.get()
    assert claim(delivery.pk, "worker-a")
    delivery.refresh_from_db()
    Delivery.objects.filter(pk=delivery.pk).update(claim_token="worker-b")  # lease expired
    answer = transport.Response(status_code=500, duration_ms=5, error="HTTP 500")
    assert settle(delivery, "worker-a", timezone.now(), answer) == "superseded"
    assert Delivery.objects.get().status == "sending"  # still worker B's
    assert DeliveryAttempt.objects.get().error == "HTTP 500"  # the attempt is on record


def test_a_delivery_abandoned_by_a_dead_worker_is_sent_after_its_lease(
    review, dri, receiver, subscribed, drain
):
    set_item_state(review, "dashboards", "done", by=dri)
    delivery = Delivery.objects.get()
    assert claim(delivery.pk, "worker-that-dies")  # claimed, then the worker is killed
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.all().delete()  # its task is gone with it
    assert rescue_abandoned() == 0  # the lease still runs: nobody else may send it yet
    Delivery.objects.filter(pk=delivery.pk).update(
        lease_until=timezone.now() - timedelta(seconds=1)
    )
    assert rescue_abandoned() == 1
    [delivery] = drain()
    assert delivery.status == "delivered"
    assert len(receiver.requests) == 1

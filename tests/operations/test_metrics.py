"""`/metrics`: who may read it, and what each metric family says.

Counters live in files shared by every process of the host (and by earlier test runs), so the
tests compare a scrape after the action with one before it.
"""

from __future__ import annotations

import ipaddress
from datetime import timedelta
from typing import Any

import pytest
from django.db import DatabaseError
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from prr.accounts.models import User
from prr.integrations.chat import outgoing
from prr.integrations.chat.models import ChatPost
from prr.integrations.webhooks import tasks as webhook_tasks
from prr.integrations.webhooks import transport
from prr.integrations.webhooks.models import Delivery, Subscription
from prr.operations import heartbeats
from prr.operations.models import WorkerHeartbeat
from prr.reviews.channel import post_message
from prr.reviews.lifecycle import cancel_review
from prr.reviews.models import Review
from tests.operations.metrics_scrape import families, value

pytestmark = pytest.mark.django_db

TOKEN = "s3cret-metrics-token-for-tests"


def scrape(client: Client, **extra: Any) -> str:
    response = client.get("/metrics", **extra)
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/plain; version=")
    return response.content.decode()


# Who may read it


def test_a_caller_on_the_host_reads_the_metrics_by_default(client: Client) -> None:
    assert "prr_open_reviews" in families(scrape(client))  # the test client is 127.0.0.1


def test_ipv6_loopback_is_allowed_by_default(client: Client) -> None:
    assert client.get("/metrics", REMOTE_ADDR="::1").status_code == 200


def test_a_caller_from_another_network_is_told_nothing(client: Client) -> None:
    response = client.get("/metrics", REMOTE_ADDR="203.0.113.7")

    assert response.status_code == 404
    assert response.content == b"Not found.\n"


def test_the_allowed_networks_are_a_setting(client: Client, settings: Any) -> None:
    settings.METRICS_ALLOW = [ipaddress.ip_network("10.20.0.0/16")]

    assert client.get("/metrics", REMOTE_ADDR="10.20.3.4").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 404


def test_a_request_forwarded_by_an_untrusted_proxy_is_refused(client: Client) -> None:
    # nginx on the same host: REMOTE_ADDR is loopback, but the caller is somewhere else.
    response = client.get("/metrics", headers={"X-Forwarded-For": "198.51.100.9"})

    assert response.status_code == 404


def test_through_a_trusted_proxy_the_clients_own_address_counts(
    client: Client, settings: Any
) -> None:
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    settings.METRICS_ALLOW = [ipaddress.ip_network("10.0.0.0/8")]

    inside = client.get("/metrics", headers={"X-Forwarded-For": "10.1.2.3"})
    outside = client.get("/metrics", headers={"X-Forwarded-For": "198.51.100.9"})

    assert (inside.status_code, outside.status_code) == (200, 404)


def test_with_a_token_the_token_is_needed_from_anywhere(client: Client, settings: Any) -> None:
    settings.METRICS_TOKEN = TOKEN

    missing = client.get("/metrics")
    wrong = client.get("/metrics", headers={"Authorization": "Bearer not-the-token"})
    right = client.get(
        "/metrics", REMOTE_ADDR="203.0.113.7", headers={"Authorization": f"Bearer {TOKEN}"}
    )

    assert (missing.status_code, wrong.status_code, right.status_code) == (403, 403, 200)
    assert b"Authorization: Bearer" in missing.content
    assert TOKEN.encode() not in missing.content + wrong.content


def test_metrics_are_never_cached(client: Client) -> None:
    assert "no-cache" in client.get("/metrics")["Cache-Control"]


# What it says


def test_requests_are_counted_by_route_and_status_and_timed(client: Client) -> None:
    before = scrape(client)

    client.get("/healthz")
    client.get("/healthz")
    client.post("/healthz")  # refused: GET only
    client.get("/no/such/page/8f3a")

    after = scrape(client)
    counted = "prr_http_requests_total"

    def delta(**labels: str) -> float:
        return value(after, counted, **labels) - value(before, counted, **labels)

    assert delta(route="healthz", method="GET", status="200") == 2
    assert delta(route="healthz", method="POST", status="405") == 1
    # An unknown URL is one series, whatever the path (no series per path).
    assert delta(route="unmatched", method="GET", status="404") == 1
    histogram = "prr_http_request_duration_seconds_count"
    assert (
        value(after, histogram, route="healthz", method="GET")
        - value(before, histogram, route="healthz", method="GET")
        == 2
    )
    assert 'route="no/such/page/8f3a"' not in after


def test_open_reviews_are_read_from_the_database(client: Client, review: Review, dri: User) -> None:
    assert value(scrape(client), "prr_open_reviews") == 1

    cancel_review(review, by=dri, reason="Replaced by a smaller change")

    assert value(scrape(client), "prr_open_reviews") == 0


def test_task_actions_fired_and_refused_are_counted(
    client: Client,
    review: Review,
    sre_member: User,
    outsider: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    before = scrape(client)

    with django_capture_on_commit_callbacks(execute=True):
        post_message(review, author=outsider, body="SRE review is completed")
        post_message(review, author=sre_member, body="SRE review is completed")
        post_message(review, author=sre_member, body="Looks good so far")

    after = scrape(client)
    name = "prr_task_actions_total"
    fired = value(after, name, outcome="fired") - value(before, name, outcome="fired")
    refused = value(after, name, outcome="refused") - value(before, name, outcome="refused")
    assert (fired, refused) == (1, 1)


def test_webhook_deliveries_are_counted_by_outcome(
    client: Client, review: Review, monkeypatch: pytest.MonkeyPatch
) -> None:
    subscription = Subscription.objects.create(url="https://hooks.example.com/prr", events=["*"])
    answers = iter([transport.Response(503, 4, error="HTTP 503"), transport.Response(200, 3)])
    monkeypatch.setattr(transport, "post", lambda *args, **kwargs: next(answers))
    delivery = Delivery.objects.create(
        subscription=subscription, event_id="e1", event_type="review.started", payload={}
    )
    before = scrape(client)

    webhook_tasks.deliver_webhook.call(delivery.pk)  # 503: retried later
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=None)
    webhook_tasks.deliver_webhook.call(delivery.pk)  # delivered
    webhook_tasks.deliver_webhook.call(delivery.pk)  # nothing left to do

    after = scrape(client)
    name = "prr_webhook_deliveries_total"
    for outcome in ("retrying", "delivered", "skipped"):
        assert value(after, name, outcome=outcome) - value(before, name, outcome=outcome) == 1


def test_chat_posts_are_counted_by_outcome(client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(
        outgoing._senders, "slack", lambda target, payload: transport.Response(200, 2)
    )
    post = outgoing.queue_post("slack", "C123", {"text": "PRR-1 was started"})
    before = scrape(client)

    outgoing.send_chat_post.call(post.pk)

    after = scrape(client)
    name = "prr_chat_posts_total"
    assert value(after, name, outcome="delivered") - value(before, name, outcome="delivered") == 1


def test_the_outbox_backlog_counts_what_is_not_delivered(client: Client) -> None:
    subscription = Subscription.objects.create(url="https://hooks.example.com/prr", events=["*"])
    for number, status in enumerate(["pending", "retrying", "failed", "failed", "delivered"]):
        Delivery.objects.create(
            subscription=subscription,
            event_id=f"e{number}",
            event_type="review.started",
            payload={},
            status=status,
        )
    ChatPost.objects.create(platform="slack", target="C1", payload={}, status="retrying")

    text = scrape(client)

    webhooks = {
        s: value(text, "prr_outbox_backlog", kind="webhook", status=s)
        for s in ("pending", "sending", "retrying", "failed")
    }
    assert webhooks == {"pending": 1, "sending": 0, "retrying": 1, "failed": 2}
    assert value(text, "prr_outbox_backlog", kind="chat", status="retrying") == 1


def test_the_queue_depth_and_the_age_of_the_oldest_task(client: Client) -> None:
    subscription = Subscription.objects.create(url="https://hooks.example.com/prr", events=["*"])
    delivery = Delivery.objects.create(
        subscription=subscription, event_id="e1", event_type="review.started", payload={}
    )
    webhook_tasks.enqueue_delivery(delivery.pk)
    webhook_tasks.enqueue_delivery(delivery.pk)
    webhook_tasks.enqueue_delivery(delivery.pk, run_after=timezone.now() + timedelta(hours=1))
    oldest = DBTaskResult.objects.filter(run_after__year=9999).order_by("enqueued_at").first()
    assert oldest is not None
    DBTaskResult.objects.filter(pk=oldest.pk).update(
        enqueued_at=timezone.now() - timedelta(minutes=10)
    )

    text = scrape(client)

    depth = {
        s: value(text, "prr_task_queue_depth", state=s) for s in ("due", "scheduled", "running")
    }
    assert depth == {"due": 2, "scheduled": 1, "running": 0}
    assert 600 <= value(text, "prr_task_queue_oldest_seconds") < 660


def test_an_empty_queue_has_no_waiting_age(client: Client) -> None:
    text = scrape(client)

    assert value(text, "prr_task_queue_depth", state="due") == 0
    assert value(text, "prr_task_queue_oldest_seconds") == 0


def test_worker_heartbeats_say_how_fresh_and_how_many(client: Client) -> None:
    assert value(scrape(client), "prr_worker_heartbeat_age_seconds") == float("inf")

    now = timezone.now()
    for worker, seen in (("host-a-1", timedelta(seconds=40)), ("host-b-2", timedelta(hours=2))):
        heartbeats.beat(worker, now - timedelta(hours=3))
        WorkerHeartbeat.objects.filter(worker_id=worker).update(seen_at=now - seen)
    # host-b-2 is gone: past the readiness window

    text = scrape(client)
    assert 40 <= value(text, "prr_worker_heartbeat_age_seconds") < 100
    assert value(text, "prr_workers_live") == 1


def test_a_scrape_without_the_database_still_answers(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    def unreachable(*args: object, **kwargs: object) -> None:
        raise DatabaseError("could not connect to server at db.internal:5432")

    monkeypatch.setattr("prr.operations.metrics.database_metrics", unreachable)

    text = scrape(client)

    assert value(text, "prr_database_up") == 0
    assert "db.internal" not in text
    assert "prr_http_requests" in families(text)

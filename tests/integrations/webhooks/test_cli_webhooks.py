"""`prr webhook …`: add, list, remove, deliveries and retry, with errors as `Error: …`."""

from __future__ import annotations

import json

import pytest

from prr.integrations.webhooks.models import Delivery, Subscription
from prr.integrations.webhooks.services import add_subscription
from prr.reviews.items import set_item_state

pytestmark = pytest.mark.django_db


def test_add_prints_the_id_and_the_secret_once(cli):
    result = cli(
        "webhook", "add", "https://hooks.example.com/prr",
        "--events", "review.closed,review.ready", "--events", "review.started",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    created = Subscription.objects.get()
    assert created.events == ["review.started", "review.ready", "review.closed"]
    assert f"Added webhook #{created.pk}: https://hooks.example.com/prr" in result.stdout
    assert "Secret (shown once; " in result.stdout
    assert created.secret in result.stdout
    listed = cli("webhook", "list", "--json")
    assert created.secret not in listed.stdout


def test_add_keeps_a_given_secret(cli):
    result = cli(
        "webhook", "add", "http://127.0.0.1:8080/", "--events", "*",
        "--secret", "a-secret-of-our-own",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert Subscription.objects.get().secret == "a-secret-of-our-own"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["ftp://example.com/", "--events", "*"], "not a valid webhook URL"),
        (["https://example.com/", "--events", "review.merged"], "Unknown event type review.merged"),
        (["https://example.com/", "--events", "*", "--secret", "short"], "16 to 128 characters"),
    ],
)
def test_add_refuses_bad_input(cli, args, message):
    result = cli("webhook", "add", *args)
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: ")
    assert message in result.stderr
    assert not Subscription.objects.exists()


def test_add_needs_events(cli):
    result = cli("webhook", "add", "https://example.com/")
    assert result.exit_code == 2
    assert "--events" in result.stderr


def test_list_shows_subscriptions(cli):
    assert "No webhooks yet" in cli("webhook", "list").stdout
    created = add_subscription("https://hooks.example.com/prr", ["review.closed"], by=None)
    text = cli("webhook", "list").stdout
    assert f"#{created.pk}" in text
    assert "https://hooks.example.com/prr" in text
    assert "review.closed" in text
    [row] = json.loads(cli("webhook", "list", "--json").stdout)
    assert row["id"] == created.pk
    assert row["events"] == ["review.closed"]
    assert row["active"] is True
    assert row["failed_deliveries"] == 0


def test_remove_deletes_and_unknown_ids_are_refused(cli):
    created = add_subscription("https://hooks.example.com/prr", ["*"], by=None)
    result = cli("webhook", "remove", str(created.pk))
    assert result.exit_code == 0, result.stderr
    assert f"Removed webhook #{created.pk}" in result.stdout
    assert not Subscription.objects.exists()
    again = cli("webhook", "remove", str(created.pk))
    assert again.exit_code == 1
    assert again.stderr == f"Error: No webhook #{created.pk}; `prr webhook list` shows them.\n"


@pytest.mark.django_db(transaction=True)  # the event must really commit
def test_deliveries_lists_and_retry_requeues(cli, review, dri, closed_port_url, drain, settings):
    settings.WEBHOOK_MAX_ATTEMPTS = 1
    add_subscription(closed_port_url, ["review.item_changed"], by=None)
    set_item_state(review, "dashboards", "done", by=dri)
    [delivery] = drain()
    text = cli("webhook", "deliveries", "--status", "failed").stdout
    assert f"#{delivery.pk}" in text
    assert "review.item_changed" in text
    assert "Connection refused." in text
    assert cli("webhook", "deliveries", "--status", "delivered").stdout == "No deliveries.\n"
    [row] = json.loads(cli("webhook", "deliveries", "--json").stdout)
    assert row["status"] == "failed"
    assert row["review"] == review.ref
    assert row["attempts"] == 1

    result = cli("webhook", "retry", str(delivery.pk))
    assert result.exit_code == 0, result.stderr
    assert f"Queued delivery #{delivery.pk}" in result.stdout
    assert Delivery.objects.get().status == "pending"


@pytest.mark.django_db(transaction=True)
def test_retry_refuses_unknown_and_delivered_deliveries(cli, review, dri, receiver, drain):
    missing = cli("webhook", "retry", "4242")
    assert missing.exit_code == 1
    assert "Error: No webhook delivery #4242" in missing.stderr
    add_subscription(receiver.url, ["review.item_changed"], by=None)
    set_item_state(review, "dashboards", "done", by=dri)
    [delivery] = drain()
    refused = cli("webhook", "retry", str(delivery.pk))
    assert refused.exit_code == 1
    assert "already delivered" in refused.stderr


def test_deliveries_refuses_an_unknown_status(cli):
    result = cli("webhook", "deliveries", "--status", "lost")
    assert result.exit_code == 2

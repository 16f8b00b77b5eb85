"""The admin shows subscriptions (editable) and deliveries (read-only, with a retry action)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from prr.integrations.webhooks.models import Delivery, Subscription
from prr.integrations.webhooks.services import add_subscription
from prr.reviews.items import set_item_state

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def admin_client(admin):
    client = Client()
    client.force_login(admin)
    return client


@pytest.fixture
def failed_delivery(review, dri, closed_port_url, drain, settings):
    settings.WEBHOOK_MAX_ATTEMPTS = 1
    add_subscription(closed_port_url, ["*"], by=None)
    set_item_state(review, "dashboards", "done", by=dri)
    [delivery] = drain()
    assert delivery.status == "failed"
    return delivery


def test_every_webhook_page_opens_for_an_admin(admin_client, failed_delivery):
    pages = [
        reverse("admin:webhooks_subscription_changelist"),
        reverse("admin:webhooks_subscription_change", args=[failed_delivery.subscription_id]),
        reverse("admin:webhooks_subscription_add"),
        reverse("admin:webhooks_delivery_changelist"),
        reverse("admin:webhooks_delivery_change", args=[failed_delivery.pk]),
    ]
    for page in pages:
        assert admin_client.get(page).status_code == 200, page
    detail = admin_client.get(pages[-1]).content.decode()
    assert "Connection refused." in detail


@pytest.mark.django_db
def test_the_admin_validates_a_new_subscription(admin_client, admin):
    url = reverse("admin:webhooks_subscription_add")
    refused = admin_client.post(
        url, {"url": "ftp://example.com/", "events": '["review.merged"]', "secret": "x" * 20}
    )
    assert refused.status_code == 200
    assert "not a valid webhook URL" in refused.content.decode()
    admin_client.post(
        url,
        {"url": "https://example.com/", "events": '["review.closed"]', "secret": "y" * 20,
         "active": "on"},
    )  # fmt: skip
    created = Subscription.objects.get()
    assert created.events == ["review.closed"]
    assert created.created_by == admin


def test_deliveries_cannot_be_edited(admin_client, failed_delivery):
    url = reverse("admin:webhooks_delivery_change", args=[failed_delivery.pk])
    admin_client.post(url, {"status": "delivered"})
    assert Delivery.objects.get().status == "failed"


def test_the_retry_action_requeues_failed_deliveries(admin_client, failed_delivery):
    response = admin_client.post(
        reverse("admin:webhooks_delivery_changelist"),
        {"action": "retry_selected", "_selected_action": [failed_delivery.pk]},
        follow=True,
    )
    assert "Queued 1 deliveries" in response.content.decode()
    assert Delivery.objects.get().status == "pending"

"""A receiver that answers 429 with Retry-After gets the next attempt when it asked for it."""

from __future__ import annotations

import pytest
from django.utils import timezone

from prr.integrations.webhooks.models import Delivery
from prr.integrations.webhooks.services import add_subscription
from prr.integrations.webhooks.tasks import deliver
from prr.reviews.items import set_item_state

from ..conftest import ChatServer

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_429_with_retry_after_is_retried_when_the_receiver_said(
    review, dri, chat_server: ChatServer, settings
):
    settings.WEBHOOK_RETRY_MAX_DELAY = 3600
    chat_server.on("POST", "/hooks/prr", (429, {"error": "slow down"}, {"Retry-After": "90"}))
    add_subscription(chat_server.url + "/hooks/prr", ["review.item_changed"], by=None)
    set_item_state(review, "dashboards", "done", by=dri)
    delivery = Delivery.objects.get()
    before = timezone.now()
    assert deliver(delivery.pk) == "retrying"
    delivery.refresh_from_db()
    assert delivery.last_error == "HTTP 429 Too Many Requests"
    assert delivery.next_attempt_at is not None
    assert 89 <= (delivery.next_attempt_at - before).total_seconds() <= 91

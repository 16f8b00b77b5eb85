"""Review events become one queued delivery per matching subscription, and only once committed."""

from __future__ import annotations

import pytest
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from prr.integrations.webhooks.listener import on_review_event
from prr.integrations.webhooks.models import Delivery
from prr.integrations.webhooks.services import add_subscription, set_subscription_active
from prr.representation import as_json
from prr.reviews import events
from prr.reviews.items import set_item_state
from prr.reviews.lifecycle import close_review
from prr.reviews.queries import get_review
from prr.reviews.schemas import ReviewSummaryOut

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_event_without_subscriptions_creates_nothing(review, dri):
    set_item_state(review, "dashboards", "done", by=dri)
    assert not Delivery.objects.exists()
    assert not DBTaskResult.objects.exists()


def test_an_event_without_subscriptions_costs_one_query(review, django_assert_num_queries):
    event = events.Event(events.STARTED, review.pk, actor="dana", change={})
    with django_assert_num_queries(1):
        on_review_event(event)


def test_each_matching_subscription_gets_one_delivery_and_one_task(review, dri):
    everything = add_subscription("http://127.0.0.1:9/all", ["*"], by=None)
    items = add_subscription("http://127.0.0.1:9/items", ["review.item_changed"], by=None)
    add_subscription("http://127.0.0.1:9/closed", ["review.closed"], by=None)
    set_item_state(review, "dashboards", "done", by=dri)
    deliveries = list(Delivery.objects.order_by("subscription_id"))
    assert [(d.subscription_id, d.event_type) for d in deliveries] == [
        (everything.pk, "review.item_changed"),
        (items.pk, "review.item_changed"),
    ]
    assert {d.status for d in deliveries} == {"pending"}
    queued = DBTaskResult.objects.all()
    assert sorted(t.args_kwargs["args"][0] for t in queued) == [d.pk for d in deliveries]
    assert {t.task_path for t in queued} == {"prr.integrations.webhooks.tasks.deliver_webhook"}


def test_a_subscription_to_closed_reviews_gets_only_closes(review, admin):
    closed = add_subscription("http://127.0.0.1:9/closed", ["review.closed"], by=None)
    set_item_state(review, "dashboards", "done", by=admin)
    close_review(review, by=admin, force=True, reason="Closing for the webhook test")
    assert list(Delivery.objects.values_list("subscription_id", "event_type")) == [
        (closed.pk, "review.closed")
    ]


def test_an_inactive_subscription_gets_nothing(review, dri):
    paused = add_subscription("http://127.0.0.1:9/all", ["*"], by=None)
    set_subscription_active(paused.pk, False, by=None)
    set_item_state(review, "dashboards", "done", by=dri)
    assert not Delivery.objects.exists()


def test_a_rolled_back_change_sends_nothing(review, dri):
    add_subscription("http://127.0.0.1:9/all", ["*"], by=None)

    def change_then_fail():
        with transaction.atomic():
            set_item_state(review, "dashboards", "done", by=dri)
            raise RuntimeError("the caller changed its mind")

    with pytest.raises(RuntimeError):
        change_then_fail()
    assert not Delivery.objects.exists()
    assert not DBTaskResult.objects.exists()
    review.refresh_from_db()
    assert review.items.get(key="dashboards").state == "open"


def test_the_payload_describes_the_event_and_the_review(review, dri, settings):
    settings.BASE_URL = "https://prr.example.com"
    add_subscription("http://127.0.0.1:9/all", ["review.item_changed"], by=None)
    set_item_state(review, "dashboards", "done", by=dri)
    payload = Delivery.objects.get().payload
    assert payload["type"] == "review.item_changed"
    assert payload["actor"] == "dana"
    assert len(payload["id"]) == 36
    # Timestamps as the REST API writes them (before: Python's isoformat, "+00:00").
    assert payload["occurred_at"].endswith("Z")
    assert payload["change"]["item"] == "dashboards"
    assert payload["change"]["state"] == "done"
    summary = payload["review"]
    assert summary["number"] == review.number
    assert summary["ref"] == review.ref
    assert summary["title"] == review.title
    assert summary["status"] == "open"
    assert summary["url"] == f"https://prr.example.com/reviews/{review.number}/"
    assert summary["readiness"]["ready"] is False
    missing = {m["item"]: m for m in summary["readiness"]["missing"]}
    assert set(missing) == {"load-test", "sre-review", "security-review"}
    assert missing["sre-review"]["owner"] == "sre"
    assert "waiting for a member of team SRE" in missing["sre-review"]["reason"]


def test_the_payload_carries_the_review_as_the_api_lists_it(review, dri):
    # One representation: the payload's review is the API's review summary, plus readiness
    # (before, a payload had only number, ref, title, status, url and readiness).
    add_subscription("http://127.0.0.1:9/all", ["review.item_changed"], by=None)
    set_item_state(review, "dashboards", "done", by=dri)
    summary = Delivery.objects.get().payload["review"]
    [listed] = as_json(ReviewSummaryOut.list_of([get_review(review.number)]))
    assert {k: v for k, v in summary.items() if k != "readiness"} == listed
    assert (summary["complete"], summary["required"]) == (
        summary["readiness"]["complete"],
        summary["readiness"]["required"],
    )

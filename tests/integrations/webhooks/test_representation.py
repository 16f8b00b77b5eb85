"""One representation: `prr webhook list|deliveries --json` print what the API answers."""

from __future__ import annotations

import json

from prr.integrations.webhooks.services import add_subscription
from prr.reviews.items import set_item_state
from tests.api.conftest import api_as

__all__ = ["api_as"]


def test_the_cli_prints_the_deliveries_the_api_lists(
    review, dri, admin, cli, api_as, django_capture_on_commit_callbacks
):
    # Before, the CLI said `webhook` and `event` where the API says `subscription` and
    # `event_type`, and only the CLI gave `url` and `review`.
    add_subscription("http://127.0.0.1:9/hook", ["review.item_changed"], by=None)
    with django_capture_on_commit_callbacks(execute=True):
        set_item_state(review, "dashboards", "done", by=dri)
    printed = json.loads(cli("webhook", "deliveries", "--json").stdout)
    answered = api_as(admin).get("/webhooks/deliveries").json()
    assert printed == answered
    [delivery] = printed
    assert (delivery["event_type"], delivery["review"], delivery["status"]) == (
        "review.item_changed",
        "PRR-1",
        "pending",
    )
    assert delivery["url"] == "http://127.0.0.1:9/hook"


def test_the_cli_prints_the_subscriptions_the_api_lists(review, admin, cli, api_as):
    add_subscription("http://127.0.0.1:9/hook", ["*"], by=None)
    printed = json.loads(cli("webhook", "list", "--json").stdout)
    answered = api_as(admin).get("/webhooks").json()
    assert printed == answered
    assert (printed[0]["events"], printed[0]["pending_deliveries"]) == (["*"], 0)
    assert "secret" not in printed[0]

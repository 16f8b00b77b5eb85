"""A live update never throws away what someone is typing: a message, an answer, an n/a reason."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from prr.accounts.models import User
from prr.reviews.channel import post_message
from prr.reviews.models import Review
from tests.e2e.conftest import NewContext, sign_in

pytestmark = pytest.mark.e2e


def test_a_half_typed_na_reason_survives_someone_elses_change(
    new_context: NewContext, people: dict[str, User], review: Review
) -> None:
    page = new_context().new_page()
    sign_in(page, "dana")
    page.goto(f"/reviews/{review.number}/")
    tracing = page.locator("[data-item=tracing]")
    tracing.get_by_text("Not applicable…").click()
    tracing.get_by_label("Reason").fill("No request path of its own to trace")
    page.get_by_label("Message", exact=True).fill("Half-written message")

    # Someone else's approval changes the header, the checklist and the channel.
    post_message(review, author=people["sam"], body="SRE review is completed")
    expect(page.locator("[data-item=sre-review]")).to_have_class("item state-done", timeout=10_000)

    expect(tracing.get_by_label("Reason")).to_have_value("No request path of its own to trace")
    expect(page.get_by_label("Message", exact=True)).to_have_value("Half-written message")
    tracing.get_by_role("button", name="Mark n/a").click()
    expect(tracing).to_contain_text("Reason: No request path of its own to trace")

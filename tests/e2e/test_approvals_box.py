"""A reviewer finds their approval in the first screen and gives it from the approvals box."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from prr.accounts.models import User
from prr.reviews.models import Review, ReviewItem
from tests.e2e.conftest import NewContext, console_errors, sign_in

pytestmark = pytest.mark.e2e

FIRST_SCREEN = {"width": 1280, "height": 800}


def test_sam_approves_from_the_box_in_the_first_screen(
    new_context: NewContext, people: dict[str, User], review: Review
) -> None:
    errors: list[str] = []
    page = new_context(viewport=FIRST_SCREEN).new_page()
    console_errors(page, errors)
    sign_in(page, "sam")
    page.goto(f"/reviews/{review.number}/")

    box = page.locator("#approvals")
    sre = page.locator("#approval-sre-review")
    button = sre.get_by_role("button", name="Approve as SRE")
    expect(sre).to_contain_text("SRE review is completed")
    expect(button).to_be_in_viewport()
    bounds = box.bounding_box()
    assert bounds is not None
    assert bounds["y"] + bounds["height"] <= FIRST_SCREEN["height"], bounds

    page.get_by_label("Message", exact=True).fill("A draft Sam is still writing")
    button.click()
    expect(sre).to_contain_text("Approved by @sam")
    expect(sre.get_by_role("link", name="message #")).to_be_visible()
    expect(button).to_have_count(0)
    expect(page.locator("[data-item=sre-review]")).to_have_class("item state-done")
    expect(page.locator("#messages .reply").last).to_contain_text("approved by @sam")
    expect(page.get_by_label("Message", exact=True)).to_have_value("A draft Sam is still writing")
    assert review.items.get(key="sre-review").state == ReviewItem.State.DONE
    assert errors == []

"""An open review page follows what others do, in place: messages appended, items replaced."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from prr.accounts.models import User
from prr.reviews.channel import post_message
from prr.reviews.items import set_item_state
from prr.reviews.models import Review
from tests.e2e.conftest import NewContext, console_errors, sign_in

pytestmark = pytest.mark.e2e

MESSAGE_IDS = "Array.from(document.querySelectorAll('#messages > li[id]'), li => li.id)"


def open_review(new_context: NewContext, review: Review, errors: list[str]) -> Page:
    page = new_context().new_page()
    console_errors(page, errors)
    sign_in(page, "dana")
    page.goto(f"/reviews/{review.number}/")
    # Marks that a reload or a whole-region swap would lose.
    page.evaluate("window.prrNotReloaded = true")
    page.evaluate("document.getElementById('messages').prrKept = true")
    page.evaluate("document.getElementById('item-load-test').prrKept = true")
    return page


def test_someone_elses_messages_are_appended_in_order(
    new_context: NewContext, people: dict[str, User], review: Review
) -> None:
    post_message(review, author=people["dana"], body="Kick-off: canary plan attached")
    errors: list[str] = []
    page = open_review(new_context, review, errors)

    first = post_message(review, author=people["sam"], body="Canary at 5% looks healthy").message
    second = post_message(review, author=people["sid"], body="Security scan is clean").message
    messages = page.locator("#messages > li")
    expect(messages.last).to_contain_text("Security scan is clean")

    ids = page.evaluate(MESSAGE_IDS)
    assert ids[-2:] == [f"message-{first.pk}", f"message-{second.pk}"]
    assert len(ids) == len(set(ids)) == 3
    assert page.evaluate("window.prrNotReloaded === true")
    assert page.evaluate("document.getElementById('messages').prrKept === true")
    assert errors == []


def test_an_item_changed_elsewhere_updates_in_place(
    new_context: NewContext, people: dict[str, User], review: Review
) -> None:
    errors: list[str] = []
    page = open_review(new_context, review, errors)
    dashboards = page.locator("[data-item=dashboards]")
    expect(dashboards).to_have_class("item state-open")
    expect(page.locator("#review-header")).to_contain_text("Dashboards linked")

    set_item_state(review, "dashboards", "done", by=people["dana"])
    expect(dashboards).to_have_class("item state-done")
    expect(dashboards.get_by_role("button", name="Reopen")).to_be_visible()
    expect(page.locator("#review-header")).not_to_contain_text("Dashboards linked")
    expect(page.locator("#timeline li").first).to_contain_text("marked 'Dashboards linked' done")

    assert page.evaluate("document.getElementById('item-load-test').prrKept === true")
    assert page.evaluate("window.prrNotReloaded === true")
    assert errors == []


def test_my_post_and_someone_elses_never_show_twice(
    new_context: NewContext, people: dict[str, User], review: Review
) -> None:
    errors: list[str] = []
    page = open_review(new_context, review, errors)
    composer = page.get_by_label("Message", exact=True)
    for n in range(3):
        post_message(review, author=people["sam"], body=f"Sam's note {n}")
        composer.fill(f"Dana's note {n}")
        page.get_by_role("button", name="Post message").click()
        expect(page.locator("#messages")).to_contain_text(f"Dana's note {n}")
    post_message(review, author=people["sam"], body="Sam's last word")
    expect(page.locator("#messages > li").last).to_contain_text("Sam's last word")

    ids = page.evaluate(MESSAGE_IDS)
    assert len(ids) == len(set(ids)) == 7
    assert ids == sorted(ids, key=lambda i: int(i.removeprefix("message-")))
    assert errors == []

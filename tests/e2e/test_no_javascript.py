"""Without JavaScript every core action still works: plain forms, Post/Redirect/Get."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from prr.accounts.models import User
from prr.reviews.models import Review
from tests.e2e.conftest import NewContext, sign_in

pytestmark = pytest.mark.e2e

DONE = re.compile(r"\bstate-done\b")


def no_js_page(new_context: NewContext, username: str) -> Page:
    page = new_context(java_script_enabled=False).new_page()
    sign_in(page, username)
    return page


def post(page: Page, body: str) -> None:
    page.get_by_label("Message", exact=True).fill(body)
    page.get_by_role("button", name="Post message").click()


def test_core_actions_work_without_javascript(
    new_context: NewContext, people: dict[str, User], review: Review
) -> None:
    url = f"/reviews/{review.number}/"

    sam = no_js_page(new_context, "sam")
    sam.goto(url)
    assert sam.evaluate("typeof window.htmx") == "undefined", "htmx ran with JavaScript off"
    post(sam, "Which alerts page the on-call rotation?")
    expect(sam).to_have_url(re.compile(rf"{url}#message-\d+$"))
    expect(sam.locator("#messages")).to_contain_text("Which alerts page the on-call rotation?")
    expect(sam.locator(".banners")).to_contain_text("Message posted.")

    # Approval by phrase: after the redirect the item shows done, and prr's reply says so.
    post(sam, "SRE review is completed")
    expect(sam.locator("[data-item=sre-review]")).to_have_class(DONE)
    expect(sam.locator("[data-item=sre-review]")).to_contain_text("@sam")
    expect(sam.locator("#messages .reply").last).to_contain_text("approved by @sam")

    sid = no_js_page(new_context, "sid")
    sid.goto(url)
    post(sid, "Security review is completed")
    expect(sid.locator("[data-item=security-review]")).to_have_class(DONE)

    # The DRI answers a section, does their items and closes the review.
    dana = no_js_page(new_context, "dana")
    dana.goto(url)
    dana.get_by_label("Answer: Summary").fill("Card tokens move to the **vault**.")
    dana.locator("#section-summary").get_by_role("button", name="Save answer").click()
    expect(dana.locator("#section-summary .answer strong")).to_have_text("vault")
    for key in ("dashboards", "load-test"):
        dana.locator(f"[data-item={key}]").get_by_role("button", name="Mark done").click()
        expect(dana).to_have_url(re.compile(rf"#item-{key}$"))
        expect(dana.locator(f"[data-item={key}]")).to_have_class(DONE)
    expect(dana.locator("#review-header")).to_contain_text("Ready to close")
    dana.get_by_role("button", name="Close review").click()
    dana.get_by_role("button", name="Confirm close").click()
    expect(dana.locator("#review-header .status")).to_have_text("closed")
    dana.get_by_role("link", name="Snapshot v1").click()
    expect(dana.locator("main")).to_contain_text(review.title)

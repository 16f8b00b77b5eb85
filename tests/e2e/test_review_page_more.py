"""The review page by keyboard and on a phone: approving without a mouse, editing an answer
with its preview, someone else's change highlighted, and the snapshot on a small screen,
printed and in the dark."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from prr.accounts.models import User
from prr.reviews.answers import answer_section
from prr.reviews.channel import post_message
from prr.reviews.lifecycle import close_review
from prr.reviews.models import Review, ReviewItem
from tests.e2e.conftest import NewContext, console_errors, sign_in

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
FOCUSED_NAME = "document.activeElement && document.activeElement.textContent.trim()"


def tab_to(page: Page, name: str, limit: int = 80) -> None:
    """Press Tab until the focused element is the one named `name`, as a keyboard user does."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(FOCUSED_NAME) == name:
            return
    raise AssertionError(f"Tab never reached {name!r}")


def test_a_reviewer_approves_with_the_keyboard_alone(
    new_context: NewContext, people: dict[str, User], review: Review
) -> None:
    errors: list[str] = []
    page = new_context().new_page()
    console_errors(page, errors)
    sign_in(page, "sam")
    page.goto(f"/reviews/{review.number}/")

    tab_to(page, "Approve as SRE")
    page.keyboard.press("Enter")

    row = page.locator("#approval-sre-review")
    expect(row).to_contain_text("Approved by @sam")
    expect(row).to_be_focused()
    expect(page.locator("#action-note")).to_have_text("Message posted. 'SRE review' is now done.")
    assert review.items.get(key="sre-review").state == ReviewItem.State.DONE
    assert errors == []


def test_the_dri_edits_an_answer_with_a_preview(
    new_context: NewContext, people: dict[str, User], review: Review
) -> None:
    answer_section(review, "summary", "Card tokens move to the vault.", by=people["dana"])
    errors: list[str] = []
    page = new_context().new_page()
    console_errors(page, errors)
    sign_in(page, "dana")
    page.goto(f"/reviews/{review.number}/")

    summary = page.locator("#section-summary")
    box = page.get_by_label("Answer: Summary")
    expect(summary.locator(".answer")).to_have_text("Card tokens move to the vault.")
    expect(box).to_be_hidden()  # closed until "Edit" is chosen
    summary.get_by_text("Edit answer").click()
    expect(box).to_be_visible()
    expect(box).to_have_value("Card tokens move to the vault.")

    box.fill("Tokens move to **the vault**; design at https://wiki.example.com/vault")
    summary.get_by_role("button", name="Preview").click()
    preview = summary.locator(".answer-preview")
    expect(preview.locator("strong")).to_have_text("the vault")
    link = preview.get_by_role("link", name="https://wiki.example.com/vault")
    expect(link).to_have_attribute("rel", "nofollow noopener noreferrer")
    expect(summary.locator(".answer")).to_have_text("Card tokens move to the vault.")  # not saved
    expect(box).to_have_value(
        "Tokens move to **the vault**; design at https://wiki.example.com/vault"
    )

    summary.get_by_role("button", name="Save answer").click()
    expect(summary.locator(".answer strong")).to_have_text("the vault")
    expect(summary).to_be_focused()
    expect(page.locator("#action-note")).to_have_text("Answer saved.")
    expect(page.get_by_label("Answer: Summary")).to_be_hidden()  # closed again
    answer = review.answers.get(section_key="summary")
    assert answer.body.startswith("Tokens move to **the vault**")
    assert errors == []


def test_someone_elses_change_is_highlighted_briefly(
    new_context: NewContext, people: dict[str, User], review: Review
) -> None:
    post_message(review, author=people["dana"], body="Kick-off")
    page = new_context(reduced_motion="reduce").new_page()
    sign_in(page, "dana")
    page.goto(f"/reviews/{review.number}/")

    post_message(review, author=people["sam"], body="SRE review is completed")
    item = page.locator("#item-sre-review")
    expect(item).to_have_attribute("data-live", "changed", timeout=10_000)
    expect(item).to_have_class("item state-done")
    animation = item.evaluate(
        "e => [getComputedStyle(e).animationName, getComputedStyle(e).animationTimingFunction]"
    )
    assert animation[0] == "prr-live-changed"
    assert animation[1] in ("steps(1)", "step-end", "steps(1, end)")  # no gradual motion


def test_the_snapshot_fits_a_phone_prints_as_a_document_and_has_dark_colours(
    new_context: NewContext, people: dict[str, User], review: Review, admin: User
) -> None:
    answer_section(
        review,
        "summary",
        "Tokens move to the vault: https://wiki.example.com/a/very/long/path/that/would/not"
        "/fit/on/a/phone/without/breaking/somewhere/in/the/middle/of/it",
        by=people["dana"],
    )
    close_review(review, by=admin, force=True, reason="Approved in the launch meeting")

    page = new_context(viewport=PHONE, is_mobile=True).new_page()
    sign_in(page, "sam")
    page.goto(f"/reviews/{review.number}/snapshots/1/")
    expect(page.locator("code.sha256")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    hash_box = page.locator("code.sha256").bounding_box()
    assert hash_box is not None
    assert hash_box["x"] + hash_box["width"] <= PHONE["width"]
    expect(page.locator("article.snapshot time").first).to_be_visible()

    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.get_by_role("link", name="Download Markdown")).to_be_hidden()
    expect(page.locator("article.snapshot")).to_be_visible()

    page.emulate_media(media="screen", color_scheme="dark")
    background = page.evaluate("getComputedStyle(document.documentElement).backgroundColor")
    assert background == "rgb(21, 24, 30)", background

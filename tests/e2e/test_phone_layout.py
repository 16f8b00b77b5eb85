"""On a phone (390 by 844): nothing is wider than the screen, the dashboard's cells say what they
are, the navigation folds behind "Menu"; and times are shown in the browser's time zone."""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect

from prr.accounts.models import User
from prr.playbooks.models import PlaybookVersion
from prr.reviews.answers import answer_section
from prr.reviews.lifecycle import cancel_review
from prr.reviews.models import Review
from prr.reviews.starting import start_review
from tests.e2e.conftest import NewContext, console_errors, csp_violations, sign_in

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
LONG_WORD = "https://runbooks.example.com/payments/tokenisation/vault-migration-" + "x" * 80


def overflow(page: Page) -> int:
    """How many pixels the page is wider than its viewport (0: it fits)."""
    return int(
        page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    )


def phone_of(new_context: NewContext, username: str, **options: object) -> Page:
    page = new_context(viewport=PHONE, is_mobile=True, has_touch=True, **options).new_page()
    sign_in(page, username)
    return page


@pytest.fixture
def reviews(
    review: Review, small_playbook: PlaybookVersion, dri: User, admin: User
) -> list[Review]:
    """The open review with a long answer, and a cancelled one with a long title."""
    answer_section(review, "summary", f"The runbook: {LONG_WORD}", by=dri)
    cancelled = start_review(
        version=small_playbook,
        title="Billing exports to the data lake, with an unusually long-winded title that "
        "goes on about the nightly reconciliation batch for quite a while",
        dri=dri,
    )
    cancel_review(cancelled, by=admin, reason="Superseded by the lakehouse project")
    return [review, cancelled]


def test_the_dashboard_fits_a_phone_and_labels_its_cells(
    new_context: NewContext, people: dict[str, User], reviews: list[Review]
) -> None:
    errors: list[str] = []
    page = phone_of(new_context, "dana")
    console_errors(page, errors)
    page.goto("/?status=all")
    expect(page.locator("tr[data-review]")).to_have_count(2)

    assert overflow(page) == 0
    row = page.locator(f'tr[data-review="{reviews[0].number}"]')
    labels = row.locator("td").evaluate_all(
        "cells => cells.map(c => getComputedStyle(c, '::before').content)"
    )
    assert labels == [
        '"Title: "',
        '"Kind: "',
        '"DRI: "',
        '"Age: "',
        '"Progress: "',
        '"Waiting on: "',
        '"Due: "',
    ]
    expect(row.locator("td").first).to_be_visible()
    cancelled = page.locator(f'tr[data-review="{reviews[1].number}"]')
    expect(cancelled.locator('td[data-label="Waiting on"]')).to_have_text("— (cancelled)")
    assert csp_violations(errors) == []


def test_the_review_page_fits_a_phone(
    new_context: NewContext, people: dict[str, User], reviews: list[Review]
) -> None:
    page = phone_of(new_context, "dana")
    page.goto(f"/reviews/{reviews[0].number}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Payments API")
    assert overflow(page) == 0


def test_the_menu_folds_on_a_phone_and_opens(
    new_context: NewContext, people: dict[str, User], review: Review
) -> None:
    page = phone_of(new_context, "sam")
    nav = page.get_by_role("navigation", name="Main")
    teams = nav.get_by_role("link", name="Teams")
    expect(teams).to_be_hidden()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()

    page.locator(".site-menu > summary").click()
    expect(teams).to_be_visible()
    assert overflow(page) == 0
    menu = nav.bounding_box()
    assert menu is not None
    assert menu["x"] >= 0
    assert menu["x"] + menu["width"] <= PHONE["width"]

    teams.click()
    expect(page).to_have_url(re.compile(r"/teams/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Teams")


def test_on_a_desktop_the_links_show_without_a_menu(
    new_context: NewContext, people: dict[str, User], review: Review
) -> None:
    page = new_context().new_page()
    sign_in(page, "dana")
    expect(
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Teams")
    ).to_be_visible()
    expect(page.locator(".site-menu > summary")).to_be_hidden()


def test_times_are_shown_in_the_browsers_time_zone(
    new_context: NewContext, people: dict[str, User], review: Review
) -> None:
    page = phone_of(new_context, "dana", timezone_id="Asia/Tokyo")
    page.goto("/")

    expect(page.locator("#time-zone-note")).to_contain_text("Times in Asia/Tokyo (your browser's)")
    started = review.created_at.astimezone(ZoneInfo("Asia/Tokyo"))
    age = page.locator(f'tr[data-review="{review.number}"] time')
    expect(age).to_have_attribute("title", started.strftime("%Y-%m-%d %H:%M"))
    expect(age).to_have_attribute("datetime", started.isoformat())

    page.goto("/account/")
    expect(page.get_by_label("Show times in")).to_have_value("")
    expect(page.get_by_label("Show times in").locator("option").first).to_have_text(
        "Browser's (detected: Asia/Tokyo)"
    )

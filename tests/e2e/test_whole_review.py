"""One whole review, as its people see it: start, answer, approve by phrase, close, snapshot.

Three browser contexts run side by side: the DRI keeps the review open while the others act,
and sees their changes arrive by htmx polling, without a reload.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Locator, Page, expect

from prr.accounts.models import User
from prr.playbooks.models import PlaybookVersion
from tests.e2e.conftest import NewContext, console_errors, csp_violations, sign_in

pytestmark = pytest.mark.e2e

TITLE = "Checkout service: launch the new card vault in every region"
SUMMARY = (
    "We launch **checkout-vault** for the checkout team. "
    "See the [launch runbook](https://wiki.example.com/checkout-vault/runbook)."
)
LIVE_MS = 10_000  # the page polls every 3 s


def item(page: Page, key: str) -> Locator:
    return page.locator(f"[data-item={key}]")


def post(page: Page, body: str) -> None:
    page.get_by_label("Message", exact=True).fill(body)
    page.get_by_role("button", name="Post message").click()


def test_a_whole_review_across_three_people(
    new_context: NewContext, people: dict[str, User], small_playbook: PlaybookVersion
) -> None:
    errors: list[str] = []
    dana = new_context().new_page()
    console_errors(dana, errors)
    sign_in(dana, "dana")

    # The DRI starts a review through the form.
    dana.get_by_role("navigation", name="Main").get_by_role("link", name="Start a review").click()
    expect(dana.get_by_role("heading", name="Start a review")).to_be_visible()
    dana.get_by_label("Playbook").select_option(label="Small readiness review (small v1)")
    dana.get_by_label("Kind").select_option("service")
    dana.get_by_label("Title").fill(TITLE)
    expect(dana.get_by_label("DRI")).to_have_value("dana")
    dana.get_by_role("button", name="Start review").click()
    expect(dana).to_have_url(re.compile(r"/reviews/\d+/$"))
    expect(dana.get_by_role("heading", level=1)).to_have_text(TITLE)
    review_url = dana.url

    # ... and answers the Summary in Markdown; the rendered answer replaces "Not answered yet".
    summary = dana.locator("#section-summary")
    expect(summary).to_contain_text("Not answered yet")
    dana.get_by_label("Answer: Summary").fill(SUMMARY)
    summary.get_by_role("button", name="Save answer").click()
    link = summary.locator(".answer").get_by_role("link", name="launch runbook")
    expect(link).to_have_attribute("href", "https://wiki.example.com/checkout-vault/runbook")
    expect(summary.locator(".answer strong")).to_have_text("checkout-vault")
    expect(summary).not_to_contain_text("Not answered yet")

    # From here on, the DRI's page must update by itself.
    dana.evaluate("window.__marker = 1")
    expect(item(dana, "sre-review")).to_have_class(re.compile(r"\bstate-open\b"))

    # A member of SRE approves by phrase in the channel.
    sam = new_context().new_page()
    console_errors(sam, errors)
    sign_in(sam, "sam")
    sam.goto(review_url)
    post(sam, "Alerts and runbooks look good. SRE review is completed")
    expect(item(sam, "sre-review")).to_have_class(re.compile(r"\bstate-done\b"))
    expect(sam.locator("#messages .reply").last).to_contain_text("approved by @sam")

    expect(item(dana, "sre-review")).to_have_class(re.compile(r"\bstate-done\b"), timeout=LIVE_MS)
    expect(item(dana, "sre-review")).to_contain_text("@sam")
    expect(dana.locator("#messages")).to_contain_text("SRE review is completed")
    assert dana.evaluate("window.__marker") == 1, "the DRI's page was reloaded"

    # An outsider types the same phrase: nothing changes, and prr says why.
    oscar = new_context().new_page()
    console_errors(oscar, errors)
    sign_in(oscar, "oscar")
    oscar.goto(review_url)
    post(oscar, "SRE review is completed")
    reply = oscar.locator("#messages .reply").last
    expect(reply).to_contain_text("not a member")
    expect(reply).to_contain_text("@oscar")
    expect(item(oscar, "sre-review")).to_contain_text("@sam")
    expect(item(oscar, "security-review")).to_have_class(re.compile(r"\bstate-open\b"))
    expect(dana.locator("#messages .reply").last).to_contain_text("not a member", timeout=LIVE_MS)
    expect(item(dana, "sre-review")).to_contain_text("@sam")
    expect(item(dana, "security-review")).to_have_class(re.compile(r"\bstate-open\b"))
    assert dana.evaluate("window.__marker") == 1, "the DRI's page was reloaded"

    # The DRI does their own required items.
    for key in ("dashboards", "load-test"):
        item(dana, key).get_by_role("button", name="Mark done").click()
        expect(item(dana, key)).to_have_class(re.compile(r"\bstate-done\b"))

    # Security approves.
    sid = new_context().new_page()
    console_errors(sid, errors)
    sign_in(sid, "sid")
    sid.goto(review_url)
    post(sid, "Threat model reviewed. Security review is completed")
    expect(item(sid, "security-review")).to_have_class(re.compile(r"\bstate-done\b"))
    expect(item(dana, "security-review")).to_have_class(
        re.compile(r"\bstate-done\b"), timeout=LIVE_MS
    )
    expect(dana.locator("#review-header")).to_contain_text("Ready to close")
    assert dana.evaluate("window.__marker") == 1, "the DRI's page was reloaded"

    # The DRI closes the review and opens its snapshot.
    dana.get_by_role("button", name="Close review").click()
    dana.get_by_role("button", name="Confirm close").click()
    expect(dana).to_have_url(review_url)
    expect(dana.locator("#review-header .status")).to_have_text("closed")
    dana.get_by_role("link", name="Snapshot v1").click()
    expect(dana).to_have_url(re.compile(r"/snapshots/1/$"))
    expect(dana.locator("main")).to_contain_text(TITLE)
    expect(dana.locator("main")).to_contain_text("launch runbook")

    assert not csp_violations(errors), errors


def test_the_csp_check_sees_a_violation(new_context: NewContext) -> None:
    """The check above is not vacuous: an inline script is refused and the refusal is seen."""
    page = new_context().new_page()
    errors = console_errors(page)
    page.goto("/login/")
    page.evaluate(
        """() => {
            const script = document.createElement("script");
            script.textContent = "window.__inline = 1";
            document.head.appendChild(script);
        }"""
    )
    for _ in range(20):  # the console event arrives asynchronously
        if csp_violations(errors):
            break
        page.wait_for_timeout(100)
    assert page.evaluate("window.__inline") is None
    assert csp_violations(errors), errors

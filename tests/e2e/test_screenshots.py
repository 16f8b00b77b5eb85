"""Screenshots of the demo data: the dashboard and PRR-2, on a desktop and a phone.

Written to a scratch folder, so `make test` leaves the tree clean; `make screenshots` writes
them to docs/screenshots (PRR_SCREENSHOTS_DIR) for the README.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from prr.demo import create_demo_data
from prr.playbooks.models import PlaybookVersion
from tests.e2e.conftest import NewContext, sign_in

pytestmark = pytest.mark.e2e


def test_screenshots_of_the_demo(
    new_context: NewContext, default_playbook: PlaybookVersion, tmp_path: Path
) -> None:
    shots = Path(os.environ.get("PRR_SCREENSHOTS_DIR") or tmp_path)
    demo = create_demo_data()
    password = {person.username: person.password for person in demo.people}["dana"]
    match = re.match(r"(PRR-\d+) \(open", demo.reviews[1])
    assert match, demo.reviews
    in_progress = match.group(1)
    shots.mkdir(parents=True, exist_ok=True)

    desktop = new_context(viewport={"width": 1280, "height": 900}).new_page()
    sign_in(desktop, "dana", password)
    desktop.goto("/?status=all")  # the closed review too, not only the open one
    expect(desktop.locator("main")).to_contain_text("Payments API: move card tokenisation")
    expect(desktop.locator("main")).to_contain_text("Search cluster: upgrade Elasticsearch")
    desktop.screenshot(path=str(shots / "dashboard.png"), full_page=False)

    desktop.goto(f"/reviews/{in_progress}/")
    expect(desktop.get_by_role("heading", level=1)).to_contain_text("Payments API")
    expect(desktop.locator("[data-item=sre-review]")).to_have_class(re.compile(r"\bstate-done\b"))
    expect(desktop.locator("#messages .reply").first).to_be_visible()
    desktop.screenshot(path=str(shots / "review.png"), full_page=False)

    phone = new_context(viewport={"width": 390, "height": 844}, is_mobile=True).new_page()
    sign_in(phone, "dana", password)
    phone.goto(f"/reviews/{in_progress}/")
    expect(phone.get_by_role("heading", level=1)).to_contain_text("Payments API")
    phone.screenshot(path=str(shots / "review-phone.png"), full_page=False)

    # Nothing on the phone is wider than the screen.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390

    for name in ("dashboard.png", "review.png", "review-phone.png"):
        assert (shots / name).stat().st_size > 10_000, name

"""Browser tests of the web UI: Debian's chromium driven by Playwright against `live_server`.

Every test here is marked `e2e`. Chromium is never downloaded: it is launched from
PRR_CHROMIUM (default /usr/bin/chromium). Without it the folder is skipped locally, but in CI
(the `CI` variable is set) the tests fail loudly instead.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

# Playwright's sync API runs an event loop in the test's thread; without this Django would
# refuse every ORM call made by fixtures and tests ("You cannot call this from an async context").
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    Playwright,
    expect,
    sync_playwright,
)
from pytest_django.live_server_helper import LiveServer

from prr.accounts.models import User

HERE = Path(__file__).parent
CHROMIUM = os.environ.get("PRR_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
TIMEOUT_MS = 10_000
PASSWORD = "e2e-Correct-Horse-7"

NewContext = Callable[..., BrowserContext]


def chromium_available() -> bool:
    return os.access(CHROMIUM, os.X_OK) or shutil.which(CHROMIUM) is not None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    skip = None
    if not chromium_available() and not os.environ.get("CI"):
        skip = pytest.mark.skip(
            reason=f"chromium not found at {CHROMIUM} (set PRR_CHROMIUM); e2e tests skipped "
            "outside CI"
        )
    for item in items:
        if HERE in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.e2e)
            if skip is not None:
                item.add_marker(skip)


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    if not chromium_available():
        pytest.fail(f"chromium not found at {CHROMIUM}; install it or set PRR_CHROMIUM")
    browser = playwright.chromium.launch(
        executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
    )
    expect.set_options(timeout=TIMEOUT_MS)
    yield browser
    browser.close()


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Any) -> None:
    """Signing in is what is tested, not PBKDF2's cost: keeps the folder well under a minute."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def new_context(browser: Browser, live_server: LiveServer) -> Iterator[NewContext]:
    """A factory of fresh browser contexts (one per persona), all closed after the test."""
    contexts: list[BrowserContext] = []

    def make(**options: object) -> BrowserContext:
        options.setdefault("base_url", live_server.url)
        options.setdefault("viewport", {"width": 1280, "height": 900})
        context = browser.new_context(**options)  # type: ignore[arg-type]
        context.set_default_timeout(TIMEOUT_MS)
        context.set_default_navigation_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


def sign_in(page: Page, username: str, password: str = PASSWORD) -> None:
    """Sign in through the login form; ends on the dashboard."""
    page.goto("/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page).not_to_have_url(re.compile(r"/login/"))
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def with_password(user: User, password: str = PASSWORD) -> User:
    user.set_password(password)
    user.save()
    return user


def console_errors(page: Page, errors: list[str] | None = None) -> list[str]:
    """Collects the page's console errors (and uncaught exceptions) into `errors` (returned)."""
    errors = [] if errors is None else errors

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            errors.append(message.text)

    page.on("console", on_console)
    page.on("pageerror", lambda error: errors.append(f"uncaught: {error}"))
    return errors


def csp_violations(errors: list[str]) -> list[str]:
    return [e for e in errors if "Content Security Policy" in e or "Refused to" in e]


@pytest.fixture
def people(dri: User, sre_member: User, security_member: User, outsider: User) -> dict[str, User]:
    """The personas of tests/conftest.py, with a password each (PASSWORD)."""
    return {
        user.username: with_password(user) for user in (dri, sre_member, security_member, outsider)
    }

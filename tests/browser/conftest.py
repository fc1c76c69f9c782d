"""Browser tests: Playwright's Python package drives Debian's Chromium against Django's live
server (see docs/testing.md).

- The browser is the system's `/usr/bin/chromium` (`apt-get install chromium`). A browser is never
  downloaded: do not run `playwright install`. Without Chromium these tests fail and say why.
- `live_server` (pytest-django) runs the site in a thread of this process, so the test reads
  the same `django.core.mail.outbox` as the site writes to.
- Playwright's sync API runs an event loop in this thread; Django's ORM refuses to run
  where a loop is running unless DJANGO_ALLOW_ASYNC_UNSAFE is set. It is set only while a
  browser test runs (and Playwright's loop exists), so that the other tests keep Django's
  check. The test thread only reads the mail outbox and test data; the site's requests run
  in the server thread.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-quic",
    "--disable-sync",
]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
TIMEOUT_MS = 15_000


@pytest.fixture
def browser(monkeypatch) -> Iterator:
    """Chromium, started for each test (about a second), so that Playwright's event loop and
    DJANGO_ALLOW_ASYNC_UNSAFE last only as long as the test."""
    if not (CHROMIUM.exists() and os.access(CHROMIUM, os.X_OK)):
        pytest.fail(
            f"Browser tests need Debian's Chromium at {CHROMIUM}: run `apt-get install chromium` "
            "(`make test` does it when run as root). Never `playwright install`.",
            pytrace=False,
        )
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()
            # A test body that used the ORM while Playwright's loop ran leaves this thread's
            # connection open; close it so that PostgreSQL can drop the test database at the end.
            from django.db import connections

            connections.close_all()


@pytest.fixture
def context(browser) -> Iterator:
    """A fresh browser profile (cookies, storage) per test, in English, at desktop width."""
    ctx = browser.new_context(locale="en-US", viewport=DESKTOP)
    ctx.set_default_timeout(TIMEOUT_MS)
    try:
        yield ctx
    finally:
        ctx.close()


@pytest.fixture
def page(context, live_server, transactional_db):
    """A page of the live site: `page.goto(url("/events/"))`."""
    return context.new_page()


@pytest.fixture
def url(live_server):
    """Absolute URL on the live server for a path."""

    def build(path: str) -> str:
        return live_server.url + path

    return build

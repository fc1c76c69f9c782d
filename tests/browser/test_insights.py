"""The organizer of the demo's past MLCT #4 opens its insights on a phone (390×844): every
chart is drawn as SVG with as many bars and points as its table has numbers; then the group's
insights. Screenshots: /tmp/i15-event-insights.png, /tmp/i15-group-insights.png (not kept)."""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import expect

from kaisai.accounts.models import User
from kaisai.events.models import Event
from kaisai.site.demo import generate
from tests.browser.conftest import PHONE
from tests.browser.test_messages_unsubscribe import session_cookie

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(tempfile.gettempdir())


def _table(section) -> list[list[str]]:
    return section.locator("table.insights-table tbody tr").evaluate_all(
        "rows => rows.map(r => Array.from(r.cells).map(c => c.textContent.trim()))"
    )


def _check_section(page, key: str, columns: int | None = None) -> list[list[str]]:
    """The chart's bars and points against its table: one bar per number of a bar chart, one
    point per (non-empty) number of a line chart."""
    section = page.locator(f"#insights-{key}")
    expect(section.locator("svg").first).to_be_visible()
    rows = _table(section)
    assert rows, key
    bars = section.locator("svg rect.chart-bar").count()
    points = section.locator("svg circle.chart-point").count()
    if key == "applications":
        numbers = sum(1 for row in rows for cell in row[1:] if cell)
        assert points == numbers and bars == 0, (key, points, numbers)
    elif key == "funnel":
        assert bars == 3 * len(rows), (key, bars, rows)
    elif key == "attendance":
        assert bars == 2 * len(rows), (key, bars)
        assert points == sum(1 for row in rows if row[5]), (key, points)
    elif key == "returning":
        assert bars == 2 * len(rows), (key, bars)
    elif key == "cancellations":
        assert bars == len(rows), (key, bars)
    return rows


def test_organizer_opens_insights_of_a_past_event(browser, live_server, transactional_db, url):
    generate.load_demo(password="pw-for-tests", today=date.today())
    past = Event.objects.get(group__slug="mlct", number=4)
    context = browser.new_context(locale="en-US", viewport=PHONE, is_mobile=True)
    User.objects.filter(nickname="demo").update(preferred_language="en")
    context.add_cookies([session_cookie(live_server, User.objects.get(nickname="demo"))])
    page = context.new_page()
    try:
        page.goto(url(f"/events/{past.pk}/manage/registrations/"))
        page.get_by_role("link", name="Insights", exact=True).click()
        expect(page.get_by_role("heading", name="Insights", exact=True)).to_be_visible()
        for key in ("applications", "funnel", "attendance", "returning", "cancellations"):
            _check_section(page, key)
        attendance = _table(page.locator("#insights-attendance"))
        assert [row[0] for row in attendance] == ["#1", "#2", "#3", "#4"]
        assert int(attendance[-1][3]) > 0  # people came to #4
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], width
        page.screenshot(path=str(SCREENSHOTS / "i15-event-insights.png"), full_page=True)
        with page.expect_download() as download:
            page.locator("#insights-funnel").get_by_role("link", name="Download CSV").click()
        assert download.value.suggested_filename.endswith("-funnel.csv")

        page.get_by_role("link", name="Insights of the whole series").click()
        for key in ("funnel", "attendance", "returning", "cancellations"):
            _check_section(page, key)
        page.screenshot(path=str(SCREENSHOTS / "i15-group-insights.png"), full_page=True)
    finally:
        context.close()

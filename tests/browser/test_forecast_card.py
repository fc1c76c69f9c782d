"""The organizer's forecast card and the group's forecast history on a phone (390×844), with
the demo's MLCT series: its history makes the forecast of #5 meaningful. Screenshots:
/tmp/forecast-card-phone.png and /tmp/forecast-history-phone.png (to look at; not kept)."""

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

SCREENSHOTS = Path(tempfile.gettempdir())  # /tmp/forecast-*-phone.png, to look at; not kept


def test_forecast_card_and_history_on_a_phone(browser, live_server, transactional_db, url):
    generate.load_demo(password="pw-for-tests", today=date.today())
    upcoming = Event.objects.get(group__slug="mlct", number=5)
    context = browser.new_context(locale="en-US", viewport=PHONE, is_mobile=True)
    User.objects.filter(nickname="demo").update(preferred_language="en")
    context.add_cookies([session_cookie(live_server, User.objects.get(nickname="demo"))])
    page = context.new_page()
    try:
        page.goto(url(f"/events/{upcoming.pk}/manage/registrations/"))
        compact = page.locator(".forecast-compact")
        expect(compact).to_contain_text("the draw should accept")
        compact.get_by_role("link", name="The forecast card").click()

        expect(page.get_by_role("heading", name="Forecast", exact=True)).to_be_visible()
        cards = page.locator(".forecast-card")
        expect(cards).to_have_count(3)
        general = cards.first
        expect(general).to_contain_text("100 seats")
        expect(general).to_contain_text("lottery not drawn yet: 214 applicants")
        expect(general.locator(".forecast-next")).to_contain_text("The draw should accept")
        expect(general.locator(".forecast-explanation")).to_contain_text("past events")
        lt = cards.nth(1)
        expect(lt.locator(".forecast-expected")).to_be_visible()
        # nothing sticks out of the phone's width
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], width
        page.screenshot(path=str(SCREENSHOTS / "forecast-card-phone.png"), full_page=True)

        page.get_by_role("link", name="Forecast against actual at past events").click()
        chart = page.locator("svg.forecast-chart")
        expect(chart).to_be_visible()
        expect(chart.locator("circle")).to_have_count(4)  # #1–#4 held
        expect(page.locator(".forecast-history-table tbody tr")).to_have_count(4)
        box = chart.bounding_box()
        assert box is not None and box["width"] <= PHONE["width"]
        page.screenshot(path=str(SCREENSHOTS / "forecast-history-phone.png"), full_page=True)
    finally:
        context.close()

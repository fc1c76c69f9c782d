"""On a phone (390×844): a participant finds themselves hidden in the participants list (the
default), chooses to appear, and sees their name in the list and on the event page; the share
links are plain links with the event's address."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from django.db import connections
from playwright.sync_api import expect

from kaisai.registrations import services
from tests.browser.conftest import PHONE
from tests.browser.test_reception import session_cookie
from tests.factories import EventFactory, GroupFactory, UserFactory

pytestmark = pytest.mark.browser
SCREENSHOTS = Path(tempfile.gettempdir())  # /tmp/p15-*.png, to look at; not kept


def test_a_participant_chooses_to_appear(browser, live_server, transactional_db, settings):
    try:
        choose_to_appear(browser, live_server, settings)
    finally:
        connections["default"].close()


def choose_to_appear(browser, live_server, settings) -> None:
    settings.BASE_URL = live_server.url
    organizer = UserFactory(nickname="founder")
    group = GroupFactory(slug="mlct", title="Machine Learning Casual Talks", owner=organizer)
    event = EventFactory(group=group, title="MLCT #6")
    frame = services.create_frame(event=event, by=organizer, capacity=1, name="General")
    me = UserFactory(nickname="akiko", display_name="Akiko")
    services.register(frame=frame, user=UserFactory(nickname="openperson", show_in_lists=True))
    services.register(frame=frame, user=me)  # full: on the waitlist

    context = browser.new_context(locale="en-US", viewport=PHONE)
    context.add_cookies([session_cookie(live_server, me)])
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

    page.goto(f"{live_server.url}/events/{event.pk}/participants/")
    waitlist = page.locator(".participants-waitlist")
    expect(page.locator(".my-listing")).to_contain_text("You are hidden from this list.")
    expect(waitlist).to_contain_text("1 person (not shown)")
    expect(waitlist).not_to_contain_text("Akiko")
    expect(page.locator(".participants-accepted")).to_contain_text("Openperson")
    page.screenshot(path=str(SCREENSHOTS / "p15-participants-hidden.png"), full_page=True)

    page.get_by_label("Show my nickname and avatar").check()
    page.get_by_role("button", name="Save my choice").click()
    expect(page.locator(".messages, .message").first).to_contain_text(
        "You appear in the participants list."
    )
    expect(waitlist).to_contain_text("Akiko")
    expect(waitlist).not_to_contain_text("not shown")
    page.screenshot(path=str(SCREENSHOTS / "p15-participants-shown.png"), full_page=True)

    # Another visitor sees the same.
    stranger = browser.new_context(locale="en-US", viewport=PHONE).new_page()
    stranger.goto(f"{live_server.url}/events/{event.pk}/participants/")
    expect(stranger.locator(".participants-waitlist")).to_contain_text("Akiko")

    # The event page: the essentials first, then the participants and the share links.
    page.goto(f"{live_server.url}/events/{event.pk}/")
    essentials = page.locator(".event-essentials").bounding_box()
    participants = page.locator(".event-participants").bounding_box()
    assert essentials and participants and essentials["y"] < participants["y"]
    share = page.locator(".share-links a")
    expect(share).to_have_count(4)
    href = page.locator("a.share-line").get_attribute("href") or ""
    assert href.endswith(
        f"url={live_server.url.replace(':', '%3A').replace('/', '%2F')}%2Fevents%2F{event.pk}%2F"
    )
    expect(page.locator("a.share-x")).to_have_attribute("target", "_blank")
    page.locator(".event-share").scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / "p15-event-share.png"), full_page=False)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], width
    assert errors == [], errors

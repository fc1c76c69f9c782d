"""Issue 14, the first hour, in Chromium on a phone (390×844): the event page's first screen
shows the date, the place and the apply button; a visitor signs up from the apply button,
confirms through the mail's link, lands back on the registration, registers, and proposes a
lightning talk while registered. Screenshots: /tmp/first2-*.png."""

from __future__ import annotations

import re
import tempfile
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from kaisai.registrations import services
from kaisai.registrations.enums import Status
from kaisai.registrations.models import Registration
from kaisai.talks.models import Talk
from tests.browser.conftest import PHONE
from tests.factories import EventFactory, GroupFactory, SponsorFactory, UserFactory

pytestmark = pytest.mark.browser

PASSWORD = "Casual-talks-2026!"
SCREENSHOTS = Path(tempfile.gettempdir())  # /tmp/first2-*.png, to look at; not kept
LONG = "\n\n".join(
    f"## Part {n}\n\n" + "A long paragraph about the evening's programme. " * 12 for n in range(6)
)


@pytest.fixture
def event(transactional_db):
    organizer = UserFactory(nickname="organizer")
    group = GroupFactory(slug="mlct", title="Machine Learning Casual Talks", owner=organizer)
    event = EventFactory(
        group=group, title="MLCT #40", description=LONG,
        starts_at=timezone.now() + timedelta(days=10),
        afterparty_place="Izakaya next door",
    )  # fmt: skip
    event.ends_at = event.starts_at + timedelta(hours=3)
    event.save()
    services.create_frame(event=event, by=organizer, capacity=30, name="General",
                          description="Anyone is welcome.\n" * 4)  # fmt: skip
    services.create_frame(event=event, by=organizer, capacity=5, name="Students")
    services.create_frame(event=event, by=organizer, capacity=3, name="LT", requires_talk=True)
    for _ in range(4):
        SponsorFactory(event=event)
    return event


def phone_page(browser, live_server):
    context = browser.new_context(locale="en-US", viewport=PHONE)
    context.set_default_timeout(15_000)
    return context, context.new_page()


def submit(page, form_selector: str) -> None:
    with page.expect_navigation():
        page.locator(form_selector).locator("button[type=submit]").first.click()


def within_first_screen(page, locator) -> None:
    box = locator.first.bounding_box()
    assert box is not None, locator
    assert box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"], box


def test_first_hour_on_a_phone(browser, live_server, event, mailoutbox):
    context, page = phone_page(browser, live_server)
    url = live_server.url
    try:
        # The event page's first screen: date, place (with the map link) and the apply button.
        page.goto(f"{url}/events/{event.pk}/")
        page.screenshot(path=str(SCREENSHOTS / "first2-event-phone.png"))
        essentials = page.locator(".event-essentials")
        within_first_screen(page, essentials.locator("dt", has_text="When"))
        within_first_screen(page, essentials.locator("time").first)
        within_first_screen(page, essentials.get_by_text("Sponsor Inc. 10F"))
        within_first_screen(page, essentials.get_by_role("link", name="Map"))
        within_first_screen(page, essentials.get_by_role("link", name="Register"))
        within_first_screen(page, essentials.locator(".essential-seats"))
        page.screenshot(path=str(SCREENSHOTS / "first2-event-phone-full.png"), full_page=True)

        # Apply → log in page → sign up (the link keeps `next`).
        with page.expect_navigation():
            essentials.get_by_role("link", name="Register").click()
        assert "/accounts/login/" in page.url and "next=" in page.url
        with page.expect_navigation():
            page.locator("nav.main-nav").get_by_role("link", name="Sign up").click()
        assert "next=" in page.url
        page.fill("input[name=email]", "aki@example.com")
        page.fill("input[name=username]", "aki")
        page.fill("input[name=password1]", PASSWORD)
        page.fill("input[name=password2]", PASSWORD)
        submit(page, "form:has(input[name=password2])")

        # The mail's link, confirmed in the same browser: logged in, back on the registration.
        (message,) = mailoutbox
        link = re.search(r"https?://\S+/accounts/confirm-email/\S+", message.body).group(0)
        page.goto(link)
        submit(page, "main form[method=post]")
        assert page.url == f"{url}/events/{event.pk}/register/", page.url
        page.screenshot(path=str(SCREENSHOTS / "first2-register-phone.png"), full_page=True)

        # Register to the general frame.
        general = event.frames.get(name="General")
        page.check(f"input[name=frame][value='{general.pk}']")
        submit(page, "form.register-form")
        assert page.url == f"{url}/events/{event.pk}/registration/"
        registration = Registration.objects.get(user__nickname="aki")
        assert registration.status == Status.ACCEPTED

        # Propose an LT while registered: from the event page's button.
        page.goto(f"{url}/events/{event.pk}/")
        page.screenshot(path=str(SCREENSHOTS / "first2-event-registered-phone.png"))
        with page.expect_navigation():
            page.locator(".talks, .frames").get_by_role(
                "link", name="Propose a lightning talk"
            ).first.click()
        assert "/registration/propose-talk/" in page.url
        page.fill("input[name=talk-title]", "Five minutes of Rust")
        page.screenshot(path=str(SCREENSHOTS / "first2-propose-phone.png"), full_page=True)
        submit(page, "form.propose-talk-form")
        assert page.url == f"{url}/events/{event.pk}/registration/"
        registration.refresh_from_db()
        lt = event.frames.get(name="LT")
        assert (registration.frame_id, registration.status) == (lt.pk, Status.ACCEPTED)
        assert Talk.objects.get().title == "Five minutes of Rust"
        page.screenshot(path=str(SCREENSHOTS / "first2-mine-phone.png"), full_page=True)
    finally:
        context.close()


def test_the_essentials_are_the_sidebar_on_a_desktop(browser, live_server, event):
    context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/events/{event.pk}/")
        page.screenshot(path=str(SCREENSHOTS / "first2-event-desktop.png"))
        main = page.locator(".event-main").bounding_box()
        side = page.locator(".event-essentials").bounding_box()
        assert side["x"] > main["x"] + main["width"] - 1  # to the right of the main column
        assert side["y"] < 900
    finally:
        context.close()


def test_the_group_page_shows_the_next_event_on_the_first_phone_screen(browser, live_server, event):
    event.group.description = LONG
    event.group.save()
    context, page = phone_page(browser, live_server)
    try:
        page.goto(f"{live_server.url}/groups/{event.group.slug}/")
        page.screenshot(path=str(SCREENSHOTS / "first2-group-phone.png"))
        within_first_screen(page, page.get_by_role("link", name=event.title))
    finally:
        context.close()

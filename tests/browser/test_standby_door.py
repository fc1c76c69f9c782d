"""当日補欠 at the door, on a phone: after the standby time the reception page shows the free
seats and the standbys in waitlist order; one tap admits the first, who is then checked in."""

from __future__ import annotations

import tempfile
from datetime import timedelta
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from kaisai.checkin import services as checkin
from kaisai.checkin.models import CheckIn
from kaisai.events.models import Event
from kaisai.groups.enums import Role
from kaisai.registrations import services as registrations
from kaisai.registrations.enums import Status
from kaisai.registrations.models import Registration
from tests.browser.conftest import PHONE, TIMEOUT_MS
from tests.browser.test_reception import session_cookie
from tests.factories import EventFactory, GroupFactory, OrganizerFactory, UserFactory

pytestmark = pytest.mark.browser

# /tmp/standby-phone.png (after the tap) and -before.png, to look at; not kept
SCREENSHOT = str(Path(tempfile.gettempdir()) / "standby-phone.png")


@pytest.fixture
def door(transactional_db, live_server, monkeypatch):
    """MLCT #5: 2 seats, both accepted (one came), 2 standbys; started 15 minutes ago,
    standbys from 10 minutes after the start."""
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's loop in this thread
    organizer = UserFactory(nickname="organizer", display_name="Oda Organizer")
    group = GroupFactory(owner=organizer, title="Machine Learning Casual Talks")
    staff = OrganizerFactory(
        group=group, role=Role.RECEPTION, user=UserFactory(nickname="door", display_name="Door")
    ).user
    event = EventFactory(group=group, title="MLCT #5")
    frame = registrations.create_frame(
        event=event, by=organizer, capacity=2, name="General", standby_after_minutes=10
    )
    people = [
        registrations.register(
            frame=frame, user=UserFactory(nickname=f"guest{n}", display_name=f"Guest Number {n}")
        )
        for n in range(1, 5)
    ]
    for registration in people[2:]:
        registrations.opt_in_standby(registration=registration, by=registration.user)
    starts_at = timezone.now() - timedelta(minutes=15)
    Event.objects.filter(pk=event.pk).update(
        starts_at=starts_at, ends_at=starts_at + timedelta(hours=2)
    )
    event.refresh_from_db()
    checkin.check_in(event=event, registration=people[0], by=staff, method="search")
    return {"event": event, "staff": staff, "people": people}


def test_a_standby_is_admitted_at_the_door_with_one_tap(browser, live_server, door):
    context = browser.new_context(locale="en-US", viewport=PHONE, has_touch=True)
    context.set_default_timeout(TIMEOUT_MS)
    context.add_cookies([session_cookie(live_server, door["staff"])])
    page = context.new_page()
    path = reverse("checkin:reception", kwargs={"pk": door["event"].pk})
    assert page.goto(live_server.url + path).ok

    panel = page.locator("#standby")
    expect(panel.get_by_role("heading", name="Standbys at the door")).to_be_visible()
    expect(panel.locator("[data-free-seats]")).to_have_text("1")
    standbys = panel.locator(".standby-person")
    expect(standbys).to_have_count(2)
    expect(standbys.nth(0)).to_contain_text("Guest Number 3")  # waitlist order
    expect(standbys.nth(1)).to_contain_text("Guest Number 4")
    expect(page.locator("[data-counter]")).to_contain_text("1 / 2")
    page.screenshot(path=SCREENSHOT.replace(".png", "-before.png"), full_page=True)

    standbys.nth(0).get_by_role("button", name="Admit").tap()

    expect(page.locator(".messages")).to_contain_text(
        "Guest Number 3 is admitted and checked in (receipt number 3)."
    )
    expect(panel.locator("[data-free-seats]")).to_have_text("0")
    expect(panel.locator("[data-standby-message]")).to_contain_text("No seat is free")
    expect(panel.get_by_role("button", name="Admit")).to_have_count(0)
    expect(page.locator("[data-counter]")).to_contain_text("2 / 3")
    # The admitted standby is found by the reception's search, checked in.
    page.get_by_label("Name, nickname or receipt number").fill("number 3")
    page.get_by_label("Name, nickname or receipt number").press("Enter")
    card = page.locator("[data-results] .person-card")
    expect(card).to_have_count(1)
    expect(card.locator(".state")).to_contain_text("Checked in")
    expect(card.locator("[data-flags]")).to_contain_text("Standby")
    page.locator("#standby").scroll_into_view_if_needed()
    page.screenshot(path=SCREENSHOT, full_page=True)
    context.close()

    admitted = Registration.objects.get(pk=door["people"][2].pk)
    assert admitted.status == Status.ACCEPTED
    assert CheckIn.objects.get(registration=admitted).method == "standby"
    assert Registration.objects.get(pk=door["people"][3].pk).status == Status.WAITLISTED

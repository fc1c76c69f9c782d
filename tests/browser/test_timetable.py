"""Browser: an organizer puts an accepted LT and a break on the timetable; the event page shows
them in the event's time zone with the speaker's profile link, .ics and schedule exports."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from kaisai.talks.enums import TalkKind
from tests.browser.conftest import PHONE
from tests.factories import EventFactory, GroupFactory, UserFactory
from tests.talks.factories import TalkFactory

pytestmark = pytest.mark.browser

STARTS = datetime(2030, 5, 17, 10, 30, tzinfo=UTC)  # Friday 19:30 in Tokyo


def session_cookie(live_server, user) -> dict:
    client = Client()
    client.force_login(user)
    return {
        "name": settings.SESSION_COOKIE_NAME,
        "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
        "url": live_server.url,
    }


def test_organizer_builds_timetable_and_event_page_shows_it(page, context, live_server, url):
    organizer = UserFactory(nickname="organizer")
    group = GroupFactory(owner=organizer)
    event = EventFactory(
        group=group,
        number=5,
        starts_at=STARTS,
        ends_at=STARTS + timedelta(hours=2, minutes=30),
        time_zone="Asia/Tokyo",
    )
    speaker = UserFactory(nickname="hanako", display_name="Hanako")
    TalkFactory(event=event, title="Lottery math", kind=TalkKind.LT, duration=5, speaker=speaker)
    context.add_cookies([session_cookie(live_server, organizer)])

    page.goto(url(reverse("talks:timetable_edit", kwargs={"pk": event.pk})))
    assert page.locator(".unscheduled-talks").inner_text().startswith("Lottery math")
    form = page.locator("form.timetable-add")
    form.get_by_label("Kind").select_option("talk")
    form.get_by_label("Talk").select_option(label="Lottery math — Hanako (5 min)")
    form.get_by_label("Starts at").fill("2030-05-17T19:40")
    form.get_by_role("button", name="Add to the timetable").click()
    page.wait_for_selector("text=The entry has been added to the timetable.")
    form = page.locator("form.timetable-add")
    form.get_by_label("Kind").select_option("break")
    form.get_by_role("button", name="Add to the timetable").click()
    page.wait_for_selector("text=The entry has been added to the timetable.")
    rows = page.locator("table.timetable-editor tbody tr")
    assert rows.count() == 2
    assert "19:45" in rows.nth(1).inner_text()  # the break follows the 5-minute LT

    page.set_viewport_size(PHONE)
    page.goto(url(event.get_absolute_url()))
    timetable = page.locator("#timetable")
    text = timetable.inner_text()
    assert "Lottery math" in text and "19:40" in text and "Break" in text
    assert timetable.get_by_role("link", name="Hanako").get_attribute("href") == (
        reverse("accounts:profile", kwargs={"nickname": "hanako"})
    )
    assert timetable.get_by_role("link", name="schedule.json").is_visible()
    response = page.request.get(url(reverse("talks:frab_json", kwargs={"pk": event.pk})))
    data = response.json()
    (item,) = data["schedule"]["conference"]["days"][0]["rooms"]["Sponsor Inc. 10F"]
    assert (item["title"], item["start"]) == ("Lottery math", "19:40")

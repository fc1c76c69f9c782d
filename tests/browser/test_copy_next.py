"""Copy as next on a phone (390×844), with the demo's MLCT series: the organizer copies the
last past event (#4), sees the preview (frames with their moved dates, the questionnaire) and
creates the draft, which has the frames, the questionnaire and the series' weekday (Friday)
and local time. Screenshots: /tmp/c15-copy-preview.png, /tmp/c15-copy-draft.png (to look at;
not kept)."""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import expect

from kaisai.accounts.models import User
from kaisai.events.enums import EventStatus
from kaisai.events.models import Event
from kaisai.registrations.models import Frame, Question
from kaisai.site.demo import generate
from tests.browser.conftest import PHONE
from tests.browser.test_messages_unsubscribe import session_cookie

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(tempfile.gettempdir())


def test_copy_the_demos_past_event_as_next_on_a_phone(browser, live_server, transactional_db, url):
    generate.load_demo(password="pw-for-tests", today=date.today())
    past = Event.objects.get(group__slug="mlct", number=4)
    assert past.is_held
    User.objects.filter(nickname="demo").update(preferred_language="en")
    context = browser.new_context(locale="en-US", viewport=PHONE, is_mobile=True)
    context.add_cookies([session_cookie(live_server, User.objects.get(nickname="demo"))])
    page = context.new_page()
    try:
        page.goto(url(past.get_absolute_url()))
        page.get_by_role("button", name="Copy as next event").click()

        expect(page.get_by_role("heading", name="Copy as next event")).to_be_visible()
        expect(page.locator("[data-copy-frame]")).to_have_count(2)
        expect(page.locator("[data-copy-question]")).to_have_count(3)
        expect(page.locator("[data-copy-date]")).to_contain_text("(Fri) 19:")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], width
        page.screenshot(path=str(SCREENSHOTS / "c15-copy-preview.png"), full_page=True)

        page.get_by_role("button", name="Create the draft").click()
        expect(page.get_by_text("Draft #6 created from #4.")).to_be_visible()
        page.screenshot(path=str(SCREENSHOTS / "c15-copy-draft.png"), full_page=True)
    finally:
        context.close()

    new = Event.objects.get(group__slug="mlct", number=6)
    assert new.status == EventStatus.DRAFT
    assert page.url.endswith(new.get_absolute_url())
    assert Frame.objects.filter(event=new).count() == 2
    assert Question.objects.filter(event=new).count() == 3
    old_local, new_local = past.starts_at.astimezone(past.tz), new.starts_at.astimezone(new.tz)
    assert new_local.weekday() == old_local.weekday() == 4  # Friday
    assert (new_local.hour, new_local.minute) == (old_local.hour, old_local.minute)
    assert new.starts_at > past.starts_at

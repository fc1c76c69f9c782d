"""Browser, on a phone (390×844): after the event, the organizer drafts the recap with one
click, edits it, confirms how many members get it, publishes it and sees it on the event page."""

from __future__ import annotations

import tempfile
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from kaisai.core.models import OutboxMail
from kaisai.groups.models import Member
from tests.browser.conftest import PHONE
from tests.factories import EventFactory, GroupFactory, SponsorFactory, UserFactory
from tests.talks.factories import TalkFactory

pytestmark = pytest.mark.browser
SCREENSHOTS = Path(tempfile.gettempdir())  # /tmp/r15-*.png, to look at; not kept


def session_cookie(live_server, user) -> dict:
    client = Client()
    client.force_login(user)
    return {
        "name": settings.SESSION_COOKIE_NAME,
        "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
        "url": live_server.url,
    }


def test_organizer_drafts_edits_and_publishes_the_recap(page, context, live_server, url):
    organizer = UserFactory(nickname="organizer")
    group = GroupFactory(owner=organizer)
    start = timezone.now() - timedelta(days=1)
    event = EventFactory(group=group, number=5, title="ML Night", starts_at=start,
                         ends_at=start + timedelta(hours=2))  # fmt: skip
    speaker = UserFactory(nickname="hanako", display_name="Hanako")
    TalkFactory(event=event, title="Lottery math", speaker=speaker)
    SponsorFactory(event=event, name="Hoshizora AI")
    Member.objects.create(group=group, user=UserFactory(nickname="member"))
    context.add_cookies([session_cookie(live_server, organizer)])
    page.set_viewport_size(PHONE)

    page.goto(url(event.get_absolute_url()))
    page.locator("#recap").get_by_role("link", name="Write the recap").click()
    page.get_by_role("button", name="Draft the recap").click()
    page.wait_for_selector("text=The recap is drafted")
    body = page.get_by_label("Recap")
    draft = body.input_value()
    assert draft.startswith("Thank you for coming to #5 ML Night!")
    assert "Lottery math" in draft and "Hanako" in draft and "Hoshizora AI" in draft
    page.screenshot(path=str(SCREENSHOTS / "r15-draft.png"), full_page=True)
    page.get_by_role("link", name="Preview").click()
    assert page.locator("h1").inner_text() == "Recap: #5 ML Night"
    assert "draft" in page.locator(".notice.draft").inner_text()
    page.go_back()
    body = page.get_by_label("Recap")

    body.fill(draft + "\nPhotos are coming soon.\n")
    page.get_by_role("button", name="Save").click()
    page.wait_for_selector("text=Recap saved.")
    page.get_by_role("link", name="Publish…").click()
    assert "1 member of the group gets it by mail" in page.locator(".recap-recipients").inner_text()
    assert not OutboxMail.objects.filter(key__startswith="recap-").exists()
    page.screenshot(path=str(SCREENSHOTS / "r15-confirm.png"), full_page=True)
    page.get_by_role("button", name="Publish and mail 1 member").click()

    page.wait_for_selector("text=The recap is published")
    recap = page.locator("#recap .recap-body")
    assert recap.locator("h2").first.inner_text() == "Talks"
    assert "Photos are coming soon." in recap.inner_text()
    assert recap.get_by_role("link", name="Hoshizora AI").is_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"]
    page.locator("#recap").screenshot(path=str(SCREENSHOTS / "r15-event-page.png"))
    assert OutboxMail.objects.filter(key__startswith=f"recap-{event.pk}-").count() == 1

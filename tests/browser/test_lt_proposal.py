"""Browser: an attendee proposes a lightning talk from the event page (registering to the
speakers' frame), an organizer accepts it on the talks list, and the event page shows it with
the speaker's profile link."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from kaisai.registrations import services
from kaisai.registrations.enums import Method, Status
from kaisai.registrations.models import Registration
from kaisai.talks.enums import TalkState
from kaisai.talks.models import Talk
from tests.factories import EventFactory, GroupFactory, UserFactory

pytestmark = pytest.mark.browser


def log_in(context, live_server, user) -> None:
    client = Client()
    client.force_login(user)
    context.clear_cookies()
    context.add_cookies([{
        "name": settings.SESSION_COOKIE_NAME,
        "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
        "url": live_server.url,
    }])  # fmt: skip


def test_attendee_proposes_an_lt_and_organizer_accepts_it(page, context, live_server, url):
    organizer = UserFactory(nickname="founder")
    group = GroupFactory(owner=organizer, title="Machine Learning Casual Talks")
    event = EventFactory(group=group, title="MLCT #5")
    services.create_frame(event=event, by=organizer, capacity=100, name="General")
    lt = services.create_frame(
        event=event, by=organizer, capacity=2, name="LT", method=Method.APPROVAL,
        requires_talk=True,
    )  # fmt: skip
    attendee = UserFactory(nickname="lt-speaker", display_name="Hana")

    # The attendee: event page → "Propose a lightning talk" → the talk's fields → register.
    log_in(context, live_server, attendee)
    page.goto(url(event.get_absolute_url()))
    page.get_by_role("link", name="Propose a lightning talk").click()
    expect(page.get_by_role("heading", name="Register")).to_be_visible()
    expect(page.locator(f"#frame-choice-{lt.pk}")).to_be_checked()
    page.get_by_label("Title").fill("Vector search on a laptop")
    page.get_by_label("Abstract").fill("What **faiss** can do in 5 minutes.")
    expect(page.get_by_label("Duration (minutes)")).to_have_value("5")
    page.get_by_role("button", name="Confirm registration").click()
    expect(page.get_by_text("The organizers review applications")).to_be_visible()
    talk = Talk.objects.get()
    assert (talk.state, talk.kind, talk.registration.frame_id) == (TalkState.PROPOSED, "lt", lt.pk)

    # The organizer: the talks list shows the proposal; accept it.
    log_in(context, live_server, organizer)
    page.goto(url(f"/events/{event.pk}/manage/talks/"))
    row = page.locator(f"#talk-{talk.pk}")
    expect(row).to_contain_text("Vector search on a laptop")
    expect(row).to_contain_text("Proposed")
    row.get_by_role("button", name="Accept").click()
    expect(page.get_by_text("“Vector search on a laptop” is accepted.")).to_be_visible()
    assert Talk.objects.get().state == TalkState.ACCEPTED
    assert Registration.objects.get(user=attendee).status == Status.ACCEPTED

    # Everyone: the event page lists the talk with a link to the speaker's profile.
    context.clear_cookies()
    page.goto(url(event.get_absolute_url()))
    talks = page.locator("section.talks")
    expect(talks.get_by_role("link", name="Vector search on a laptop")).to_be_visible()
    expect(talks.get_by_role("link", name="Hana")).to_have_attribute(
        "href", attendee.get_absolute_url()
    )

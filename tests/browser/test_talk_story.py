"""Browser: the talks story of issue 5 end to end, driven through the pages.

An attendee logs in and applies for a lightning talk on the register page (title and
abstract) → it is pending → an organizer accepts it on the talks page → puts it on the
timetable → the event page shows it at 19:40 Tokyo time and schedule.json lists it → after
the event the speaker adds a Speaker Deck link on the materials page → the materials page and
the speaker's profile show the slides.

Only the set-up (users, group, event, frames) is written directly, and "time passes" once:
the event is moved into the past, as the materials link and the profile's "Talks presented"
are about held events. The Speaker Deck oEmbed answer is mocked (respx): it is the only
request that would leave this machine.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest
import respx
from allauth.account.models import EmailAddress
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from kaisai.events.models import Event
from kaisai.registrations import services
from kaisai.registrations.enums import Method, Status
from kaisai.registrations.models import Registration
from kaisai.talks.enums import TalkKind, TalkState
from kaisai.talks.models import Material, Talk, TimetableEntry
from tests.browser.conftest import DESKTOP, TIMEOUT_MS
from tests.factories import EventFactory, GroupFactory, UserFactory
from tests.talks.test_frab import validate_json

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery"  # tests.factories.UserFactory's
TOKYO = ZoneInfo("Asia/Tokyo")
TITLE = "Vector search on a laptop"
SLIDES = "https://speakerdeck.com/hana/vector-search-on-a-laptop"
SLIDES_TITLE = "Vector search on a laptop (MLCT #5)"
PLAYER = "https://speakerdeck.com/player/0123456789abcdef"


def verified_user(nickname: str, display_name: str):
    user = UserFactory(nickname=nickname, display_name=display_name)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def log_in(page, url, nickname: str) -> None:
    """The login page, as a person would use it (mandatory e-mail verification is satisfied
    by the verified address of the set-up)."""
    page.goto(url(reverse("account_login")))
    page.fill("input[name=login]", nickname)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.locator("form:has(input[name=password]) button[type=submit]").first.click()
    expect(page.locator("nav.main-nav").get_by_role("button", name="Log out")).to_be_visible()


def new_page(browser):
    """A second person's own browser profile."""
    ctx = browser.new_context(locale="en-US", viewport=DESKTOP)
    ctx.set_default_timeout(TIMEOUT_MS)
    return ctx, ctx.new_page()


def test_lt_from_proposal_to_timetable_materials_and_profile(page, browser, live_server, url):
    # --- Set-up: MLCT #5 on a Friday two weeks ahead, 19:30 in Tokyo; two frames.
    organizer = verified_user("founder", "Founder")
    speaker = verified_user("hana", "Hana")
    group = GroupFactory(owner=organizer, title="Machine Learning Casual Talks")
    day = timezone.localtime(timezone.now(), TOKYO).date() + timedelta(days=14)
    starts = datetime.combine(day, time(19, 30), tzinfo=TOKYO)
    event = EventFactory(
        group=group,
        title="MLCT #5",
        number=5,
        time_zone="Asia/Tokyo",
        starts_at=starts,
        ends_at=starts + timedelta(hours=2, minutes=30),
    )
    general = services.create_frame(event=event, by=organizer, capacity=100, name="General")
    lt_frame = services.create_frame(
        event=event, by=organizer, capacity=5, name="LT speakers", method=Method.APPROVAL,
        requires_talk=True,
    )  # fmt: skip

    # --- The attendee logs in, opens the event page and applies for an LT.
    log_in(page, url, "hana")
    page.goto(url(event.get_absolute_url()))
    with page.expect_navigation():
        page.get_by_role("link", name="Propose a lightning talk").click()
    expect(page.get_by_role("heading", name="Register")).to_be_visible()
    expect(page.locator(f"#frame-choice-{lt_frame.pk}")).to_be_checked()
    expect(page.locator(f"#frame-choice-{general.pk}")).not_to_be_checked()
    page.get_by_label("Title").fill(TITLE)
    page.get_by_label("Abstract").fill("What **faiss** can do in 5 minutes.")
    with page.expect_navigation():
        page.get_by_role("button", name="Confirm registration").click()
    expect(page.get_by_text("The organizers review applications")).to_be_visible()
    talk = Talk.objects.get()
    assert (talk.state, talk.kind, talk.registration.frame_id) == (
        TalkState.PROPOSED,
        TalkKind.LT,
        lt_frame.pk,
    )
    assert talk.registration.status == Status.APPLIED

    # --- The organizer, in their own browser: event page → Talks → accept.
    organizer_context, admin = new_page(browser)
    try:
        log_in(admin, url, "founder")
        admin.goto(url(event.get_absolute_url()))
        with admin.expect_navigation():
            admin.get_by_role("link", name="Talks", exact=True).click()
        row = admin.locator(f"#talk-{talk.pk}")
        expect(row).to_contain_text(TITLE)
        expect(row).to_contain_text("Hana")
        expect(row).to_contain_text("Proposed")
        with admin.expect_navigation():
            row.get_by_role("button", name="Accept").click()
        expect(admin.get_by_text(f"“{TITLE}” is accepted.")).to_be_visible()
        expect(admin.locator(f"#talk-{talk.pk}")).to_contain_text("Accepted")
        assert Talk.objects.get().state == TalkState.ACCEPTED
        registration = Registration.objects.get(user=speaker)
        assert (registration.frame_id, registration.status) == (lt_frame.pk, Status.ACCEPTED)
        assert not Registration.objects.filter(frame=general).exists()  # no general seat taken

        # Event page → Timetable → the talk at 19:40.
        admin.goto(url(event.get_absolute_url()))
        with admin.expect_navigation():
            admin.get_by_role("link", name="Timetable", exact=True).click()
        expect(admin.locator(".unscheduled-talks")).to_contain_text(TITLE)
        form = admin.locator("form.timetable-add")
        form.get_by_label("Kind").select_option("talk")
        form.get_by_label("Talk").select_option(label=f"{TITLE} — Hana (5 min)")
        form.get_by_label("Starts at").fill(f"{day.isoformat()}T19:40")
        with admin.expect_navigation():
            form.get_by_role("button", name="Add to the timetable").click()
        expect(admin.get_by_text("The entry has been added to the timetable.")).to_be_visible()
        expect(admin.locator("table.timetable-editor tbody tr")).to_have_count(1)
        entry = TimetableEntry.objects.get()
        assert entry.talk_id == talk.pk
        assert entry.starts_at == starts + timedelta(minutes=10)

        # --- Everyone: the event page's timetable, in the event's zone.
        page.goto(url(event.get_absolute_url()))
        timetable = page.locator("#timetable")
        expect(timetable).to_contain_text("Times are in Asia/Tokyo.")
        item = timetable.locator(".timetable-entry", has_text=TITLE)
        expect(item.locator("time")).to_have_text("19:40")
        expect(item).to_contain_text("5 minutes")
        expect(item.get_by_role("link", name=TITLE, exact=True)).to_have_attribute(
            "href", reverse("talks:detail", kwargs={"talk_id": talk.pk})
        )
        expect(item.get_by_role("link", name="Add this talk to your calendar")).to_have_attribute(
            "href", reverse("talks:talk_ics", kwargs={"talk_id": talk.pk})
        )
        expect(item.get_by_role("link", name="Hana")).to_have_attribute(
            "href", speaker.get_absolute_url()
        )

        # The frab export lists it, at 19:40 +09:00, with its speaker.
        response = page.request.get(url(reverse("talks:frab_json", kwargs={"pk": event.pk})))
        assert response.ok
        validate_json(response.json())  # the frab schema's required fields and types
        conference = response.json()["schedule"]["conference"]
        assert conference["time_zone_name"] == "Asia/Tokyo"
        (listed,) = [
            lecture
            for day_ in conference["days"]
            for lectures in day_["rooms"].values()
            for lecture in lectures
        ]
        assert (listed["title"], listed["start"], listed["duration"]) == (TITLE, "19:40", "00:05")
        assert listed["date"] == f"{day.isoformat()}T19:40:00+09:00"
        assert [person["public_name"] for person in listed["persons"]] == ["Hana"]

        # --- Time passes: the event was yesterday (same local times).
        shift = timedelta(days=15)
        Event.objects.filter(pk=event.pk).update(
            starts_at=F("starts_at") - shift, ends_at=F("ends_at") - shift
        )
        TimetableEntry.objects.filter(event=event).update(starts_at=F("starts_at") - shift)

        # --- The speaker: event page → Materials → adds the Speaker Deck link.
        with respx.mock(assert_all_mocked=True, assert_all_called=True) as http:
            oembed = http.get("https://speakerdeck.com/oembed.json").mock(
                return_value=httpx.Response(
                    200,
                    json={
                        "title": SLIDES_TITLE,
                        "html": f'<iframe src="{PLAYER}" width="710" height="399"></iframe>',
                    },
                )
            )
            page.goto(url(event.get_absolute_url()))
            with page.expect_navigation():
                page.get_by_role("link", name="Materials (slides, videos)").click()
            expect(page.get_by_role("heading", name="Materials", exact=True)).to_be_visible()
            section = page.locator(f"#talk-{talk.pk}")
            expect(section).to_contain_text("No materials yet.")
            form = page.locator("form.material-form")
            form.get_by_label("Talk").select_option(str(talk.pk))
            form.get_by_label("Kind").select_option("slide")
            form.get_by_label("Link").fill(SLIDES)
            with page.expect_navigation():
                form.get_by_role("button", name="Add material").click()
            expect(page.get_by_text("Material added.")).to_be_visible()
        assert oembed.call_count == 1
        assert oembed.calls.last.request.url.params["url"] == SLIDES

        # The materials page shows the slides: title (from oEmbed), link, provider, player.
        section = page.locator(f"#talk-{talk.pk}")
        expect(section.locator("time")).to_have_text("19:40")
        link = section.get_by_role("link", name=SLIDES_TITLE)
        expect(link).to_have_attribute("href", SLIDES)
        expect(link).to_have_attribute("rel", "noopener noreferrer nofollow ugc")
        expect(section).to_contain_text("(Speaker Deck)")
        expect(section.locator("iframe")).to_have_attribute("src", PLAYER)
        material = Material.objects.get()
        assert (material.talk_id, material.kind, material.added_by_id) == (
            talk.pk,
            "slide",
            speaker.pk,
        )

        # The organizers' talks page now says the talk has slides.
        admin.goto(url(reverse("talks:manage", kwargs={"pk": event.pk})))
        slides_cell = admin.locator(f"#talk-{talk.pk} td").nth(4)
        expect(slides_cell).to_have_text("yes")
    finally:
        organizer_context.close()

    # --- The speaker's profile (through the speaker link) lists the talk and its slides.
    with page.expect_navigation():
        page.locator(f"#talk-{talk.pk}").get_by_role("link", name="Hana").click()
    assert page.url == url(speaker.get_absolute_url())
    presented = page.locator(".presented-talks")
    expect(presented).to_contain_text("MLCT #5")
    expect(presented.get_by_role("link", name=TITLE, exact=True)).to_have_attribute(
        "href", reverse("talks:detail", kwargs={"talk_id": talk.pk})
    )
    expect(presented.get_by_role("link", name=SLIDES_TITLE)).to_have_attribute("href", SLIDES)

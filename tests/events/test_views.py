"""Public event pages: list, detail, calendar file."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import icalendar
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from kaisai.events.enums import EventStatus, VenueKind
from kaisai.groups.enums import Role
from tests.conftest import login
from tests.events.conftest import image_upload
from tests.factories import EventFactory, GroupFactory, OrganizerFactory, SponsorFactory


def detail(event):
    return reverse("events:detail", kwargs={"pk": event.pk})


def meta(html: str, key: str) -> str | None:
    match = re.search(rf'<meta (?:property|name)="{re.escape(key)}" content="([^"]*)"', html)
    return match.group(1) if match else None


# --- list -----------------------------------------------------------------------------------


def test_event_list_shows_upcoming_public_events_only(client, group):
    upcoming = EventFactory(group=group, title="Upcoming one")
    cancelled = EventFactory(group=group, title="Called off", status=EventStatus.CANCELLED)
    EventFactory(group=group, title="Secret draft", status=EventStatus.DRAFT)
    EventFactory(
        group=group,
        title="Long ago",
        starts_at=timezone.now() - timedelta(days=30),
        ends_at=timezone.now() - timedelta(days=30) + timedelta(hours=2),
    )
    html = client.get(reverse("events:list")).content.decode()
    assert upcoming.title in html
    assert cancelled.title in html
    assert "Secret draft" not in html
    assert "Long ago" not in html


def test_event_list_past_tab_shows_past_events(client, group):
    EventFactory(group=group, title="Upcoming one")
    past_start = timezone.now() - timedelta(days=30)
    EventFactory(
        group=group, title="Long ago", starts_at=past_start, ends_at=past_start + timedelta(hours=2)
    )
    html = client.get(reverse("events:list"), {"past": "1"}).content.decode()
    assert "Long ago" in html
    assert "Upcoming one" not in html
    assert "Held" in html


def test_event_list_paginates_by_30(client, group):
    start = timezone.now() + timedelta(days=1)
    for index in range(31):
        EventFactory(
            group=group, title=f"Meetup {index:02d}", starts_at=start + timedelta(days=index)
        )
    first = client.get(reverse("events:list")).content.decode()
    assert "Meetup 29" in first and "Meetup 30" not in first
    assert "page=2" in first
    second = client.get(reverse("events:list"), {"page": "2"}).content.decode()
    assert "Meetup 30" in second and "Meetup 00" not in second


def _count_queries(client, url, **params) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("past", [False, True])
def test_event_list_query_count_does_not_grow_with_rows(client, user, past):
    login(client, user)
    offset = timedelta(days=-60) if past else timedelta(days=5)

    def make(count):
        for _ in range(count):
            start = timezone.now() + offset
            EventFactory(group=GroupFactory(), starts_at=start, ends_at=start + timedelta(hours=2))

    params = {"past": "1"} if past else {}
    make(2)
    few = _count_queries(client, reverse("events:list"), **params)
    make(10)
    many = _count_queries(client, reverse("events:list"), **params)
    assert many == few


# --- detail -------------------------------------------------------------------------------


def test_event_detail_shows_the_announcement(client, event):
    event.catch = "Casual ML talks"
    event.description = "## Programme\n\n**Three** talks."
    event.hashtag = "mlct"
    event.venue_kind = VenueKind.HYBRID
    event.stream_url = "https://www.youtube.com/live/abc"
    event.latitude, event.longitude = 35.658, 139.7016
    event.afterparty_place = "Same floor"
    event.afterparty_starts_at = datetime(2030, 5, 17, 13, 15, tzinfo=UTC)
    event.afterparty_fee = 1500
    event.save()
    SponsorFactory(event=event, name="Venue Co", provides="Venue", order=1)
    SponsorFactory(event=event, name="Drink Co", provides="Drinks & after-party", order=2)

    response = client.get(detail(event))
    html = response.content.decode()
    assert response.status_code == 200
    assert event.group.title in html
    assert "#5" in html
    assert "Casual ML talks" in html
    assert "<strong>Three</strong>" in html
    assert "2030-05-17 (Fri) 19:30" in html  # in the event's zone, not UTC
    assert "22:00" in html
    assert "Asia/Tokyo" in html
    assert "Sponsor Inc. 10F" in html
    assert "1-2-3 Shibuya" in html
    assert "Tokyo" in html
    assert "openstreetmap.org" in html
    assert "https://www.youtube.com/live/abc" in html
    assert "https://x.com/search?q=%23mlct" in html
    assert html.index("Venue Co") < html.index("Drink Co")
    assert "Drinks &amp; after-party" in html
    assert "22:15" in html and "1,500 yen" in html
    assert reverse("events:ics", kwargs={"pk": event.pk}) in html
    assert "organizer" in html.lower() and "Organizer" in html


def test_event_detail_lists_the_groups_organizers(client, event):
    OrganizerFactory(group=event.group, user__nickname="cohost", role=Role.ORGANIZER)
    html = client.get(detail(event)).content.decode()
    assert "Organizer" in html  # the owner fixture's display name
    assert "Cohost" in html


def test_event_detail_draft_is_404_to_anonymous_and_outsiders(client, draft, outsider):
    assert client.get(detail(draft)).status_code == 404
    login(client, outsider)
    assert client.get(detail(draft)).status_code == 404


def test_event_detail_draft_visible_to_organizer_with_badge_and_publish(client, draft, organizer):
    login(client, organizer)
    response = client.get(detail(draft))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'class="badge draft"' in html
    assert reverse("events:publish", kwargs={"pk": draft.pk}) in html
    assert 'name="robots" content="noindex"' in html


def test_event_detail_draft_is_404_to_reception(client, draft):
    # Only owners and organizers see drafts (docs/permissions.md); reception staff do not.
    reception = OrganizerFactory(group=draft.group, role=Role.RECEPTION).user
    login(client, reception)
    assert client.get(detail(draft)).status_code == 404


def test_event_detail_reception_sees_published_event_without_organizer_actions(client, event):
    reception = OrganizerFactory(group=event.group, role=Role.RECEPTION).user
    login(client, reception)
    html = client.get(detail(event)).content.decode()
    assert reverse("events:publish", kwargs={"pk": event.pk}) not in html
    assert reverse("events:edit", kwargs={"pk": event.pk}) not in html
    assert reverse("events:cancel", kwargs={"pk": event.pk}) not in html


def test_event_detail_published_shows_no_actions_to_public(client, event, outsider):
    login(client, outsider)
    html = client.get(detail(event)).content.decode()
    assert reverse("events:edit", kwargs={"pk": event.pk}) not in html
    assert reverse("events:cancel", kwargs={"pk": event.pk}) not in html


def test_event_detail_organizer_actions_follow_state(client, event, organizer):
    login(client, organizer)
    html = client.get(detail(event)).content.decode()
    for name in ("edit", "cancel", "postpone", "copy"):
        assert reverse(f"events:{name}", kwargs={"pk": event.pk}) in html, name
    assert reverse("events:publish", kwargs={"pk": event.pk}) not in html


def test_event_detail_cancelled_stays_readable_and_says_so(client, event):
    event.status = EventStatus.CANCELLED
    event.save()
    response = client.get(detail(event))
    html = response.content.decode()
    assert response.status_code == 200
    assert event.title in html
    assert re.search(r'class="notice"[^>]*>[^<]*cancelled', html)


def test_event_detail_postponed_says_so(client, event):
    event.status = EventStatus.POSTPONED
    event.save()
    html = client.get(detail(event)).content.decode()
    assert re.search(r'class="notice postponed"[^>]*>[^<]*postponed', html)


def test_event_detail_participant_info_only_for_organizers(client, event, organizer, outsider):
    event.participant_info = "Door code **door-4321**"
    event.save()
    assert "door-4321" not in client.get(detail(event)).content.decode()
    login(client, outsider)
    assert "door-4321" not in client.get(detail(event)).content.decode()
    login(client, organizer)
    html = client.get(detail(event)).content.decode()
    assert "<strong>door-4321</strong>" in html
    assert "Only accepted participants and the group's organizers see this." in html


def test_event_detail_open_graph_tags(client, event, settings):
    settings.BASE_URL = "https://kaisai.example"
    event.catch = "Casual ML talks"
    event.image = image_upload()
    event.save()
    html = client.get(detail(event)).content.decode()
    assert meta(html, "og:type") == "website"
    assert meta(html, "og:title") == event.title
    assert meta(html, "og:description") == "Casual ML talks"
    assert meta(html, "og:url") == f"https://kaisai.example/events/{event.pk}/"
    assert meta(html, "og:image").startswith("https://kaisai.example/media/events/")
    assert meta(html, "twitter:card") == "summary_large_image"
    assert meta(html, "twitter:title") == event.title


def test_event_detail_og_description_from_description_without_catch(client, event):
    event.catch = ""
    event.description = "## Programme\n\nTalks about **MLOps** & <b>more</b>."
    event.save()
    html = client.get(detail(event)).content.decode()
    description = meta(html, "og:description")
    assert "Programme Talks about MLOps" in description
    assert "<" not in description and "**" not in description
    assert meta(html, "og:image") is None
    assert meta(html, "twitter:card") == "summary"


@pytest.mark.parametrize("as_organizer", [False, True])
def test_event_detail_query_count_does_not_grow_with_sponsors(client, event, as_organizer):
    if as_organizer:
        login(client, event.group.organizers.get().user)
    SponsorFactory(event=event)
    if as_organizer:
        # Once before counting: the first answer to an organizer reads the page's fingerprint
        # to learn that they get the page in full (remembered for a minute), and on
        # PostgreSQL PREPAREs it the first time a connection reads it.
        _count_queries(client, detail(event))
    few = _count_queries(client, detail(event))
    for _ in range(5):
        SponsorFactory(event=event)
        OrganizerFactory(group=event.group)
    many = _count_queries(client, detail(event))
    assert many == few


# --- calendar file -----------------------------------------------------------------------


def _vevent(response) -> icalendar.Event:
    calendar = icalendar.Calendar.from_ical(response.content)
    events = calendar.walk("VEVENT")
    assert len(events) == 1
    return events[0]


def test_event_ics_is_a_calendar_with_the_event(client, event, settings):
    settings.BASE_URL = "https://kaisai.example"
    event.description = "Talks about **ML**."
    event.save()
    response = client.get(reverse("events:ics", kwargs={"pk": event.pk}))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    vevent = _vevent(response)
    assert vevent.decoded("dtstart") == datetime(2030, 5, 17, 10, 30, tzinfo=UTC)
    assert vevent.decoded("dtend") == datetime(2030, 5, 17, 13, 0, tzinfo=UTC)
    assert str(vevent["uid"]) == f"event-{event.pk}@kaisai.example"
    assert str(vevent["summary"]) == event.title
    assert str(vevent["url"]) == f"https://kaisai.example/events/{event.pk}/"
    assert "Sponsor Inc. 10F" in str(vevent["location"])
    assert "Talks about ML." in str(vevent["description"])
    assert "**" not in str(vevent["description"])
    assert str(vevent["status"]) == "CONFIRMED"


def test_event_ics_uid_is_stable(client, event):
    url = reverse("events:ics", kwargs={"pk": event.pk})
    first = str(_vevent(client.get(url))["uid"])
    event.title = "Renamed"
    event.save()
    assert str(_vevent(client.get(url))["uid"]) == first


def test_event_ics_cancelled_event_has_status_cancelled(client, event):
    event.status = EventStatus.CANCELLED
    event.save()
    vevent = _vevent(client.get(reverse("events:ics", kwargs={"pk": event.pk})))
    assert str(vevent["status"]) == "CANCELLED"


def test_event_ics_draft_hidden_from_outsiders(client, draft, outsider, organizer):
    url = reverse("events:ics", kwargs={"pk": draft.pk})
    assert client.get(url).status_code == 404
    login(client, outsider)
    assert client.get(url).status_code == 404
    login(client, organizer)
    assert client.get(url).status_code == 200

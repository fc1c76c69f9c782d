"""Feeds: a group's iCalendar and Atom, a search's Atom, the private my-schedule calendar."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

import icalendar
import pytest
from django.urls import reverse
from django.utils import timezone

from kaisai.accounts.models import ApiToken
from kaisai.events import calendar_links
from kaisai.events.enums import EventStatus, VenueKind
from kaisai.registrations import services as registrations
from kaisai.registrations.enums import Method
from kaisai.talks.enums import TalkState
from tests.conftest import login
from tests.factories import EventFactory, GroupFactory, UserFactory
from tests.talks.factories import TalkFactory

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"


def soon(days: int) -> dict:
    start = timezone.now() + timedelta(days=days)
    return {"starts_at": start, "ends_at": start + timedelta(hours=2)}


@pytest.fixture
def events(group):
    published = EventFactory(
        group=group,
        title="MLCT #5",
        number=5,
        starts_at=datetime(2030, 5, 17, 10, 30, tzinfo=UTC),
        ends_at=datetime(2030, 5, 17, 13, 0, tzinfo=UTC),
        time_zone="Asia/Tokyo",
        published_at=timezone.now() - timedelta(days=2),
    )
    cancelled = EventFactory(
        group=group,
        title="MLCT #4",
        status=EventStatus.CANCELLED,
        published_at=timezone.now() - timedelta(days=3),
        **soon(5),
    )
    draft = EventFactory(group=group, title="MLCT #6 draft", status=EventStatus.DRAFT, **soon(9))
    other = EventFactory(group=GroupFactory(slug="other"), title="Other group", **soon(3))
    return {"published": published, "cancelled": cancelled, "draft": draft, "other": other}


def calendar(response) -> icalendar.Calendar:
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return icalendar.Calendar.from_ical(response.content)


def summaries(cal: icalendar.Calendar) -> set[str]:
    return {str(component["summary"]) for component in cal.walk("VEVENT")}


def atom_entries(response) -> list[ET.Element]:
    assert response["Content-Type"] == "application/atom+xml; charset=utf-8"
    root = ET.fromstring(response.content)  # noqa: S314 - our own output
    assert root.tag == f"{ATOM}feed"
    return root.findall(f"{ATOM}entry")


# --- group calendar -------------------------------------------------------------------------


def test_group_calendar_lists_its_events_without_drafts(client, group, events):
    response = client.get(reverse("groups:events_ics", kwargs={"slug": group.slug}))
    assert response.status_code == 200
    cal = calendar(response)
    assert str(cal["x-wr-calname"]) == group.title
    assert summaries(cal) == {"MLCT #5", "[Cancelled] MLCT #4"}
    statuses = {str(c["summary"]): str(c["status"]) for c in cal.walk("VEVENT")}
    assert statuses["[Cancelled] MLCT #4"] == "CANCELLED"
    five = next(c for c in cal.walk("VEVENT") if str(c["summary"]) == "MLCT #5")
    assert five.decoded("dtstart") == datetime(2030, 5, 17, 10, 30, tzinfo=UTC)
    assert str(five["uid"]).startswith(f"event-{events['published'].pk}@")


def test_group_calendar_unknown_group_is_404(client):
    assert client.get(reverse("groups:events_ics", kwargs={"slug": "nope"})).status_code == 404


def test_single_event_calendar_exists(client, events):
    response = client.get(reverse("events:ics", kwargs={"pk": events["published"].pk}))
    assert summaries(calendar(response)) == {"MLCT #5"}
    assert client.get(reverse("events:ics", kwargs={"pk": events["draft"].pk})).status_code == 404


def test_group_calendar_query_count(client, group, django_assert_max_num_queries):
    for n in range(2):
        EventFactory(group=group, **soon(n + 1))
    url = reverse("groups:events_ics", kwargs={"slug": group.slug})
    with django_assert_max_num_queries(2) as few:
        client.get(url)
    for n in range(10):
        EventFactory(group=group, **soon(n + 3))
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(summaries(calendar(client.get(url)))) == 12


# --- Atom -----------------------------------------------------------------------------------


def test_group_atom_feed(client, group, events):
    response = client.get(reverse("groups:feed_atom", kwargs={"slug": group.slug}))
    assert response.status_code == 200
    entries = atom_entries(response)
    titles = [e.findtext(f"{ATOM}title") for e in entries]
    assert titles == ["MLCT #5", "[Cancelled] MLCT #4"]  # latest announced first
    first = entries[0]
    summary = first.findtext(f"{ATOM}summary")
    # connpass-like summary line: date and time in the event's zone, then the place
    assert summary.startswith("Date: 2030/05/17 (Fri) 19:30 – 22:00 / Place: Sponsor Inc. 10F")
    link = first.find(f"{ATOM}link").get("href")
    assert link.endswith(events["published"].get_absolute_url())
    assert link.startswith("http")


def test_group_atom_feed_unknown_group_is_404(client):
    assert client.get(reverse("groups:feed_atom", kwargs={"slug": "nope"})).status_code == 404


def test_atom_online_event_place(client, group):
    EventFactory(
        group=group,
        title="Online night",
        venue_kind=VenueKind.ONLINE,
        stream_url="https://youtube.example/live",
        **soon(2),
    )
    entries = atom_entries(client.get(reverse("groups:feed_atom", kwargs={"slug": group.slug})))
    assert "Place: https://youtube.example/live" in entries[0].findtext(f"{ATOM}summary")


def test_search_atom_feed(client, group, events):
    EventFactory(group=group, title="機械学習 night", published_at=timezone.now(), **soon(1))
    response = client.get(reverse("events:search_atom"), {"q": "機械学習"})
    titles = [e.findtext(f"{ATOM}title") for e in atom_entries(response)]
    assert titles == ["機械学習 night"]
    everything = client.get(reverse("events:search_atom"))
    titles = [e.findtext(f"{ATOM}title") for e in atom_entries(everything)]
    assert "MLCT #6 draft" not in titles
    assert "[Cancelled] MLCT #4" in titles
    bad = client.get(reverse("events:search_atom"), {"starts_from": "nope"})
    assert bad.status_code == 400


def test_search_page_links_its_feed(client):
    page = client.get(reverse("events:search"), {"q": "rust"}).content.decode()
    assert f"{reverse('events:search_atom')}?q=rust" in page


def test_atom_query_count(client, group, django_assert_max_num_queries):
    for n in range(2):
        EventFactory(group=group, **soon(n + 1))
    url = reverse("groups:feed_atom", kwargs={"slug": group.slug})
    with django_assert_max_num_queries(2) as few:
        client.get(url)
    for n in range(10):
        EventFactory(group=group, **soon(n + 3))
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(atom_entries(client.get(url))) == 12


# --- my schedule ----------------------------------------------------------------------------


@pytest.fixture
def schedule(organizer, group):
    """alice: accepted at A, waitlisted at B, cancelled at C, speaker at D, nothing at E."""
    alice = UserFactory(nickname="alice")
    bob = UserFactory(nickname="bob")
    made = {name: EventFactory(group=group, title=name, **soon(i + 1)) for i, name in
            enumerate(["A", "B", "C", "D", "E"])}  # fmt: skip

    def frame(event, capacity):
        return registrations.create_frame(
            event=event, by=organizer, capacity=capacity, method=Method.FIRST_COME, name="General"
        )

    registrations.register(frame=frame(made["A"], 5), user=alice)
    full = frame(made["B"], 1)
    registrations.register(frame=full, user=bob)
    registrations.register(frame=full, user=alice)
    registration = registrations.register(frame=frame(made["C"], 5), user=alice)
    registrations.cancel_registration(registration=registration, by=alice)
    TalkFactory(event=made["D"], title="My LT", speaker=alice)
    TalkFactory(event=made["E"], title="Rejected", speaker=alice, state=TalkState.REJECTED)
    draft = EventFactory(group=group, title="Draft", status=EventStatus.DRAFT, **soon(9))
    TalkFactory(event=draft, title="Draft talk", speaker=alice)
    return alice


def test_my_calendar_page_needs_login(client):
    url = reverse("feeds:my_calendar")
    response = client.get(url)
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]
    assert client.post(reverse("feeds:my_calendar_reset")).status_code == 302


def test_my_calendar_reset_is_post_only(client, user):
    login(client, user)
    assert client.get(reverse("feeds:my_calendar_reset")).status_code == 405


def test_my_calendar_link_shows_my_schedule(client, schedule):
    login(client, schedule)
    page = client.get(reverse("feeds:my_calendar"))
    assert page.context["calendar_url"] == ""
    client.post(reverse("feeds:my_calendar_reset"))
    url = client.get(reverse("feeds:my_calendar")).context["calendar_url"]
    assert url.startswith("http")
    client.logout()
    response = client.get(url.split("://", 1)[1].split("/", 1)[1].join(["/", ""]))
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    cal = calendar(response)
    assert summaries(cal) == {"A", "B", "D"}
    descriptions = {str(c["summary"]): str(c["description"]) for c in cal.walk("VEVENT")}
    assert descriptions["A"].startswith("You are registered.")
    assert descriptions["B"].startswith("You are waitlisted.")
    assert descriptions["D"].startswith("Your talk: My LT")


def test_my_events_page_links_the_calendar_page(client, user):
    login(client, user)
    page = client.get(reverse("registrations:my_events")).content.decode()
    assert reverse("feeds:my_calendar") in page


def test_reset_stops_the_old_link(client, user):
    old = calendar_links.reset_calendar_link(user=user)
    ics = reverse("feeds:my_calendar_ics", args=[old])
    assert client.get(ics).status_code == 200
    new = calendar_links.reset_calendar_link(user=user)
    assert new != old
    assert client.get(ics).status_code == 404
    assert client.get(reverse("feeds:my_calendar_ics", args=[new])).status_code == 200
    assert calendar_links.calendar_token_of(user) == new
    assert ApiToken.objects.filter(user=user).count() == 1


@pytest.mark.parametrize("mangle", ["tamper", "other_user", "garbage", "revoked"])
def test_bad_calendar_tokens_are_404(client, user, mangle):
    token = calendar_links.reset_calendar_link(user=user)
    if mangle == "tamper":
        token = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    elif mangle == "other_user":
        value, _sep, _signature = token.rpartition(".")
        other = UserFactory()
        token = token.replace(value, f"{other.pk}-{value.split('-')[1]}")
    elif mangle == "garbage":
        token = "x.y"
    else:
        ApiToken.objects.filter(user=user).delete()
    assert client.get(reverse("feeds:my_calendar_ics", args=[token])).status_code == 404


def test_calendar_token_is_no_api_token(client, user):
    token = calendar_links.reset_calendar_link(user=user)
    response = client.get("/api/v1/me/registrations/", headers={"authorization": f"Bearer {token}"})
    assert response.status_code == 401

"""Bounded dates (kaisai.events.bounds, docs/security.md): the event form, the frame form and
API v1 refuse dates out of bounds with a field error (never a 500, also for year 1), and every
page and export stays small and answers 200 for a row already stored out of bounds."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from kaisai.events import bounds
from kaisai.events.models import Event
from tests.conftest import login
from tests.events.test_views_organizer import post_data as form_data
from tests.factories import EventFactory
from tests.registrations.manage_helpers import frame_data

pytestmark = pytest.mark.django_db


def create_url(group) -> str:
    return reverse("events:create", kwargs={"group_slug": group.slug})


def year(offset: int) -> int:
    return timezone.now().year + offset


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"starts_at": "0001-01-01T00:00", "ends_at": "2026-01-01T00:00"}, "starts_at"),
        ({"starts_at": "2030-05-17T19:30", "ends_at": "9999-12-31T23:59"}, "ends_at"),
        ({"starts_at": "2030-05-17T19:30", "ends_at": "2030-07-01T19:30"}, "ends_at"),
        ({"starts_at": f"{year(-11)}-05-17T19:30", "ends_at": f"{year(-11)}-05-17T22:00"},
         "starts_at"),
        ({"starts_at": f"{year(6)}-05-17T19:30", "ends_at": f"{year(6)}-05-17T22:00"},
         "starts_at"),
        ({"afterparty_starts_at": "0001-01-01T00:00"}, "afterparty_starts_at"),
        ({"afterparty_starts_at": "9999-12-31T23:59"}, "afterparty_starts_at"),
        ({"afterparty_starts_at": "2030-08-01T19:00"}, "afterparty_starts_at"),
    ],
)  # fmt: skip
def test_event_form_refuses_dates_out_of_bounds(client, organizer, group, overrides, field):
    login(client, organizer)
    response = client.post(create_url(group), form_data(**overrides))
    assert response.status_code == 400  # the form again, with its errors
    assert field in response.context["form"].errors, response.context["form"].errors
    assert not Event.objects.exists()


def test_event_form_accepts_a_month_long_event(client, organizer, group):
    login(client, organizer)
    data = form_data(starts_at="2030-05-01T10:00", ends_at="2030-05-31T18:00")
    assert client.post(create_url(group), data).status_code == 302


def test_an_old_event_can_still_be_edited(organizer, group):
    """The start-year bound applies when the start is set, not to every later edit."""
    from kaisai.events import services

    old = EventFactory(group=group, starts_at=datetime(2001, 5, 1, 10, tzinfo=UTC),
                       ends_at=datetime(2001, 5, 1, 12, tzinfo=UTC))  # fmt: skip
    services.update_event(event=old, by=organizer, title="Renamed")
    assert Event.objects.get(pk=old.pk).title == "Renamed"


@pytest.mark.parametrize(
    "overrides",
    [{"method": "lottery", "lottery_at": "0001-01-01T00:00"},
     {"method": "lottery", "lottery_at": "9999-12-31T23:59"},
     {"opens_at": "0001-01-01T00:00"}, {"closes_at": "9999-12-31T00:00"},
     {"promotion_cutoff": "0001-01-01T00:00"}],
)  # fmt: skip
def test_frame_form_refuses_times_out_of_bounds(client, organizer, group, overrides):
    event = EventFactory(group=group)
    login(client, organizer)
    url = reverse("registrations:frames", kwargs={"pk": event.pk})
    response = client.post(url, frame_data(**overrides))
    assert response.status_code in (200, 400)  # the form again, with its errors
    field = next(name for name in overrides if name != "method")
    assert field in response.context["form"].errors
    assert not event.frames.exists()


def test_api_v1_refuses_dates_out_of_bounds(group, organizer):
    from kaisai.accounts.services import create_api_token
    from tests.api.conftest import ApiClient

    api = ApiClient(create_api_token(user=organizer, name="tests")[1])
    start = timezone.now() + timedelta(days=30)
    for starts, ends in [
        (datetime(1, 1, 1, tzinfo=UTC), start),
        (start, datetime(9999, 12, 31, tzinfo=UTC)),
        (start, start + timedelta(days=40)),
    ]:
        response = api.post(
            f"/api/v1/groups/{group.slug}/events/",
            {"title": "Long", "starts_at": starts.isoformat(), "ends_at": ends.isoformat()},
        )
        assert response.status_code == 422 and response.json()["reason"] == "invalid"
    assert not Event.objects.exists()
    event = EventFactory(group=group)
    patched = api.client.patch(
        f"/api/v1/events/{event.pk}/",
        {"ends_at": "9999-12-31T00:00:00+00:00"},
        content_type="application/json",
        headers=api.headers,
    )
    assert patched.status_code == 422
    frame = api.post(
        f"/api/v1/events/{event.pk}/frames/",
        {"name": "L", "capacity": 5, "method": "lottery", "lottery_at": "0001-01-01T00:00:00Z"},
    )
    assert frame.status_code == 422 and not event.frames.exists()


# --- rows stored before the bounds ---------------------------------------------------------


@pytest.fixture
def stored_out_of_bounds(group, organizer):
    """Events as a direct write left them (no form, no API): 0001 → now and now → 9999."""
    from kaisai.registrations import services

    far_past = EventFactory(group=group, title="From year 1")
    far_future = EventFactory(group=group, title="To year 9999")
    now = timezone.now()
    Event.objects.filter(pk=far_past.pk).update(
        starts_at=datetime(1, 1, 1, tzinfo=UTC), ends_at=now, published_at=now
    )
    Event.objects.filter(pk=far_future.pk).update(
        ends_at=datetime(9999, 12, 31, 23, 59, tzinfo=UTC),
        afterparty_starts_at=datetime(9999, 12, 31, 23, 0, tzinfo=UTC),
        published_at=now,
    )
    services.create_frame(event=far_future, by=organizer, capacity=5, name="General")
    return [Event.objects.get(pk=far_past.pk), Event.objects.get(pk=far_future.pk)]


def test_pages_and_exports_of_stored_out_of_bounds_events(client, group, stored_out_of_bounds):
    figures = []
    for event in stored_out_of_bounds:
        for url in [
            event.get_absolute_url(),
            reverse("talks:frab_json", kwargs={"pk": event.pk}),
            reverse("talks:frab_xml", kwargs={"pk": event.pk}),
            reverse("events:ics", kwargs={"pk": event.pk}),
        ]:
            began = time.monotonic()
            response = client.get(url)
            seconds = time.monotonic() - began
            assert response.status_code == 200, url
            size = len(response.content)
            figures.append((url, size, round(seconds, 3)))
            assert size < 200_000 and seconds < 5, (url, size, seconds)
    for url in [
        group.get_absolute_url(),
        reverse("groups:feed_atom", kwargs={"slug": group.slug}),
        reverse("groups:events_ics", kwargs={"slug": group.slug}),
        reverse("events:search_atom"),
        reverse("events:list"),
    ]:
        assert client.get(url).status_code == 200, url
    print("\nexports of out-of-bounds rows (url, bytes, seconds):", *figures, sep="\n  ")


def test_schedule_lists_at_most_the_cap_of_days(client, stored_out_of_bounds):
    for event in stored_out_of_bounds:
        body = client.get(reverse("talks:frab_json", kwargs={"pk": event.pk})).json()
        days = body["schedule"]["conference"]["days"]
        assert 1 <= len(days) <= bounds.EXPORT_MAX_DAYS

"""The group page's "Call for speakers": upcoming published events with an open speakers'
frame, each with a button to the register page for that frame."""

from __future__ import annotations

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from kaisai.events.enums import EventStatus
from kaisai.registrations.models import Frame
from kaisai.talks.selectors_cfp import open_calls_for_speakers
from tests.factories import EventFactory, GroupFactory


def speakers_frame(event, **fields) -> Frame:
    values = {"name": "LT", "capacity": 5, "requires_talk": True, **fields}
    return Frame.objects.create(event=event, **values)


def test_lists_open_speakers_frames_soonest_first(group):
    now = timezone.now()
    later = EventFactory(group=group, starts_at=now + timedelta(days=60))
    sooner = EventFactory(group=group, starts_at=now + timedelta(days=10))
    lt_later = speakers_frame(later)
    lt_sooner = speakers_frame(sooner, opens_at=now - timedelta(days=1))
    speakers_frame(sooner, name="Not yet", opens_at=now + timedelta(days=1))
    speakers_frame(sooner, name="Closed", closes_at=now - timedelta(hours=1))
    Frame.objects.create(event=sooner, name="General", capacity=100)  # not a speakers' frame
    speakers_frame(EventFactory(group=group, status=EventStatus.DRAFT))
    speakers_frame(EventFactory(group=group, status=EventStatus.CANCELLED))
    past = now - timedelta(days=3)
    speakers_frame(EventFactory(group=group, starts_at=past, ends_at=past + timedelta(hours=2)))
    speakers_frame(EventFactory(group=GroupFactory()))  # another group's

    assert open_calls_for_speakers(group) == [lt_sooner, lt_later]


def test_seats_left_and_full_frame(group):
    event = EventFactory(group=group)
    frame = speakers_frame(event, capacity=2)
    Frame.objects.filter(pk=frame.pk).update(accepted_count=2)
    (listed,) = open_calls_for_speakers(group)
    assert listed.seats_left == 0


def test_group_page_shows_call_with_register_button(client, group):
    event = EventFactory(group=group, title="MLCT #6")
    frame = speakers_frame(event, name="Lightning talks", capacity=5)
    response = client.get(group.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 200
    assert "Call for speakers" in html
    assert "Lightning talks" in html and "5 slots left" in html
    register = reverse("registrations:register", kwargs={"pk": event.pk})
    assert f'href="{register}?frame={frame.pk}"' in html


def test_register_link_preselects_the_speakers_frame(client, group, user):
    event = EventFactory(group=group)
    Frame.objects.create(event=event, name="General", capacity=100)
    frame = speakers_frame(event)
    client.force_login(user)
    response = client.get(
        reverse("registrations:register", kwargs={"pk": event.pk}), {"frame": frame.pk}
    )
    assert response.status_code == 200
    assert str(response.context["form"].initial["frame"]) == str(frame.pk)


def test_group_page_without_call(client, group):
    event = EventFactory(group=group)
    Frame.objects.create(event=event, name="General", capacity=100)
    html = client.get(group.get_absolute_url()).content.decode()
    assert "Call for speakers" not in html


def test_group_page_queries_do_not_grow(client, group):
    def fill(count):
        for _n in range(count):
            speakers_frame(EventFactory(group=group))

    fill(2)
    with CaptureQueriesContext(connection) as few:
        client.get(group.get_absolute_url())
    fill(6)
    with CaptureQueriesContext(connection) as many:
        response = client.get(group.get_absolute_url())
    assert len(response.context["calls_for_speakers"]) == 8
    assert len(many) == len(few)

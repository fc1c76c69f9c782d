"""Fill-the-room mode on the organizer's frame form and the event page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kaisai.registrations import hooks, services
from kaisai.registrations.models import Frame
from tests.conftest import login
from tests.registrations.manage_helpers import frame_data, snapshot


def edit_url(frame) -> str:
    return reverse("registrations:frame_edit", kwargs={"pk": frame.event_id, "frame_id": frame.pk})


def frames_url(event) -> str:
    return reverse("registrations:frames", kwargs={"pk": event.pk})


def stand_in(frame: Frame) -> int:
    return frame.capacity + 28


@pytest.fixture
def planner():
    hooks.connect_accept_planner(stand_in)
    yield stand_in
    hooks.disconnect_accept_planner(stand_in)


def test_organizer_switches_the_mode_on_with_a_risk(client, organizer, make_frame, planner):
    frame = make_frame(capacity=100)
    login(client, organizer)
    page = client.get(edit_url(frame))
    assert page.status_code == 200 and 'name="fill_the_room"' in page.text
    response = client.post(
        edit_url(frame),
        frame_data(capacity=100, fill_the_room="on", overflow_risk_percent="2.5"),
    )
    assert response.status_code == 302, response.text
    frame.refresh_from_db()
    assert frame.overbooking == "forecast" and frame.overflow_risk == 0.025
    assert frame.accept_limit == 128
    listed = client.get(frames_url(frame.event))
    assert "accepts up to 128 for 100 seats (overflow risk 2.5%)" in listed.text
    # the switch off again: back to the capacity
    response = client.post(edit_url(frame), frame_data(capacity=100, overflow_risk_percent="2.5"))
    assert response.status_code == 302
    frame.refresh_from_db()
    assert frame.overbooking == "off" and frame.accept_limit is None


def test_new_frame_with_the_mode_on(client, organizer, event, planner):
    login(client, organizer)
    response = client.post(
        frames_url(event), frame_data(name="Room", capacity=40, fill_the_room="on")
    )
    assert response.status_code == 302, response.text
    frame = Frame.objects.get(name="Room")
    assert frame.overbooking == "forecast" and frame.overflow_risk == 0.05
    assert frame.accept_limit == 68


@pytest.mark.parametrize("percent", ["0", "-5", "50.5", "100", "abc"])
def test_bad_risk_is_a_form_error_and_nothing_is_saved(client, organizer, make_frame, percent):
    frame = make_frame(capacity=10)
    login(client, organizer)
    before = snapshot()
    response = client.post(
        edit_url(frame),
        frame_data(name="Renamed", capacity=12, fill_the_room="on", overflow_risk_percent=percent),
    )
    assert response.status_code == 400
    assert "overflow_risk_percent" in response.context["form"].errors
    assert "Nothing has been saved" in response.text
    assert snapshot() == before
    frame.refresh_from_db()
    assert (frame.overbooking, frame.overflow_risk, frame.name) == ("off", 0.05, "General")


def test_mode_on_without_seats_is_a_form_error(client, organizer, event, make_frame):
    login(client, organizer)
    before = snapshot()
    response = client.post(
        frames_url(event), frame_data(name="Empty", capacity=0, fill_the_room="on")
    )
    assert response.status_code == 400
    assert "needs a frame with seats" in str(response.context["form"].errors["fill_the_room"])
    assert snapshot() == before


def test_organizer_of_another_group_gets_403(client, outsider, make_frame):
    frame = make_frame(capacity=10)
    login(client, outsider)
    before = snapshot()
    assert client.get(edit_url(frame)).status_code == 403
    response = client.post(edit_url(frame), frame_data(capacity=10, fill_the_room="on"))
    assert response.status_code == 403
    assert snapshot() == before
    frame.refresh_from_db()
    assert frame.overbooking == "off"


def test_event_page_shows_seats_honestly(client, make_frame, people, planner):
    frame = make_frame(capacity=2, overbooking="forecast")
    for person in people(33):
        services.register(frame=frame, user=person)
    url = frame.event.get_absolute_url()
    page = client.get(url)
    assert "2 seats · 30 accepted (expected no-shows counted) · waitlist 3" in page.text
    client.cookies["django_language"] = "ja"
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="ja")
    assert "席 2 · 参加確定 30（来ない見込みの人数を考慮） · 補欠 3" in page.text

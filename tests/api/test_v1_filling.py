"""API v1: fill-the-room mode on create_frame / update_frame, and who may use it."""

from __future__ import annotations

import pytest

from kaisai.registrations import hooks, services
from kaisai.registrations.models import Frame
from tests.factories import EventFactory


@pytest.fixture
def event(group):
    return EventFactory(group=group)


def stand_in(frame: Frame) -> int:
    return frame.capacity + 10


@pytest.fixture
def planner():
    hooks.connect_accept_planner(stand_in)
    yield stand_in
    hooks.disconnect_accept_planner(stand_in)


def patch(api, url, data):
    return api.client.patch(url, data, content_type="application/json", headers=api.headers)


def test_create_and_update_frame_with_the_mode(api_as, event, organizer, planner):
    api = api_as(organizer)
    created = api.post(
        f"/api/v1/events/{event.pk}/frames/",
        {"name": "Room", "capacity": 50, "overbooking": "forecast", "overflow_risk": 0.1},
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["overbooking"], body["overflow_risk"], body["accept_limit"]) == (
        "forecast", 0.1, 60,
    )  # fmt: skip
    frame_id = body["id"]
    changed = patch(api, f"/api/v1/frames/{frame_id}/", {"capacity": 70})
    assert changed.status_code == 200 and changed.json()["accept_limit"] == 80
    off = patch(api, f"/api/v1/frames/{frame_id}/", {"overbooking": "off"})
    assert off.status_code == 200
    assert (off.json()["overbooking"], off.json()["accept_limit"]) == ("off", None)
    listed = api.get(f"/api/v1/events/{event.pk}/frames/").json()
    assert listed[0]["overflow_risk"] == 0.1 and listed[0]["overbooking"] == "off"


def test_default_is_off(api_as, event, organizer):
    created = api_as(organizer).post(
        f"/api/v1/events/{event.pk}/frames/", {"name": "Room", "capacity": 5}
    )
    body = created.json()
    assert (body["overbooking"], body["overflow_risk"], body["accept_limit"]) == (
        "off", 0.05, None,
    )  # fmt: skip


@pytest.mark.parametrize(
    "extra",
    [
        {"overflow_risk": 0},
        {"overflow_risk": 0.51},
        {"overflow_risk": -0.1},
        {"overflow_risk": "lots"},
        {"overbooking": "always"},
    ],
)
def test_bad_values_are_422_and_nothing_is_written(api_as, event, organizer, extra):
    api = api_as(organizer)
    response = api.post(
        f"/api/v1/events/{event.pk}/frames/", {"name": "Room", "capacity": 5, **extra}
    )
    assert response.status_code == 422 and response.json()["reason"] == "invalid"
    assert not Frame.objects.filter(name="Room").exists()
    frame = services.create_frame(event=event, by=organizer, capacity=5, name="Kept")
    response = patch(api, f"/api/v1/frames/{frame.pk}/", {"name": "Renamed", **extra})
    assert response.status_code == 422 and response.json()["reason"] == "invalid"
    frame.refresh_from_db()
    assert (frame.name, frame.overbooking, frame.overflow_risk) == ("Kept", "off", 0.05)


def test_mode_on_a_frame_without_seats_is_422(api_as, event, organizer):
    api = api_as(organizer)
    response = api.post(
        f"/api/v1/events/{event.pk}/frames/",
        {"name": "Empty", "capacity": 0, "overbooking": "forecast"},
    )
    assert response.status_code == 422
    assert "overbooking" in response.json()["errors"]
    assert not Frame.objects.filter(name="Empty").exists()
    frame = services.create_frame(event=event, by=organizer, capacity=3, name="On",
                                  overbooking="forecast")  # fmt: skip
    response = patch(api, f"/api/v1/frames/{frame.pk}/", {"capacity": 0})
    assert response.status_code == 422
    frame.refresh_from_db()
    assert frame.capacity == 3


def test_organizer_of_another_group_gets_403(api_as, event, organizer, outsider):
    frame = services.create_frame(event=event, by=organizer, capacity=5, name="Kept")
    api = api_as(outsider)
    response = api.post(
        f"/api/v1/events/{event.pk}/frames/",
        {"name": "Room", "capacity": 5, "overbooking": "forecast"},
    )
    assert response.status_code == 403
    response = patch(api, f"/api/v1/frames/{frame.pk}/", {"overbooking": "forecast"})
    assert response.status_code == 403
    frame.refresh_from_db()
    assert frame.overbooking == "off" and not Frame.objects.filter(name="Room").exists()

"""The show-up forecast in the native API (issue 12): `get_event` and `list_frames` carry a
frame's `forecast` for the group's owners and organizers only."""

from __future__ import annotations

import pytest

from kaisai.api.v1 import events as api_events
from kaisai.forecast.selectors import FrameForecast
from kaisai.groups.enums import Role
from kaisai.registrations import services
from tests.factories import OrganizerFactory, UserFactory

KEYS = {"expected_attendance", "low", "high", "overflow_probability", "recommended_accept"}


@pytest.fixture
def frames(event, organizer):
    seats = services.create_frame(event=event, by=organizer, capacity=3, name="General")
    none = services.create_frame(event=event, by=organizer, capacity=0, name="Online")
    for _ in range(2):
        services.register(frame=seats, user=UserFactory())
    return seats, none


def _frames(body) -> dict[str, dict]:
    return (
        {frame["name"]: frame for frame in body["frames"]}
        if "frames" in body
        else {frame["name"]: frame for frame in body}
    )


def test_organizer_gets_the_forecast(api_as, event, organizer, frames, monkeypatch):
    known = FrameForecast(
        expected_attendance=1.23456, low=0, high=2, overflow_probability=0.012345,
        recommended_accept=4, accepted=2, waitlisted=0, expected_promotions=0.0,
        based_on_history=False, explanation="prior", frame_id=frames[0].pk, capacity=3,
    )  # fmt: skip
    monkeypatch.setattr(api_events, "event_forecast", lambda event, risk=None: [known])
    client = api_as(organizer)
    for url in (f"/api/v1/events/{event.pk}/", f"/api/v1/events/{event.pk}/frames/"):
        response = client.get(url)
        assert response.status_code == 200, url
        by_name = _frames(response.json())
        assert by_name["General"]["forecast"] == {
            "expected_attendance": 1.23, "low": 0, "high": 2,
            "overflow_probability": 0.0123, "recommended_accept": 4,
        }  # fmt: skip
        assert by_name["Online"]["forecast"] is None  # no seats, nothing to forecast


def test_real_forecast_has_the_fields(api_as, event, organizer, frames):
    forecast = _frames(api_as(organizer).get(f"/api/v1/events/{event.pk}/").json())["General"][
        "forecast"
    ]
    assert set(forecast) == KEYS
    assert 0 <= forecast["low"] <= forecast["high"]
    assert 0 <= forecast["overflow_probability"] <= 1
    assert forecast["recommended_accept"] >= 3


def test_co_organizer_gets_it_too(api_as, event, group, frames):
    person = OrganizerFactory(group=group, role=Role.ORGANIZER).user
    body = api_as(person).get(f"/api/v1/events/{event.pk}/").json()
    assert _frames(body)["General"]["forecast"] is not None


@pytest.mark.parametrize("who", ["anonymous", "participant", "reception", "outsider"])
def test_nobody_else_sees_a_forecast(api_as, event, group, frames, outsider, who):
    person = {
        "anonymous": None,
        "participant": UserFactory(),
        "reception": OrganizerFactory(group=group, role=Role.RECEPTION).user,
        "outsider": outsider,  # owner of another group
    }[who]
    client = api_as(person)
    body = client.get(f"/api/v1/events/{event.pk}/").json()
    assert all(frame["forecast"] is None for frame in body["frames"])
    assert "expected_attendance" not in str(body)
    listed = client.get(f"/api/v1/events/{event.pk}/frames/")
    assert listed.status_code in (401, 403)
    assert "expected_attendance" not in listed.content.decode()


def test_openapi_documents_the_forecast(client):
    doc = client.get("/api/v1/openapi.json").json()
    schemas = doc["components"]["schemas"]
    assert set(schemas["FrameForecastOut"]["properties"]) == KEYS
    assert "forecast" in schemas["FrameOut"]["properties"]

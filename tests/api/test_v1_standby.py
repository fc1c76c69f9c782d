"""API v1: a waitlisted person opts in and out as a standby at the door; the registration and
the organizers' CSV say who is one."""

from __future__ import annotations

import csv
import io

import pytest

from kaisai.registrations import services
from kaisai.registrations.models import Registration
from tests.factories import EventFactory, UserFactory


@pytest.fixture
def door(group, organizer):
    event = EventFactory(group=group)
    frame = services.create_frame(
        event=event, by=organizer, capacity=1, name="General", standby_after_minutes=10
    )
    frame.event = event
    seated = services.register(frame=frame, user=UserFactory(nickname="seated"))
    waiting = services.register(frame=frame, user=UserFactory(nickname="waiting"))
    return event, seated, waiting


def put(api, url):
    return api.client.put(url, headers=api.headers)


def test_a_waitlisted_person_opts_in_and_out(api_as, door):
    event, _seated, waiting = door
    api = api_as(waiting.user)
    url = f"/api/v1/events/{event.pk}/registration/standby/"
    response = put(api, url)
    assert response.status_code == 200, response.content
    assert response.json()["standby"] is True
    assert Registration.objects.get(pk=waiting.pk).standby
    mine = api.get(f"/api/v1/events/{event.pk}/registration/").json()
    assert (mine["status"], mine["standby"]) == ("waitlisted", True)
    response = api.delete(url)
    assert response.status_code == 200 and response.json()["standby"] is False
    assert not Registration.objects.get(pk=waiting.pk).standby


def test_an_accepted_person_or_a_stranger_cannot(api_as, door):
    event, seated, _waiting = door
    url = f"/api/v1/events/{event.pk}/registration/standby/"
    refused = put(api_as(seated.user), url)
    assert refused.status_code == 409
    assert refused.json()["reason"] == "not_waitlisted"
    assert put(api_as(UserFactory()), url).status_code == 404
    assert put(api_as(None), url).status_code == 401
    assert not Registration.objects.get(pk=seated.pk).standby


def test_a_frame_without_standby_refuses(api_as, group, organizer):
    event = EventFactory(group=group)
    frame = services.create_frame(event=event, by=organizer, capacity=1, name="General")
    frame.event = event
    services.register(frame=frame, user=UserFactory())
    waiting = services.register(frame=frame, user=UserFactory())
    refused = put(api_as(waiting.user), f"/api/v1/events/{event.pk}/registration/standby/")
    assert (refused.status_code, refused.json()["reason"]) == (409, "no_standby")


def test_the_csv_and_the_organizers_list_show_standbys(api_as, door, organizer, client):
    event, seated, waiting = door
    services.opt_in_standby(registration=waiting, by=waiting.user)
    listed = api_as(organizer).get(f"/api/v1/events/{event.pk}/registrations/").json()
    rows = listed["items"] if isinstance(listed, dict) else listed
    assert {r["id"]: r["standby"] for r in rows} == {seated.pk: False, waiting.pk: True}
    client.force_login(organizer)
    response = client.get(f"/events/{event.pk}/manage/registrations.csv")
    assert response.status_code == 200
    table = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    column = table[0].index("Standby at the door")
    assert {row[1]: row[column] for row in table[1:]} == {"seated": "no", "waiting": "yes"}

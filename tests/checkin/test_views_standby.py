"""The reception's standby panel and its one-tap "Admit": who may use it, what it says."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kaisai.checkin.models import CheckIn
from kaisai.registrations import services as registrations
from kaisai.registrations.enums import Status
from tests.checkin.reception_helpers import url
from tests.checkin.standby_helpers import build_door, fresh, start
from tests.conftest import login
from tests.factories import UserFactory


@pytest.fixture
def door(event, organizer):
    return build_door(event, organizer)


def admit(client, door, registration):
    return client.post(url("admit_standby", door.event), {"registration": registration.pk})


def test_anonymous_is_sent_to_login_and_nothing_is_admitted(client, door):
    start(door.event, minutes_ago=15)
    response = admit(client, door, door.standbys[0])
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert fresh(door.standbys[0]).status == Status.WAITLISTED


def test_organizer_of_another_group_and_a_participant_are_forbidden(client, door, outsider):
    start(door.event, minutes_ago=15)
    for person in (outsider, door.accepted[0].user, door.standbys[1].user):
        login(client, person)
        assert admit(client, door, door.standbys[0]).status_code == 403
        assert client.get(url("reception", door.event)).status_code == 403
    assert fresh(door.standbys[0]).status == Status.WAITLISTED
    assert not CheckIn.objects.exists()


def test_get_is_not_allowed(staff_client, door):
    start(door.event, minutes_ago=15)
    assert staff_client.get(url("admit_standby", door.event)).status_code == 405
    assert fresh(door.standbys[0]).status == Status.WAITLISTED


def test_post_needs_csrf(door, reception_staff):
    start(door.event, minutes_ago=15)
    client = Client(enforce_csrf_checks=True)
    client.force_login(reception_staff)
    assert admit(client, door, door.standbys[0]).status_code == 403
    assert fresh(door.standbys[0]).status == Status.WAITLISTED


def test_reception_role_admits_with_one_tap_and_sees_the_panel_change(staff_client, door):
    start(door.event, minutes_ago=15)
    page = staff_client.get(url("reception", door.event)).content.decode()
    assert "Standbys at the door" in page
    assert "data-free-seats>2</span>" in page and page.count('class="button admit"') == 2
    response = admit(staff_client, door, door.standbys[0])
    assert response.status_code == 302 and response["Location"].endswith("#standby")
    page = staff_client.get(response["Location"]).content.decode()
    name = door.standbys[0].user.name
    assert f"{name} is admitted and checked in (receipt number 3)." in page
    assert "data-free-seats>1</span>" in page
    assert f'data-standby="{door.standbys[0].pk}"' not in page
    assert CheckIn.objects.get(registration=door.standbys[0]).method == "standby"


def test_too_early_says_when_and_shows_no_admit_button(staff_client, door):
    start(door.event, minutes_ago=2)
    page = staff_client.get(url("reception", door.event)).content.decode()
    assert "Too early: standbys are admitted from" in page
    assert 'class="button admit"' not in page
    response = staff_client.post(
        url("admit_standby", door.event), {"registration": door.standbys[0].pk}, follow=True
    )
    assert "Standbys are admitted from" in response.content.decode()
    assert fresh(door.standbys[0]).status == Status.WAITLISTED


def test_no_seat_free_is_said_clearly(staff_client, door, reception_staff):
    from kaisai.checkin import services

    start(door.event, minutes_ago=15)
    for registration in door.accepted:
        services.check_in(event=door.event, registration=registration, by=reception_staff,
                          method="search")  # fmt: skip
    page = staff_client.get(url("reception", door.event)).content.decode()
    assert "No seat is free" in page and 'class="button admit"' not in page
    response = staff_client.post(
        url("admit_standby", door.event), {"registration": door.standbys[0].pk}, follow=True
    )
    assert "No seat is free: every seat is taken." in response.content.decode()
    assert fresh(door.standbys[0]).status == Status.WAITLISTED


def test_registration_of_another_event_is_unknown(staff_client, door, organizer, group):
    from tests.factories import EventFactory

    other = build_door(EventFactory(group=group), organizer)
    start(door.event, minutes_ago=15)
    start(other.event, minutes_ago=15)
    response = staff_client.post(
        url("admit_standby", door.event), {"registration": other.standbys[0].pk}, follow=True
    )
    assert "No such registration for this event." in response.content.decode()
    assert fresh(other.standbys[0]).status == Status.WAITLISTED


def test_event_without_standby_frames_shows_no_panel(client, organizer, event, accepted):
    accepted(1)
    page = login(client, organizer).get(url("reception", event)).content.decode()
    assert "Standbys at the door" not in page


def test_reception_page_queries_do_not_grow_with_standbys(staff_client, event, organizer):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert staff_client.get(url("reception", event)).status_code == 200
        return len(captured)

    small = build_door(event, organizer, seats=1, standbys=1)
    few = queries()
    for _n in range(6):
        registration = registrations.register(frame=small.frame, user=UserFactory())
        registrations.opt_in_standby(registration=registration, by=registration.user)
    assert queries() == few
    start(small.event, minutes_ago=15)  # the panel open, with its buttons
    assert queries() == few

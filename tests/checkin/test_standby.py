"""checkin.services.admit_standby: order, the room's seats, the standby time, who may be
admitted; and two reception phones at once admit each seat once."""

from __future__ import annotations

import threading

import pytest
from django.db import close_old_connections, connection

from kaisai.checkin import services
from kaisai.checkin.errors import CheckInError
from kaisai.checkin.models import CheckIn, Ticket
from kaisai.checkin.selectors_standby import standby_panel
from kaisai.registrations import services as registrations
from kaisai.registrations.enums import Status
from kaisai.registrations.models import Frame, Registration, RegistrationLog
from tests.checkin.standby_helpers import build_door, fresh, start


@pytest.fixture
def door(event, organizer):
    return build_door(event, organizer)


def check_in(door, registration, by):
    return services.check_in(event=door.event, registration=registration, by=by, method="search")


def assert_counter_matches_facts(frame):
    frame = Frame.objects.get(pk=frame.pk)
    accepted = Registration.objects.filter(frame=frame, status=Status.ACCEPTED).count()
    assert frame.accepted_count == accepted


def test_admitted_standby_is_accepted_checked_in_with_ticket_and_audit_row(door, reception_staff):
    start(door.event, minutes_ago=15)
    check_in(door, door.accepted[0], reception_staff)  # one no-show: one seat free
    admitted = services.admit_standby(registration=door.standbys[0], by=reception_staff)
    assert admitted.status == Status.ACCEPTED and admitted.waitlist_key is None
    checkin = CheckIn.objects.get(registration=admitted)
    assert checkin.method == CheckIn.Method.STANDBY and checkin.by == reception_staff
    assert Ticket.objects.filter(registration=admitted).exists()
    log = RegistrationLog.objects.filter(registration=admitted).last()
    assert (log.from_status, log.to_status, log.reason, log.actor) == (
        "waitlisted",
        "accepted",
        "admitted as standby at the door",
        reception_staff,
    )
    assert_counter_matches_facts(door.frame)


def test_the_panel_lists_standbys_in_waitlist_order_with_the_free_seats(door, reception_staff):
    before = standby_panel(door.event)
    assert [box.is_open for box in before] == [False]
    assert [r.pk for r in before[0].standbys] == [r.pk for r in door.standbys]
    start(door.event, minutes_ago=15)
    [box] = standby_panel(door.event)
    assert box.is_open and (box.seats, box.checked_in, box.free) == (2, 0, 2)
    assert door.waiting.pk not in [r.pk for r in box.standbys]  # waitlisted, not a standby
    services.admit_standby(registration=box.standbys[0], by=reception_staff)
    [box] = standby_panel(door.event)
    assert (box.checked_in, box.free) == (1, 1)
    assert [r.pk for r in box.standbys] == [door.standbys[1].pk]


def test_no_standby_admitted_beyond_the_rooms_seats(door, reception_staff):
    start(door.event, minutes_ago=15)
    for registration in door.accepted:
        check_in(door, registration, reception_staff)
    with pytest.raises(CheckInError) as full:
        services.admit_standby(registration=door.standbys[0], by=reception_staff)
    assert full.value.reason == "full"
    assert fresh(door.standbys[0]).status == Status.WAITLISTED
    assert not CheckIn.objects.filter(registration=door.standbys[0]).exists()
    assert_counter_matches_facts(door.frame)


def test_two_free_seats_take_two_standbys_and_no_third(event, organizer, reception_staff):
    door = build_door(event, organizer, seats=2, standbys=3)
    start(door.event, minutes_ago=15)
    for registration in door.standbys[:2]:
        services.admit_standby(registration=registration, by=reception_staff)
    with pytest.raises(CheckInError) as full:
        services.admit_standby(registration=door.standbys[2], by=reception_staff)
    assert full.value.reason == "full"
    # 2 accepted no-shows + 2 standbys: accepted beyond capacity, room exactly full
    frame = Frame.objects.get(pk=door.frame.pk)
    assert frame.accepted_count == 4
    assert CheckIn.objects.filter(registration__frame=frame).count() == frame.capacity
    assert_counter_matches_facts(frame)


def test_too_early_before_the_standby_time(door, reception_staff):
    start(door.event, minutes_ago=5)  # standbys from 10 minutes after the start
    with pytest.raises(CheckInError) as early:
        services.admit_standby(registration=door.standbys[0], by=reception_staff)
    assert early.value.reason == "too_early"
    assert "Standbys are admitted from" in early.value.messages[0]
    assert fresh(door.standbys[0]).status == Status.WAITLISTED


def test_not_a_standby_cancelled_accepted_or_frame_without_standby(door, reception_staff):
    start(door.event, minutes_ago=15)
    for registration, reason in [(door.waiting, "not_standby"), (door.accepted[1], "not_standby")]:
        with pytest.raises(CheckInError) as error:
            services.admit_standby(registration=registration, by=reception_staff)
        assert error.value.reason == reason
    registrations.cancel_registration(registration=door.standbys[0], by=door.standbys[0].user)
    with pytest.raises(CheckInError) as cancelled:
        services.admit_standby(registration=door.standbys[0], by=reception_staff)
    assert cancelled.value.reason == "not_standby"
    Frame.objects.filter(pk=door.frame.pk).update(standby_after_minutes=None)
    with pytest.raises(CheckInError) as off:
        services.admit_standby(registration=door.standbys[1], by=reception_staff)
    assert off.value.reason == "no_standby"
    assert not CheckIn.objects.exists()


def test_the_same_standby_tapped_twice_is_admitted_once(door, reception_staff):
    start(door.event, minutes_ago=15)
    services.admit_standby(registration=door.standbys[0], by=reception_staff)
    with pytest.raises(CheckInError) as again:
        services.admit_standby(registration=door.standbys[0], by=reception_staff)
    assert again.value.reason == "already"
    assert CheckIn.objects.filter(registration=door.standbys[0]).count() == 1
    assert_counter_matches_facts(door.frame)


def test_two_phones_one_after_the_other_fill_one_seat_once(door, reception_staff, organizer):
    """SQLite and PostgreSQL: the second phone's tap, on another standby, finds the seat
    taken (the concurrent version below runs on PostgreSQL)."""
    start(door.event, minutes_ago=15)
    check_in(door, door.accepted[0], reception_staff)  # one seat free
    services.admit_standby(registration=door.standbys[0], by=reception_staff)
    with pytest.raises(CheckInError) as second:
        services.admit_standby(registration=door.standbys[1], by=organizer)
    assert second.value.reason == "full"
    assert CheckIn.objects.filter(registration__frame=door.frame).count() == 2


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_phones_at_once_admit_each_free_seat_once(event, organizer, reception_staff):
    """Several reception phones tap standbys at the same moment, in threads with their own
    connections: one free seat, one admission; the same standby twice, once."""
    door = build_door(event, organizer, seats=3, standbys=4)
    start(door.event, minutes_ago=15)
    for registration in door.accepted[:2]:
        check_in(door, registration, reception_staff)  # 3 seats, 2 in: one seat free
    targets = [*door.standbys, door.standbys[0], door.standbys[1]]
    barrier = threading.Barrier(len(targets))
    outcomes: list[str] = []

    def tap(registration):
        try:
            barrier.wait()
            services.admit_standby(registration=registration, by=reception_staff)
            outcomes.append("admitted")
        except CheckInError as error:
            outcomes.append(error.reason)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=tap, args=(r,)) for r in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count("admitted") == 1
    assert set(outcomes) <= {"admitted", "full", "already"}
    frame = Frame.objects.get(pk=door.frame.pk)
    assert CheckIn.objects.filter(registration__frame=frame).count() == frame.capacity
    # the 3 accepted (one a no-show so far) and the one standby admitted
    assert Registration.objects.filter(frame=frame, status=Status.ACCEPTED).count() == 4
    assert_counter_matches_facts(frame)

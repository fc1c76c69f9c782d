"""A registration rush against two real app servers on one PostgreSQL database.

200 clients register at the same moment for 50 seats; exactly 50 are accepted and 150
waitlisted with distinct positions, with no errors. The control run switches the frame lock
off (a test-only setting) and shows that the race it prevents is real."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest

from kaisai.accounts.services import create_api_tokens, create_users_without_password
from kaisai.checkin.models import Ticket
from kaisai.registrations import hooks, services
from kaisai.registrations.models import Frame, Registration
from tests.factories import EventFactory, GroupFactory, UserFactory
from tests.live.conftest import needs_postgres, start_app_servers

pytestmark = [needs_postgres, pytest.mark.django_db(transaction=True)]

CLIENTS = 200
SEATS = 50


def rush(urls: list[str], frame_id: int, tokens: list[str]) -> list[int]:
    barrier = threading.Barrier(len(tokens))

    def one(index: int) -> int:
        request = urllib.request.Request(
            urls[index % len(urls)] + "/api/v1/registrations/",
            data=json.dumps({"frame_id": frame_id}).encode(),
            headers={"Authorization": f"Bearer {tokens[index]}",
                     "Content-Type": "application/json"},
            method="POST",
        )  # fmt: skip
        barrier.wait()
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code

    with ThreadPoolExecutor(max_workers=len(tokens)) as pool:
        return list(pool.map(one, range(len(tokens))))


def setup_rush(**frame_fields):
    organizer = UserFactory()
    event = EventFactory(group=GroupFactory(owner=organizer))
    frame = services.create_frame(
        event=event, by=organizer, capacity=SEATS, name="General", **frame_fields
    )
    users = create_users_without_password(nicknames=[f"rush{i}" for i in range(CLIENTS)])
    tokens = [token for _, token in create_api_tokens(users=users, name="rush")]
    return frame, tokens


def test_rush_on_two_app_servers_never_oversells():
    frame, tokens = setup_rush()
    with start_app_servers(2) as urls:
        statuses = rush(urls, frame.pk, tokens)
    assert statuses.count(201) == CLIENTS, sorted(set(statuses))
    registrations = Registration.objects.filter(frame=frame)
    assert registrations.filter(status="accepted").count() == SEATS
    waiting = list(registrations.filter(status="waitlisted").values_list("waitlist_key", flat=True))
    assert len(waiting) == CLIENTS - SEATS
    assert len(set(waiting)) == len(waiting)
    assert Frame.objects.get(pk=frame.pk).accepted_count == SEATS
    # every seat got its ticket in the same statement, receipt numbers 1..SEATS, no gap
    numbers = sorted(
        Ticket.objects.filter(registration__frame=frame).values_list("receipt_number", flat=True)
    )
    assert numbers == list(range(1, SEATS + 1))
    assert not Ticket.objects.filter(registration__frame=frame, registration__status="waitlisted")


def test_rush_without_the_lock_oversells_control():
    """Control: the same rush with the lock switched off shows the race exists."""
    frame, tokens = setup_rush()
    with start_app_servers(2, lock=False) as urls:
        rush(urls, frame.pk, tokens)
    accepted = Registration.objects.filter(frame=frame, status="accepted").count()
    counter = Frame.objects.get(pk=frame.pk).accepted_count
    print(f"without the lock: {accepted} accepted for {SEATS} seats, counter says {counter}")
    assert accepted > SEATS or counter != accepted, (accepted, counter)


OVERBOOKED = 15  # the stand-in planner's seats beyond the capacity


def test_rush_in_fill_the_room_mode_never_accepts_beyond_the_limit():
    """Fill-the-room mode on: the planned number (a stand-in planner, connected here; the
    app servers only read the stored `accept_limit`) is accepted exactly, on both app
    servers at once, and everyone else is waitlisted."""

    def stand_in(frame: Frame) -> int:
        return frame.capacity + OVERBOOKED

    hooks.connect_accept_planner(stand_in)
    try:
        frame, tokens = setup_rush(overbooking="forecast")
    finally:
        hooks.disconnect_accept_planner(stand_in)
    limit = SEATS + OVERBOOKED
    assert Frame.objects.get(pk=frame.pk).accept_limit == limit
    with start_app_servers(2) as urls:
        statuses = rush(urls, frame.pk, tokens)
    assert statuses.count(201) == CLIENTS, sorted(set(statuses))
    registrations = Registration.objects.filter(frame=frame)
    assert registrations.filter(status="accepted").count() == limit
    waiting = list(registrations.filter(status="waitlisted").values_list("waitlist_key", flat=True))
    assert len(waiting) == len(set(waiting)) == CLIENTS - limit
    assert Frame.objects.get(pk=frame.pk).accepted_count == limit
    numbers = sorted(
        Ticket.objects.filter(registration__frame=frame).values_list("receipt_number", flat=True)
    )
    assert numbers == list(range(1, limit + 1))

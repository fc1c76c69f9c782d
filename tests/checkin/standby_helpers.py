"""A frame with standby at the door: 2 seats, 2 accepted, 3 waitlisted of whom the first two
opted in as standbys; `start(event, minutes_ago)` moves the event's start into the past."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from kaisai.events.models import Event
from kaisai.registrations import services as registrations
from kaisai.registrations.models import Frame, Registration
from tests.factories import UserFactory


@dataclass
class Door:
    event: Event
    frame: Frame
    accepted: list[Registration]
    standbys: list[Registration]
    waiting: Registration  # waitlisted, not a standby


def build_door(event, organizer, *, seats=2, standbys=2, after=10) -> Door:
    frame = registrations.create_frame(
        event=event, by=organizer, capacity=seats, name="General", standby_after_minutes=after
    )
    frame.event = event
    people = [
        registrations.register(frame=frame, user=UserFactory(nickname=f"person{i}"))
        for i in range(seats + standbys + 1)
    ]
    accepted, waitlisted = people[:seats], people[seats:]
    for registration in waitlisted[:standbys]:
        registrations.opt_in_standby(registration=registration, by=registration.user)
    return Door(event, frame, accepted, waitlisted[:standbys], waitlisted[standbys])


def start(event: Event, minutes_ago: int) -> Event:
    starts_at = timezone.now() - timedelta(minutes=minutes_ago)
    Event.objects.filter(pk=event.pk).update(
        starts_at=starts_at, ends_at=starts_at + timedelta(hours=2)
    )
    event.refresh_from_db()
    return event


def fresh(registration: Registration) -> Registration:
    return Registration.objects.get(pk=registration.pk)

"""Data for the connpass-compatible API tests, made through the registration core's services
so that counts are the real ones."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from kaisai.checkin.models import CheckIn
from kaisai.registrations import services
from kaisai.registrations.enums import Method
from kaisai.registrations.models import Frame, Registration
from tests.factories import EventFactory, UserFactory

# 2025-04-17 18:30 in Tokyo
TOKYO_EVENING = datetime(2025, 4, 17, 9, 30, tzinfo=UTC)


def past_event(**fields):
    fields.setdefault("starts_at", TOKYO_EVENING)
    fields.setdefault("ends_at", fields["starts_at"] + timedelta(hours=2))
    fields.setdefault("time_zone", "Asia/Tokyo")
    return EventFactory(**fields)


def frame(event, capacity: int = 10, method: str = Method.FIRST_COME, **fields) -> Frame:
    if method == Method.LOTTERY:
        fields.setdefault("lottery_at", event.starts_at - timedelta(days=1))
    return services.create_frame(
        event=event, by=None, capacity=capacity, method=method,
        name=fields.pop("name", "General"), **fields,
    )  # fmt: skip


def register(frame: Frame, count: int, prefix: str) -> list[Registration]:
    people = [UserFactory(nickname=f"{prefix}{i}") for i in range(count)]
    return [services.register(frame=frame, user=person) for person in people]


def checked_in(registration: Registration) -> CheckIn:
    return CheckIn.objects.create(
        registration=registration,
        event_id=registration.event_id,
        checked_in_at=registration.event.starts_at,
        method=CheckIn.Method.SEARCH,
    )


def move_to(event, starts_at: datetime, hours: int = 2):
    """Put an event at another time after registrations were taken (the window rule would
    refuse registrations to an event in the past)."""
    type(event).objects.filter(pk=event.pk).update(
        starts_at=starts_at, ends_at=starts_at + timedelta(hours=hours)
    )
    event.refresh_from_db()
    return event

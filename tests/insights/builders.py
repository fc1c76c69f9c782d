"""Build a small series with known numbers for the insights tests: rows written directly with
the times the charts read (registration, its log, its check-in)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from kaisai.checkin.models import CheckIn
from kaisai.events.models import Event
from kaisai.registrations.models import Frame, Registration, RegistrationLog
from tests.factories import EventFactory, UserFactory


def held_event(group, *, days_ago: int, number: int) -> Event:
    starts = timezone.now().replace(hour=10, minute=0, second=0, microsecond=0) - timedelta(
        days=days_ago
    )
    return EventFactory(
        group=group, number=number, starts_at=starts, ends_at=starts + timedelta(hours=3)
    )


def frame_of(event: Event, name: str = "General", capacity: int = 500, order: int = 0) -> Frame:
    return Frame.objects.create(event=event, name=name, capacity=capacity, order=order)


def person(
    frame: Frame,
    *,
    user=None,
    applied_days_before: float = 3,
    accepted: bool = True,
    came: bool = False,
    cancelled_hours_before: float | None = None,
) -> Registration:
    """One registration of `frame`: applied that many days before the start, accepted (with
    its log), then checked in or cancelled that many hours before the start."""
    event = frame.event
    starts: datetime = event.starts_at
    status = (
        "cancelled"
        if cancelled_hours_before is not None
        else ("accepted" if accepted else "waitlisted")
    )
    registration = Registration.objects.create(
        event=event,
        frame=frame,
        user=user or UserFactory(),
        status=status,
        waitlist_key=1 if status == "waitlisted" else None,
    )
    applied_at = starts - timedelta(days=applied_days_before)
    Registration.objects.filter(pk=registration.pk).update(created_at=applied_at)
    if accepted:
        log = RegistrationLog.objects.create(
            registration=registration, from_status="", to_status="accepted", frame=frame
        )
        RegistrationLog.objects.filter(pk=log.pk).update(created_at=applied_at)
    if cancelled_hours_before is not None:
        log = RegistrationLog.objects.create(
            registration=registration,
            from_status="accepted" if accepted else "waitlisted",
            to_status="cancelled",
            frame=frame,
        )
        RegistrationLog.objects.filter(pk=log.pk).update(
            created_at=starts - timedelta(hours=cancelled_hours_before)
        )
    if came:
        CheckIn.objects.create(
            registration=registration, event=event, checked_in_at=starts, method="search"
        )
    return registration

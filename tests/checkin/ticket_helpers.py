"""Helpers for the ticket, self check-in and attendance view tests."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from kaisai.events.models import Event
from kaisai.registrations import services as registrations
from tests.factories import UserFactory


def seat(event, organizer, count, *, capacity=50):
    """`count` accepted registrations in a new frame of the event."""
    frame = registrations.create_frame(
        event=event, by=organizer, capacity=capacity, name=f"Frame {capacity}"
    )
    return [registrations.register(frame=frame, user=UserFactory()) for _ in range(count)]


def move(event, *, starts_in: timedelta, hours: float = 2) -> Event:
    """Move the event in time (registrations are made before, while the window is open)."""
    starts = timezone.now() + starts_in
    Event.objects.filter(pk=event.pk).update(
        starts_at=starts, ends_at=starts + timedelta(hours=hours)
    )
    event.refresh_from_db()
    return event


def url(name, **kwargs) -> str:
    return reverse(f"checkin:{name}", kwargs=kwargs)

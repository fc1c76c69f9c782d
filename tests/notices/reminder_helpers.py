"""Test data for reminders and reconfirmation: an event with a full frame and a waitlist."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from kaisai.core.models import OutboxMail
from kaisai.events.models import Event
from kaisai.notices.models import EventMailSettings
from kaisai.registrations import services
from kaisai.registrations.enums import Status
from kaisai.registrations.models import Frame, Registration
from tests.factories import EventFactory, UserFactory


@dataclass
class Setup:
    event: Event
    frame: Frame
    accepted: list[Registration]
    waitlisted: list[Registration]

    @property
    def starts_at(self) -> datetime:
        return self.event.starts_at

    def before(self, **delta) -> datetime:
        """A moment before the start: `setup.before(hours=23)`."""
        return self.event.starts_at - timedelta(**delta)


def make_setup(
    group,
    organizer,
    *,
    accepted: int = 2,
    waitlisted: int = 1,
    prefix: str = "p",
    starts_in: timedelta = timedelta(days=14),
    **event_fields,
) -> Setup:
    """A published event with one first-come frame of `accepted` seats, all taken, and
    `waitlisted` people behind them. Registrations are made the real way (services.register)."""
    starts_at = timezone.now() + starts_in
    event = EventFactory(
        group=group,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=2, minutes=30),
        **event_fields,
    )
    frame = services.create_frame(event=event, by=organizer, capacity=accepted, name="General")
    people = [UserFactory(nickname=f"{prefix}{i}") for i in range(accepted + waitlisted)]
    registrations = [services.register(frame=frame, user=person) for person in people]
    assert [r.status for r in registrations] == (
        [Status.ACCEPTED] * accepted + [Status.WAITLISTED] * waitlisted
    )
    return Setup(event, frame, registrations[:accepted], registrations[accepted:])


def mail_settings(event: Event, **fields) -> EventMailSettings:
    row, _ = EventMailSettings.objects.update_or_create(event=event, defaults=fields)
    return row


def mails(template: str) -> list[OutboxMail]:
    return list(OutboxMail.objects.filter(template=template).order_by("pk"))


def keys(template: str) -> set[str]:
    return set(OutboxMail.objects.filter(template=template).values_list("key", flat=True))


def fresh(registration: Registration) -> Registration:
    return Registration.objects.get(pk=registration.pk)


def end_event(event: Event) -> None:
    """Move the event into the past (its links expire)."""
    starts_at = timezone.now() - timedelta(hours=5)
    Event.objects.filter(pk=event.pk).update(
        starts_at=starts_at, ends_at=starts_at + timedelta(hours=2)
    )

"""A past event with people who came, one who did not, and a survey (tests of kaisai.surveys)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from kaisai.checkin.models import CheckIn
from kaisai.core.models import OutboxMail
from kaisai.events.models import Event
from kaisai.registrations import services as registrations
from kaisai.registrations.models import Registration
from kaisai.surveys import services
from kaisai.surveys.models import Survey
from tests.factories import UserFactory

LINK = re.compile(r"^(http\S+/survey/[^/\s]+/)\r?$", re.MULTILINE)


@dataclass
class Setup:
    event: Event
    came: list
    absent: list
    survey: Survey


def checked_in(registration: Registration) -> CheckIn:
    return CheckIn.objects.create(
        registration=registration,
        event_id=registration.event_id,
        checked_in_at=registration.event.starts_at,
        method=CheckIn.Method.SEARCH,
    )


def end_event(event: Event, hours_ago: float = 1) -> None:
    """Move the event into the past (registrations were taken while it was ahead)."""
    ends = timezone.now() - timedelta(hours=hours_ago)
    Event.objects.filter(pk=event.pk).update(starts_at=ends - timedelta(hours=2), ends_at=ends)
    event.refresh_from_db()


def past_event_with_people(event, organizer, *, came: int = 3, absent: int = 1) -> Setup:
    frame = registrations.create_frame(event=event, by=organizer, capacity=20, name="General")
    people = [UserFactory() for _ in range(came + absent)]
    regs = [registrations.register(frame=frame, user=person) for person in people]
    end_event(event)
    for registration in regs[:came]:
        checked_in(registration)
    OutboxMail.objects.all().delete()  # the registrations' own mail is not under test
    survey = services.get_or_create_survey(event=event)
    return Setup(event=event, came=people[:came], absent=people[came:], survey=survey)


def link_in(message) -> str:
    body = message.get_body(preferencelist=("plain",)).get_content()
    match = LINK.search(body)
    assert match, body
    return match.group(1)

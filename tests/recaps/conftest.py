"""Fixtures of the recap tests: an event of `group` that ended yesterday, with two frames,
three registrations (two came), a talk and an LT with slides and a video, a sponsor, and the
group's next event with a speakers' frame."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from kaisai.checkin.models import CheckIn
from kaisai.core.models import OutboxMail
from kaisai.events.models import Event
from kaisai.groups.models import Member
from kaisai.registrations import services as registrations
from kaisai.talks.enums import MaterialKind, TalkKind
from tests.factories import EventFactory, SponsorFactory, UserFactory
from tests.talks.factories import MaterialFactory, TalkFactory


@pytest.fixture
def attendees(db):
    return [UserFactory(nickname=f"att{i}", display_name=f"Attendee {i}") for i in range(3)]


@pytest.fixture
def past_event(group, organizer, attendees):
    """Registered while open, then moved to yesterday 19:00–21:00 (Tokyo)."""
    event = EventFactory(group=group, title="ML Night", place="Hall A", address="Shibuya 1-2-3")
    general = registrations.create_frame(event=event, by=organizer, capacity=10, name="General")
    registrations.create_frame(event=event, by=organizer, capacity=3, name="LT")
    regs = [registrations.register(frame=general, user=person) for person in attendees]
    start = (timezone.now() - timedelta(days=1)).replace(hour=10, minute=0, second=0, microsecond=0)
    Event.objects.filter(pk=event.pk).update(starts_at=start, ends_at=start + timedelta(hours=2))
    event.refresh_from_db()
    for registration in regs[:2]:
        CheckIn.objects.create(registration=registration, event=event, checked_in_at=start)
    speaker = UserFactory(nickname="spk", display_name="Sato Speaker")
    talk = TalkFactory(event=event, speaker=speaker, title="Drift monitoring")
    MaterialFactory(
        event=event, talk=talk, kind=MaterialKind.SLIDE, url="https://slides.example/drift",
        title="Drift slides",
    )  # fmt: skip
    lt = TalkFactory(event=event, speaker=attendees[0], title="Tiny LLMs", kind=TalkKind.LT)
    MaterialFactory(
        event=event, talk=lt, kind=MaterialKind.MOVIE, url="https://video.example/tiny",
        title="",
    )  # fmt: skip
    SponsorFactory(event=event, name="Hoshizora AI", provides="Pizza")
    for person in [*attendees, speaker]:
        Member.objects.get_or_create(group=group, user=person)
    OutboxMail.objects.all().delete()  # the registrations' mails: the tests count the recap's
    return event


@pytest.fixture
def next_event(group, organizer):
    event = EventFactory(group=group, title="ML Night 2")
    lt = registrations.create_frame(
        event=event, by=organizer, capacity=5, name="Lightning talks", requires_talk=True
    )
    event.lt_frame = lt
    return event

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import factory

from kaisai.talks.enums import EntryKind, MaterialKind, TalkKind, TalkState
from kaisai.talks.models import Material, Speaker, Talk, TimetableEntry
from tests.factories import EventFactory, UserFactory


class TalkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Talk
        skip_postgeneration_save = True

    event = factory.SubFactory(EventFactory)
    title = factory.Sequence(lambda n: f"Talk {n}")
    abstract = "What we learned."
    kind = TalkKind.TALK
    duration = 20
    state = TalkState.ACCEPTED

    @factory.post_generation
    def speaker(self, create, extracted, **kwargs):
        """TalkFactory(speaker=user) adds that user as a confirmed speaker."""
        if create and extracted is not None:
            Speaker.objects.create(talk=self, user=extracted, confirmed_at=self.created_at)


class SpeakerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Speaker

    talk = factory.SubFactory(TalkFactory)
    user = factory.SubFactory(UserFactory)


class TimetableEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TimetableEntry

    event = factory.SubFactory(EventFactory)
    kind = EntryKind.BREAK
    title = "Break"
    starts_at = factory.LazyAttribute(lambda o: o.event.starts_at + timedelta(minutes=30))
    duration = 10


class MaterialFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Material

    talk = factory.SubFactory(TalkFactory)
    event = factory.LazyAttribute(lambda o: o.talk.event if o.talk else EventFactory())
    kind = MaterialKind.SLIDE
    url = factory.Sequence(lambda n: f"https://speakerdeck.com/someone/talk-{n}")


# Friday 2030-05-17 19:30–22:00 in Tokyo (10:30–13:00 UTC): the timetable tests' event.
TIMETABLE_STARTS = datetime(2030, 5, 17, 10, 30, tzinfo=UTC)


def timetable_event(group):
    return EventFactory(
        group=group,
        number=5,
        starts_at=TIMETABLE_STARTS,
        ends_at=TIMETABLE_STARTS + timedelta(hours=2, minutes=30),
        time_zone="Asia/Tokyo",
        afterparty_starts_at=TIMETABLE_STARTS + timedelta(hours=2, minutes=45),
    )


def timetable_talk(event):
    return TalkFactory(event=event, duration=25, speaker=UserFactory(nickname="speaker"))


def fill_timetable(event, count: int) -> None:
    start = event.starts_at
    for n in range(count):
        talk = TalkFactory(event=event, kind=TalkKind.LT if n % 2 else TalkKind.TALK)
        Speaker.objects.create(talk=talk, user=UserFactory())
        Speaker.objects.create(talk=talk, name=f"Guest {n}")
        TimetableEntryFactory(
            event=event, kind=EntryKind.TALK, talk=talk, title="", starts_at=start, duration=5
        )
        start += timedelta(minutes=5)

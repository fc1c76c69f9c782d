from __future__ import annotations

from datetime import timedelta

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

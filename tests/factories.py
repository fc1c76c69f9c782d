from __future__ import annotations

from datetime import timedelta

import factory
from django.utils import timezone

from kaisai.accounts.models import User
from kaisai.events.enums import EventStatus
from kaisai.events.models import Event, Sponsor
from kaisai.groups.enums import Role
from kaisai.groups.models import (
    Group,
    Member,
    Organizer,
    OrganizerInvitation,
    OrganizerRequest,
)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("nickname",)

    nickname = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.nickname}@example.com")
    display_name = factory.LazyAttribute(lambda o: o.nickname.title())
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery")

    @classmethod
    def _after_postgeneration(cls, instance, create, results=None):
        if create and results:
            instance.save()


class GroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Group
        skip_postgeneration_save = True

    slug = factory.Sequence(lambda n: f"group-{n}")
    title = factory.Sequence(lambda n: f"Group {n}")
    subtitle = "A study group"
    description = "We **meet** every two months."

    @factory.post_generation
    def owner(self, create, extracted, **kwargs):
        if create and extracted is not None:
            Organizer.objects.create(group=self, user=extracted, role=Role.OWNER)


class OrganizerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organizer

    group = factory.SubFactory(GroupFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.ORGANIZER


class MemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Member

    group = factory.SubFactory(GroupFactory)
    user = factory.SubFactory(UserFactory)


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Event

    group = factory.SubFactory(GroupFactory)
    title = factory.Sequence(lambda n: f"Event {n}")
    catch = "Talks and drinks"
    description = "An evening of talks."
    status = EventStatus.PUBLISHED
    starts_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=14))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(hours=2, minutes=30))
    place = "Sponsor Inc. 10F"
    address = "1-2-3 Shibuya, Shibuya-ku, Tokyo"
    prefecture = "tokyo"


class SponsorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Sponsor

    event = factory.SubFactory(EventFactory)
    name = factory.Sequence(lambda n: f"Sponsor {n}")
    url = "https://sponsor.example.com/"
    provides = "venue"


class OrganizerInvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrganizerInvitation

    group = factory.SubFactory(GroupFactory)
    token = factory.Sequence(lambda n: f"invitation-token-{n}")
    role = Role.ORGANIZER
    created_by = factory.SubFactory(UserFactory)
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=7))


class OrganizerRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrganizerRequest

    group = factory.SubFactory(GroupFactory)
    user = factory.SubFactory(UserFactory)
    message = "I would like to help at the reception."

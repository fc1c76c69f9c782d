from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from kaisai.accounts import selectors, services
from kaisai.accounts.models import ApiToken
from kaisai.events.enums import EventStatus
from kaisai.groups.enums import Role
from kaisai.site import selectors_profile
from tests.factories import EventFactory, GroupFactory, OrganizerFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_events_organized_by_lists_public_events_of_managed_groups_newest_first(organizer, group):
    now = timezone.now()
    old = EventFactory(group=group, starts_at=now - timedelta(days=60))
    new = EventFactory(group=group, starts_at=now + timedelta(days=10))
    cancelled = EventFactory(
        group=group, status=EventStatus.CANCELLED, starts_at=now - timedelta(days=5)
    )
    EventFactory(group=group, status=EventStatus.DRAFT)
    EventFactory()  # someone else's group

    events = list(selectors_profile.events_organized_by(organizer))

    assert events[0] == new
    assert set(events) == {old, new, cancelled}
    assert events.index(new) < events.index(old)


def test_events_organized_by_includes_co_organizers_not_reception(group):
    co, reception = UserFactory(), UserFactory()
    OrganizerFactory(group=group, user=co, role=Role.ORGANIZER)
    OrganizerFactory(group=group, user=reception, role=Role.RECEPTION)
    event = EventFactory(group=group)

    assert list(selectors_profile.events_organized_by(co)) == [event]
    assert list(selectors_profile.events_organized_by(reception)) == []


def test_events_attended_and_presented_are_empty_for_now(user):
    assert list(selectors_profile.events_attended_by(user)) == []
    assert list(selectors_profile.events_presented_by(user)) == []


def test_user_for_api_token_finds_the_owner(user):
    _token, key = services.create_api_token(user=user)
    assert selectors.user_for_api_token(key) == user


@pytest.mark.parametrize("key", ["", None, "ks_wrong", "x" * 500])
def test_user_for_api_token_unknown_key_is_none(user, key):
    services.create_api_token(user=user)
    assert selectors.user_for_api_token(key) is None


def test_user_for_api_token_inactive_user_is_none(user):
    _token, key = services.create_api_token(user=user)
    user.is_active = False
    user.save()
    assert selectors.user_for_api_token(key) is None


def test_user_for_api_token_revoked_is_none(user):
    token, key = services.create_api_token(user=user)
    services.revoke_api_token(token=token)
    assert selectors.user_for_api_token(key) is None


def test_user_for_api_token_updates_last_used_at_most_once_a_minute(
    user, django_assert_num_queries
):
    token, key = services.create_api_token(user=user)
    # lookup + first stamp: one statement on PostgreSQL (a data-modifying CTE), else two
    with django_assert_num_queries(1 if connection.vendor == "postgresql" else 2):
        selectors.user_for_api_token(key)
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None

    with django_assert_num_queries(1):  # lookup only
        selectors.user_for_api_token(key)
    token.refresh_from_db()
    assert token.last_used_at == first

    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first - timedelta(minutes=2))
    selectors.user_for_api_token(key)
    token.refresh_from_db()
    assert token.last_used_at > first - timedelta(minutes=2)


def test_api_tokens_of_lists_only_own(user):
    other = UserFactory()
    mine, _ = services.create_api_token(user=user)
    services.create_api_token(user=other)
    assert list(selectors.api_tokens_of(user)) == [mine]


def test_group_factory_owner_is_organizer():
    person = UserFactory()
    group = GroupFactory(owner=person)
    event = EventFactory(group=group)
    assert list(selectors_profile.events_organized_by(person)) == [event]

"""events.access: who may see or act on an event, for every kind of person and status."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404

from kaisai.events.access import (
    can_see_event,
    managed_event_or_403,
    public_event_or_404,
    public_only,
    public_q,
    reception_event_or_403,
    visible_event_or_404,
)
from kaisai.events.enums import EventStatus
from kaisai.events.models import Event
from kaisai.groups.enums import Role
from kaisai.registrations.models import Frame
from tests.factories import EventFactory, GroupFactory, MemberFactory, OrganizerFactory, UserFactory

PEOPLE = ["anonymous", "outsider", "member", "other_organizer", "reception", "organizer", "owner"]
STATUSES = [EventStatus.DRAFT, EventStatus.PUBLISHED, EventStatus.CANCELLED]

# What each person may do, by kind of function ("see" on drafts; published and cancelled
# events are seen by everyone).
SEES_DRAFTS = {"organizer", "owner"}
MANAGES = {"organizer", "owner"}
RECEPTION = {"reception", "organizer", "owner"}


@pytest.fixture
def people(db):
    group = GroupFactory()
    owner = UserFactory(nickname="owner")
    OrganizerFactory(group=group, user=owner, role=Role.OWNER)
    other_organizer = UserFactory(nickname="other")
    GroupFactory(owner=other_organizer)  # organizes another group, not this one
    member = UserFactory(nickname="member")
    MemberFactory(group=group, user=member)
    return group, {
        "anonymous": AnonymousUser(),
        "outsider": UserFactory(nickname="outsider"),
        "member": member,
        "other_organizer": other_organizer,
        "reception": OrganizerFactory(group=group, role=Role.RECEPTION).user,
        "organizer": OrganizerFactory(group=group, role=Role.ORGANIZER).user,
        "owner": owner,
    }


def _event(group, status) -> Event:
    return EventFactory(group=group, status=status)


@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("who", PEOPLE)
def test_can_see_event(people, who, status):
    group, persons = people
    event = _event(group, status)
    expected = status != EventStatus.DRAFT or who in SEES_DRAFTS
    assert can_see_event(persons[who], event) is expected


@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("who", PEOPLE)
def test_visible_event_or_404(people, who, status):
    group, persons = people
    event = _event(group, status)
    if status == EventStatus.DRAFT and who not in SEES_DRAFTS:
        with pytest.raises(Http404):
            visible_event_or_404(persons[who], event.pk)
    else:
        assert visible_event_or_404(persons[who], event.pk) == event


@pytest.mark.parametrize("status", STATUSES)
def test_public_event_or_404_refuses_drafts_to_everyone(people, status):
    group, _persons = people
    event = _event(group, status)
    if status == EventStatus.DRAFT:
        with pytest.raises(Http404):
            public_event_or_404(event.pk)
    else:
        assert public_event_or_404(event.pk) == event


@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("who", PEOPLE)
def test_managed_event_or_403(people, who, status):
    group, persons = people
    event = _event(group, status)
    if who in MANAGES:
        assert managed_event_or_403(persons[who], event.pk) == event
    elif status == EventStatus.DRAFT:
        with pytest.raises(Http404):  # a draft's existence is not revealed
            managed_event_or_403(persons[who], event.pk)
    else:
        with pytest.raises(PermissionDenied):
            managed_event_or_403(persons[who], event.pk)


@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("who", PEOPLE)
def test_reception_event_or_403(people, who, status):
    group, persons = people
    event = _event(group, status)
    if status == EventStatus.DRAFT and who not in SEES_DRAFTS:
        with pytest.raises(Http404):
            reception_event_or_403(persons[who], event.pk)
    elif who in RECEPTION:
        assert reception_event_or_403(persons[who], event.pk) == event
    else:
        with pytest.raises(PermissionDenied):
            reception_event_or_403(persons[who], event.pk)


@pytest.mark.parametrize(
    "lookup",
    [
        lambda user, pk: visible_event_or_404(user, pk),
        lambda user, pk: public_event_or_404(pk),
        lambda user, pk: managed_event_or_403(user, pk),
        lambda user, pk: reception_event_or_403(user, pk),
    ],
)
def test_unknown_event_is_404_even_for_owners(people, lookup):
    _group, persons = people
    with pytest.raises(Http404):
        lookup(persons["owner"], 999999)


def test_queryset_narrows_the_lookup(people):
    group, persons = people
    event = _event(group, EventStatus.PUBLISHED)
    others = Event.objects.exclude(pk=event.pk)
    with pytest.raises(Http404):
        visible_event_or_404(persons["owner"], event.pk, queryset=others)
    with pytest.raises(Http404):
        managed_event_or_403(persons["owner"], event.pk, queryset=others)


def test_public_only_lists_no_drafts(people):
    group, _persons = people
    events = {status: _event(group, status) for status in [*STATUSES, EventStatus.POSTPONED]}
    listed = set(public_only(Event.objects.all()))
    assert listed == {e for s, e in events.items() if s != EventStatus.DRAFT}
    for event in events.values():
        event.frames.create(name="General", capacity=5)
    frames = Frame.objects.filter(public_q("event__")).select_related("event")
    assert {frame.event for frame in frames} == listed

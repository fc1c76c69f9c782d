"""talks.access: who may see, edit or decide a talk (a talk follows its event's draft rule)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404

from kaisai.events.enums import EventStatus
from kaisai.groups.enums import Role
from kaisai.talks.access import (
    can_see_talk,
    decidable_talk_or_403,
    editable_talk_or_403,
    visible_talk_or_404,
)
from kaisai.talks.enums import TalkState
from tests.factories import EventFactory, GroupFactory, OrganizerFactory, UserFactory
from tests.talks.factories import TalkFactory

PEOPLE = ["anonymous", "outsider", "reception", "organizer", "speaker"]


@pytest.fixture
def people(db):
    group = GroupFactory()
    return group, {
        "anonymous": AnonymousUser(),
        "outsider": UserFactory(nickname="outsider"),
        "reception": OrganizerFactory(group=group, role=Role.RECEPTION).user,
        "organizer": OrganizerFactory(group=group, role=Role.ORGANIZER).user,
        "speaker": UserFactory(nickname="speaker"),
    }


def _talk(people, status, state):
    group, persons = people
    event = EventFactory(group=group, status=status)
    return TalkFactory(event=event, state=state, speaker=persons["speaker"])


@pytest.mark.parametrize("who", PEOPLE)
@pytest.mark.parametrize("state", [TalkState.ACCEPTED, TalkState.PROPOSED])
@pytest.mark.parametrize("status", [EventStatus.DRAFT, EventStatus.PUBLISHED])
def test_can_see_talk(people, who, state, status):
    talk = _talk(people, status, state)
    if who in ("speaker", "organizer"):
        expected = True
    elif status == EventStatus.DRAFT:
        expected = False  # drafts: owners and organizers only (and the talk's speakers)
    else:
        expected = state == TalkState.ACCEPTED or who == "reception"
    assert can_see_talk(people[1][who], talk) is expected


@pytest.mark.parametrize("who", PEOPLE)
def test_editable_talk_or_403(people, who):
    talk = _talk(people, EventStatus.PUBLISHED, TalkState.ACCEPTED)
    user = people[1][who]
    if who in ("speaker", "organizer"):
        assert editable_talk_or_403(user, talk.pk) == talk
    else:
        with pytest.raises(PermissionDenied):
            editable_talk_or_403(user, talk.pk)


@pytest.mark.parametrize("who", PEOPLE)
def test_decidable_talk_or_403(people, who):
    talk = _talk(people, EventStatus.PUBLISHED, TalkState.PROPOSED)
    user = people[1][who]
    if who == "organizer":
        assert decidable_talk_or_403(user, talk.pk) == talk
    elif who in ("anonymous", "outsider"):
        with pytest.raises(Http404):  # an undecided talk is not shown to them
            decidable_talk_or_403(user, talk.pk)
    else:
        with pytest.raises(PermissionDenied):
            decidable_talk_or_403(user, talk.pk)


def test_talk_of_a_draft_is_404_to_others_and_unknown_talk_is_404(people):
    talk = _talk(people, EventStatus.DRAFT, TalkState.ACCEPTED)
    for who in ("anonymous", "outsider", "reception"):
        with pytest.raises(Http404):
            visible_talk_or_404(people[1][who], talk.pk)
    with pytest.raises(Http404):
        visible_talk_or_404(people[1]["organizer"], 999999)

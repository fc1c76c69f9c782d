"""Profiles list the talks a person presented: accepted talks of held public events."""

from __future__ import annotations

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from kaisai.events.enums import EventStatus
from kaisai.site import selectors_profile as selectors
from kaisai.talks.enums import MaterialKind, TalkKind, TalkState
from kaisai.talks.models import Speaker
from tests.factories import EventFactory, UserFactory
from tests.talks.factories import MaterialFactory, TalkFactory


def held_event(**kwargs):
    starts = timezone.now() - timedelta(days=kwargs.pop("days_ago", 10))
    return EventFactory(starts_at=starts, ends_at=starts + timedelta(hours=2), **kwargs)


def test_presented_lists_held_events_with_accepted_talks(user):
    older, newer = held_event(days_ago=70, title="MLCT #4"), held_event(title="MLCT #5")
    talk_old = TalkFactory(event=older, speaker=user, title="Old talk")
    talk_new = TalkFactory(event=newer, speaker=user, title="New LT", kind=TalkKind.LT)
    TalkFactory(event=newer, speaker=UserFactory(), title="Someone else's")
    TalkFactory(event=held_event(), speaker=user, state=TalkState.REJECTED)
    TalkFactory(event=held_event(), speaker=user, state=TalkState.WITHDRAWN)
    TalkFactory(event=EventFactory(), speaker=user)  # upcoming: not presented yet
    TalkFactory(event=held_event(status=EventStatus.CANCELLED), speaker=user)
    TalkFactory(event=held_event(status=EventStatus.DRAFT), speaker=user)

    events = list(selectors.events_presented_by(user))

    assert events == [newer, older]
    assert [t.title for t in events[0].presented_talks] == ["New LT"]
    assert events[0].presented_talks == [talk_new]
    assert events[1].presented_talks == [talk_old]


def test_two_talks_at_one_event_one_row(user):
    event = held_event()
    first = TalkFactory(event=event, speaker=user)
    second = TalkFactory(event=event, speaker=user)
    Speaker.objects.create(talk=second, name="Co-speaker")
    (row,) = selectors.events_presented_by(user)
    assert row.presented_talks == [first, second]


def test_slides_are_attached(user):
    talk = TalkFactory(event=held_event(), speaker=user)
    slide = MaterialFactory(talk=talk, title="Deck")
    MaterialFactory(talk=talk, kind=MaterialKind.MOVIE, url="https://www.youtube.com/watch?v=x")
    (row,) = selectors.events_presented_by(user)
    assert row.presented_talks[0].slides == [slide]


def test_profile_page_shows_talks_with_links(client, user):
    event = held_event(title="MLCT #5")
    talk = TalkFactory(event=event, speaker=user, title="Lottery math")
    MaterialFactory(talk=talk, url="https://speakerdeck.com/me/lottery", title="Deck")
    TalkFactory(event=held_event(), speaker=user, title="Rejected idea", state=TalkState.REJECTED)

    html = client.get(user.get_absolute_url()).content.decode()

    assert "Lottery math" in html
    assert reverse("talks:detail", kwargs={"talk_id": talk.pk}) in html
    assert event.get_absolute_url() in html and "MLCT #5" in html
    assert 'href="https://speakerdeck.com/me/lottery"' in html
    assert "Rejected idea" not in html


def test_profile_queries_do_not_grow(client, user):
    def fill(count):
        for _n in range(count):
            talk = TalkFactory(event=held_event(), speaker=user)
            MaterialFactory(talk=talk)

    fill(2)
    with CaptureQueriesContext(connection) as few:
        client.get(user.get_absolute_url())
    fill(10)
    with CaptureQueriesContext(connection) as many:
        response = client.get(user.get_absolute_url())
    assert len(response.context["presented"]) == 12
    assert len(many) == len(few)

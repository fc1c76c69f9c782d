"""The speaker loop: reminders to add slides, 1 day and 7 days after the event, never twice."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from kaisai.core.models import OutboxMail
from kaisai.core.outbox import render
from kaisai.events.enums import EventStatus
from kaisai.notices.enums import MailKind
from kaisai.notices.models import MailOptOut
from kaisai.talks.enums import MaterialKind, TalkState
from kaisai.talks.models import Speaker
from kaisai.talks.services.reminders import remind_missing_slides
from tests.factories import EventFactory, UserFactory
from tests.talks.factories import MaterialFactory, TalkFactory


def _event_ended(days: float, **fields):
    ends = timezone.now() - timedelta(days=days)
    return EventFactory(starts_at=ends - timedelta(hours=2), ends_at=ends, **fields)


@pytest.fixture
def speaker(db):
    return UserFactory(nickname="speaker")


def _keys() -> list[str]:
    return sorted(OutboxMail.objects.values_list("key", flat=True))


def test_first_reminder_one_day_after(speaker):
    talk = TalkFactory(event=_event_ended(1.5), speaker=speaker, title="Drift")
    assert remind_missing_slides() == 1
    mail = OutboxMail.objects.get()
    assert mail.key == f"talk-slides-{talk.pk}-{speaker.pk}-1"
    assert mail.recipient == speaker
    assert mail.kind == MailKind.SPEAKER_REMINDER
    assert mail.template == "speaker_slides_reminder"
    subject, body = render(mail)
    assert "Drift" in subject
    link = reverse("talks:materials", kwargs={"pk": talk.event.pk}) + f"?talk={talk.pk}"
    assert link in body


def test_not_before_one_day(speaker):
    TalkFactory(event=_event_ended(0.5), speaker=speaker)
    TalkFactory(event=EventFactory(), speaker=speaker)  # upcoming
    assert remind_missing_slides() == 0
    assert not OutboxMail.objects.exists()


def test_second_reminder_at_seven_days_and_never_twice(speaker):
    talk = TalkFactory(event=_event_ended(1.2), speaker=speaker)
    now = timezone.now()
    assert remind_missing_slides(now) == 1
    assert remind_missing_slides(now) == 0  # the same day again: nothing
    assert remind_missing_slides(now + timedelta(days=3)) == 0  # still in the first stage
    assert remind_missing_slides(now + timedelta(days=6)) == 1  # 7.2 days after the event
    assert remind_missing_slides(now + timedelta(days=10)) == 0
    assert _keys() == [
        f"talk-slides-{talk.pk}-{speaker.pk}-1",
        f"talk-slides-{talk.pk}-{speaker.pk}-7",
    ]


def test_late_start_sends_only_the_second(speaker):
    talk = TalkFactory(event=_event_ended(9), speaker=speaker)
    assert remind_missing_slides() == 1
    assert _keys() == [f"talk-slides-{talk.pk}-{speaker.pk}-7"]


def test_nothing_after_thirty_days(speaker):
    TalkFactory(event=_event_ended(31), speaker=speaker)
    assert remind_missing_slides() == 0


def test_not_when_slides_exist(speaker):
    with_slides = TalkFactory(event=_event_ended(2), speaker=speaker)
    MaterialFactory(talk=with_slides, kind=MaterialKind.SLIDE)
    only_video = TalkFactory(event=with_slides.event, speaker=speaker)
    MaterialFactory(talk=only_video, kind=MaterialKind.MOVIE)
    assert remind_missing_slides() == 1  # a video is no slides
    assert _keys() == [f"talk-slides-{only_video.pk}-{speaker.pk}-1"]


def test_every_speaker_with_an_account(speaker):
    talk = TalkFactory(event=_event_ended(2), speaker=speaker)
    co_speaker = UserFactory()
    Speaker.objects.create(talk=talk, user=co_speaker, order=1)
    Speaker.objects.create(talk=talk, name="Guest without an account", order=2)
    Speaker.objects.create(talk=talk, user=UserFactory(email=""), order=3)
    assert remind_missing_slides() == 2
    assert set(OutboxMail.objects.values_list("recipient", flat=True)) == {
        speaker.pk,
        co_speaker.pk,
    }


@pytest.mark.parametrize("state", [TalkState.PROPOSED, TalkState.REJECTED, TalkState.WITHDRAWN])
def test_only_accepted_talks(speaker, state):
    TalkFactory(event=_event_ended(2), speaker=speaker, state=state)
    assert remind_missing_slides() == 0


@pytest.mark.parametrize(
    "status", [EventStatus.CANCELLED, EventStatus.POSTPONED, EventStatus.DRAFT]
)
def test_only_published_events(speaker, status):
    TalkFactory(event=_event_ended(2, status=status), speaker=speaker)
    assert remind_missing_slides() == 0


def test_opted_out_speakers_are_skipped(speaker):
    other = UserFactory()
    event = _event_ended(2)
    TalkFactory(event=event, speaker=speaker)
    TalkFactory(event=event, speaker=other)
    MailOptOut.objects.create(user=speaker, kind=MailKind.SPEAKER_REMINDER)
    assert remind_missing_slides() == 1
    assert OutboxMail.objects.get().recipient == other


def test_second_reminder_text(speaker):
    TalkFactory(event=_event_ended(8), speaker=speaker)
    remind_missing_slides()
    _subject, body = render(OutboxMail.objects.get())
    assert "second reminder" in body


def test_query_count_does_not_grow(db, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    event = _event_ended(2)
    for _ in range(2):
        TalkFactory(event=event, speaker=UserFactory())
    with CaptureQueriesContext(connection) as two:
        assert remind_missing_slides() == 2
    for _ in range(10):
        TalkFactory(event=event, speaker=UserFactory())
    # One INSERT per new mail; the reads stay the same.
    with django_assert_max_num_queries(len(two.captured_queries) + 10):
        assert remind_missing_slides() == 10


def test_runs_as_a_periodic_job_of_the_ticker(speaker):
    from kaisai.core.ticker import tick

    TalkFactory(event=_event_ended(2), speaker=speaker)
    path = "kaisai.talks.services.reminders.remind_missing_slides"
    assert tick([path]) == {path: 1}
    assert tick([path]) == {path: 0}

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from kaisai.events import services
from kaisai.events.enums import EventStatus
from kaisai.events.models import Event, Sponsor
from kaisai.events.services import EventError
from tests.factories import EventFactory, GroupFactory, SponsorFactory

FIELDS = {
    "title": "MLCT",
    "starts_at": datetime(2030, 5, 17, 10, 30, tzinfo=UTC),
    "ends_at": datetime(2030, 5, 17, 13, 0, tzinfo=UTC),
    "place": "Sponsor Inc.",
}


def test_create_event_numbers_first_event_one(group, organizer):
    event = services.create_event(group=group, by=organizer, **FIELDS)
    assert event.number == 1
    assert event.status == EventStatus.DRAFT
    assert event.created_by == organizer
    assert event.published_at is None


def test_create_event_numbers_next_after_highest(group, organizer):
    EventFactory(group=group, number=5)
    EventFactory(group=group, number=3)
    EventFactory(group=GroupFactory(), number=40)  # another group's numbers do not count
    event = services.create_event(group=group, by=organizer, **FIELDS)
    assert event.number == 6
    second = services.create_event(group=group, by=organizer, **FIELDS)
    assert second.number == 7


def test_create_event_rejects_unknown_fields(group, organizer):
    with pytest.raises(TypeError):
        services.create_event(group=group, by=organizer, status="published", **FIELDS)
    assert not Event.objects.exists()


def test_create_event_invalid_saves_nothing(group, organizer):
    fields = {**FIELDS, "ends_at": FIELDS["starts_at"] - timedelta(hours=1)}
    with pytest.raises(ValidationError):
        services.create_event(group=group, by=organizer, **fields)
    assert not Event.objects.exists()


def test_update_event_changes_fields(event, organizer):
    services.update_event(event=event, by=organizer, title="Renamed", hashtag="mlct")
    event.refresh_from_db()
    assert (event.title, event.hashtag, event.number) == ("Renamed", "mlct", 5)


def test_publish_event_sets_published_at(draft, organizer):
    services.publish_event(event=draft, by=organizer)
    draft.refresh_from_db()
    assert draft.status == EventStatus.PUBLISHED
    assert draft.published_at is not None


def test_publish_event_again_after_postponing_keeps_first_publication(draft, organizer):
    services.publish_event(event=draft, by=organizer)
    first = Event.objects.get(pk=draft.pk).published_at
    services.postpone_event(event=draft, by=organizer)
    services.publish_event(event=draft, by=organizer)
    draft.refresh_from_db()
    assert draft.status == EventStatus.PUBLISHED
    assert draft.published_at == first


@pytest.mark.parametrize(
    ("start", "service", "end"),
    [
        (EventStatus.DRAFT, services.publish_event, EventStatus.PUBLISHED),
        (EventStatus.PUBLISHED, services.cancel_event, EventStatus.CANCELLED),
        (EventStatus.PUBLISHED, services.postpone_event, EventStatus.POSTPONED),
        (EventStatus.POSTPONED, services.publish_event, EventStatus.PUBLISHED),
        (EventStatus.POSTPONED, services.cancel_event, EventStatus.CANCELLED),
    ],
)
def test_transition_allowed_changes_status(group, organizer, start, service, end):
    event = EventFactory(group=group, status=start)
    returned = service(event=event, by=organizer)
    assert returned.status == end
    assert Event.objects.get(pk=event.pk).status == end


@pytest.mark.parametrize(
    ("start", "service"),
    [
        (EventStatus.DRAFT, services.cancel_event),
        (EventStatus.DRAFT, services.postpone_event),
        (EventStatus.PUBLISHED, services.publish_event),
        (EventStatus.POSTPONED, services.postpone_event),
        (EventStatus.CANCELLED, services.publish_event),
        (EventStatus.CANCELLED, services.cancel_event),
        (EventStatus.CANCELLED, services.postpone_event),
    ],
)
def test_transition_invalid_raises_and_changes_nothing(group, organizer, start, service):
    event = EventFactory(group=group, status=start)
    with pytest.raises(EventError) as error:
        service(event=event, by=organizer)
    assert str(error.value)  # a message the view can show
    fresh = Event.objects.get(pk=event.pk)
    assert fresh.status == start
    assert fresh.published_at is None


def test_copy_event_as_next_numbers_texts_and_dates(event, organizer):
    event.catch = "Casual ML talks"
    event.description = "## Talks\n\nThree talks."
    event.participant_info = "Enter from the side door."
    event.hashtag = "mlct"
    event.stream_url = "https://youtube.example/live"
    event.afterparty_place = "Same floor"
    event.afterparty_starts_at = datetime(2030, 5, 17, 13, 15, tzinfo=UTC)  # 22:15 Tokyo
    event.afterparty_fee = 1000
    event.save()

    new = services.copy_event_as_next(event=event, by=organizer)

    assert new.pk != event.pk
    assert new.number == 6
    assert new.status == EventStatus.DRAFT
    assert new.title == "MLCT #6"
    # The catch line and the stream URL belong to the old event.
    assert (new.catch, new.stream_url) == ("", "")
    for name in (
        "description",
        "participant_info",
        "hashtag",
        "place",
        "address",
        "prefecture",
        "venue_kind",
        "time_zone",
        "afterparty_place",
        "afterparty_fee",
    ):
        assert getattr(new, name) == getattr(event, name), name
    # No series yet: two months later on the same weekday (the 3rd Friday), same wall-clock
    # times in Tokyo (19:30–22:00, after-party 22:15).
    assert new.starts_at == datetime(2030, 7, 19, 10, 30, tzinfo=UTC)
    assert new.ends_at == datetime(2030, 7, 19, 13, 0, tzinfo=UTC)
    assert new.afterparty_starts_at == datetime(2030, 7, 19, 13, 15, tzinfo=UTC)
    assert new.published_at is None


def test_copy_event_as_next_copies_sponsors(event, organizer):
    SponsorFactory(event=event, name="Venue Co", provides="Venue", order=1)
    SponsorFactory(event=event, name="Drinks Co", provides="Drinks & after-party", order=2)

    new = services.copy_event_as_next(event=event, by=organizer)

    copied = list(new.sponsors.values_list("name", "provides", "order", "url"))
    assert copied == [
        ("Venue Co", "Venue", 1, "https://sponsor.example.com/"),
        ("Drinks Co", "Drinks & after-party", 2, "https://sponsor.example.com/"),
    ]
    assert event.sponsors.count() == 2
    assert Sponsor.objects.count() == 4


def test_copy_event_as_next_takes_number_after_highest(event, organizer):
    EventFactory(group=event.group, number=9)
    new = services.copy_event_as_next(event=event, by=organizer)
    assert new.number == 10
    assert new.title == "MLCT #10"


def test_copy_event_as_next_keeps_local_time_across_daylight_saving(group, organizer):
    # 19:00 in Berlin is 18:00 UTC in February (CET) and 17:00 UTC in April (CEST).
    event = EventFactory(
        group=group,
        number=1,
        time_zone="Europe/Berlin",
        starts_at=datetime(2030, 2, 14, 18, 0, tzinfo=UTC),
        ends_at=datetime(2030, 2, 14, 20, 0, tzinfo=UTC),
    )
    new = services.copy_event_as_next(event=event, by=organizer)
    # The 2nd Thursday of April, 19:00 in Berlin.
    assert new.starts_at == datetime(2030, 4, 11, 17, 0, tzinfo=UTC)
    assert new.ends_at == datetime(2030, 4, 11, 19, 0, tzinfo=UTC)


def test_copy_event_as_next_fifth_weekday_becomes_the_last(group, organizer):
    # Monday 31 December 19:00 Tokyo (a 5th Monday) → the last Monday of February, 19:00.
    event = EventFactory(
        group=group,
        number=1,
        starts_at=datetime(2029, 12, 31, 10, 0, tzinfo=UTC),
        ends_at=datetime(2029, 12, 31, 13, 0, tzinfo=UTC),
    )
    new = services.copy_event_as_next(event=event, by=organizer)
    assert new.starts_at == datetime(2030, 2, 25, 10, 0, tzinfo=UTC)
    assert new.ends_at - new.starts_at == timedelta(hours=3)


def test_copy_event_as_next_on_a_chosen_date(event, organizer):
    chosen = datetime(2030, 6, 21, 10, 30, tzinfo=UTC)
    new = services.copy_event_as_next(event=event, by=organizer, starts_at=chosen)
    assert new.starts_at == chosen
    assert new.ends_at - new.starts_at == event.ends_at - event.starts_at


def test_copy_event_as_next_refuses_a_start_in_the_past(event, organizer):
    with pytest.raises(services.EventError):
        services.copy_event_as_next(
            event=event, by=organizer, starts_at=timezone.now() - timedelta(days=1)
        )
    assert Event.objects.count() == 1


@pytest.mark.parametrize(
    ("value", "months", "expected"),
    [
        (datetime(2030, 1, 31, 19, 30), 1, datetime(2030, 2, 28, 19, 30)),
        (datetime(2030, 11, 15, 19, 30), 2, datetime(2031, 1, 15, 19, 30)),
        (datetime(2031, 12, 31, 9, 0), 2, datetime(2032, 2, 29, 9, 0)),
    ],
)
def test_add_months_keeps_wall_clock(value, months, expected):
    assert services.add_months(value, months) == expected

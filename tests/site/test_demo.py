"""The demo data generator (kaisai.site.demo)."""

from __future__ import annotations

import random
import re
from datetime import date, timedelta

import pytest
from allauth.account.models import EmailAddress
from django.utils import timezone

from kaisai.accounts.models import User, nickname_validator
from kaisai.events.enums import EventStatus, VenueKind
from kaisai.events.models import Event
from kaisai.groups.models import Group, Member
from kaisai.site.demo import generate
from kaisai.site.demo.names import generate_people


def test_generate_people_unique_valid_and_deterministic():
    first = generate_people(random.Random(1), 300)
    again = generate_people(random.Random(1), 300)
    assert first == again
    nicknames = [p.nickname for p in first]
    assert len(set(nicknames)) == 300
    for person in first:
        nickname_validator(person.nickname)
        assert person.nickname not in {"demo", "admin", "settings"}
        if person.x_account:
            assert re.fullmatch(r"[A-Za-z0-9_]{1,15}", person.x_account)
        if person.github_account:
            assert re.fullmatch(r"[A-Za-z0-9-]{1,39}", person.github_account)
    japanese = [p for p in first if p.japanese]
    assert 0.5 < len(japanese) / len(first) < 0.9
    assert all(re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", p.display_name) for p in japanese)


def test_demo_people_reserve_the_fixed_accounts():
    people = generate.demo_people()
    assert len(people) == generate.USER_COUNT
    assert [p.nickname for p in people[:3]] == ["demo", "hiroshi_tanaka", "emily-clark"]
    assert len({p.nickname for p in people}) == len(people)


@pytest.fixture
def demo(db):
    assert not generate.demo_exists()
    return generate.load_demo(password="pw-for-tests", today=date(2026, 3, 2))


def test_load_demo_summary(demo):
    assert demo.users == 250
    assert demo.groups == 5
    assert demo.events == Event.objects.count() >= 14
    assert generate.demo_exists()


def test_load_demo_every_user_verified_and_same_password(demo):
    users = User.objects.all()
    assert EmailAddress.objects.filter(verified=True, primary=True).count() == users.count()
    assert len(set(users.values_list("password", flat=True))) == 1
    demo_user = User.objects.get(nickname="demo")
    assert demo_user.email == "demo@example.com"
    assert demo_user.check_password("pw-for-tests")


def test_load_demo_mlct_group(demo):
    mlct = Group.objects.get(slug="mlct")
    assert "機械学習" in mlct.description
    assert mlct.title == "Machine Learning Casual Talks"
    assert Member.objects.filter(group=mlct).count() > 200
    assert Member.objects.filter(group=mlct, user__nickname="demo").exists()


def test_load_demo_mlct_past_events_every_two_months_on_friday_evenings(demo):
    events = list(Event.objects.filter(group__slug="mlct").order_by("number"))
    assert [e.number for e in events] == [1, 2, 3, 4, 5]
    for event in events:
        local = event.local_starts_at
        assert local.weekday() == 4
        assert (local.hour, local.minute) == (19, 30)
        assert event.ends_at - event.starts_at == timedelta(hours=2)
        assert event.status == EventStatus.PUBLISHED
        assert event.published_at is not None and event.published_at < event.starts_at
        assert event.prefecture == "tokyo"
        assert event.address.startswith("東京都")
        assert event.latitude is not None and event.longitude is not None
        assert event.sponsors.filter(provides__icontains="venue").exists()
        assert event.hashtag == "mlct"
    for earlier, later in zip(events, events[1:], strict=False):
        assert 55 <= (later.starts_at - earlier.starts_at).days <= 67


def test_load_demo_upcoming_mlct_5(demo):
    event = Event.objects.get(group__slug="mlct", number=5)
    assert event.local_starts_at.date() == date(2026, 3, 20)  # Friday nearest to 3 weeks on
    sponsor = event.sponsors.get()
    assert "Venue" in sponsor.provides
    assert "Drinks & after-party" in sponsor.provides
    assert event.afterparty_place
    assert event.afterparty_starts_at > event.starts_at
    assert event.afterparty_fee
    assert event.stream_url.startswith("https://www.youtube.com/")
    assert "4821" in event.participant_info
    assert event.created_by.nickname == "demo"


def test_load_demo_other_groups_have_varied_events(db):
    generate.load_demo(password="pw")
    others = Event.objects.exclude(group__slug="mlct")
    now = timezone.now()
    assert Group.objects.count() >= 4
    assert others.filter(venue_kind=VenueKind.ONLINE).exists()
    assert others.filter(status=EventStatus.CANCELLED).exists()
    assert others.filter(starts_at__gt=now).count() >= 3
    assert others.filter(ends_at__lt=now).count() >= 3
    assert others.filter(prefecture="osaka").exists()
    for group in Group.objects.exclude(slug="mlct"):
        assert group.organizers.count() >= 1
        assert group.events.count() >= 2


def test_load_demo_is_deterministic(db):
    generate.load_demo(password="pw")
    first = list(User.objects.order_by("nickname").values_list("nickname", "display_name"))
    generate.delete_demo()
    assert not User.objects.exists()
    generate.load_demo(password="pw")
    assert list(User.objects.order_by("nickname").values_list("nickname", "display_name")) == first


def test_delete_demo_removes_demo_rows_only(demo):
    keeper = User.objects.create_user("keeper", "keeper@example.org", "pw")
    generate.delete_demo()
    assert not Group.objects.exists()
    assert not Event.objects.exists()
    assert list(User.objects.values_list("nickname", flat=True)) == [keeper.nickname]


def test_load_demo_registrations_tell_the_story(demo):
    from kaisai.registrations.enums import Method
    from kaisai.registrations.models import Frame, LotteryDraw, Registration

    upcoming = Event.objects.get(group__slug="mlct", number=5)
    frames = {frame.method + str(frame.capacity): frame for frame in upcoming.frames.all()}
    general = frames[Method.LOTTERY + "100"]
    assert Registration.objects.filter(frame=general, status="applied").count() >= 200
    assert LotteryDraw.objects.get(frame=general).commitment  # published before the draw
    assert general.lottery_at < upcoming.starts_at
    for frame in upcoming.frames.exclude(pk=general.pk):
        assert frame.method == (Method.APPROVAL if frame.requires_talk else Method.FIRST_COME)
        assert 0 < frame.accepted_count < frame.capacity  # seats left
    for event in Event.objects.filter(group__slug="mlct", number__lt=5):
        statuses = set(Registration.objects.filter(event=event).values_list("status", flat=True))
        assert {"accepted", "waitlisted", "cancelled"} <= statuses
    for frame in Frame.objects.filter(event__group__slug="mlct"):
        facts = Registration.objects.filter(frame=frame, status="accepted").count()
        assert frame.accepted_count == facts <= frame.capacity


def test_load_demo_past_events_have_tickets_and_realistic_check_ins(demo):
    from kaisai.checkin.models import CheckIn, Ticket
    from kaisai.checkin.selectors import attendance_numbers

    past = Event.objects.filter(group__slug="mlct", number__lt=5)
    assert past.count() == 4
    for event in past:
        numbers = attendance_numbers(event)
        assert 0.6 <= numbers["attendance_rate"] <= 0.8
        assert numbers["no_show"] == numbers["accepted"] - numbers["attended"] > 0
        tickets = Ticket.objects.filter(event=event)
        assert tickets.count() == numbers["accepted"]
        assert sorted(tickets.values_list("receipt_number", flat=True)) == list(
            range(1, numbers["accepted"] + 1)
        )
        assert not tickets.exclude(registration__status="accepted").exists()
        for checkin in CheckIn.objects.filter(event=event).select_related("registration"):
            local = checkin.checked_in_at.astimezone(event.tz)
            assert (19, 0) <= (local.hour, local.minute) <= (19, 45)
            assert checkin.registration.status == "accepted"
    upcoming = Event.objects.get(group__slug="mlct", number=5)
    assert not CheckIn.objects.filter(event=upcoming).exists()


def test_load_demo_mlct_history_makes_the_forecast_meaningful(demo):
    """Regulars come far more often than drop-ins, LT speakers all came, #5's general frame
    is a lottery whose forecast has history behind it."""
    from kaisai.checkin.models import CheckIn
    from kaisai.forecast.selectors import event_forecast
    from kaisai.registrations.models import Registration

    past = Event.objects.filter(group__slug="mlct", number__lt=5)
    came = set(CheckIn.objects.filter(event__in=past).values_list("registration_id", flat=True))
    accepted = Registration.objects.filter(event__in=past, status="accepted")
    visits: dict[int, list[bool]] = {}
    for row in accepted.filter(frame__requires_talk=False):
        visits.setdefault(row.user_id, []).append(row.pk in came)
    often = [sum(v) / len(v) for v in visits.values() if len(v) >= 3]
    once = [sum(v) / len(v) for v in visits.values() if len(v) == 1]
    assert often and once
    assert sum(often) / len(often) > sum(once) / len(once) + 0.2
    speakers = accepted.filter(frame__requires_talk=True)
    assert speakers.count() >= 4 * 3
    assert all(row.pk in came for row in speakers)

    upcoming = Event.objects.get(group__slug="mlct", number=5)
    general, *_ = event_forecast(upcoming)
    assert general.based_on_history
    assert 110 <= general.recommended_accept <= 150  # about 70% come: more than 100 to fill 100


def test_demo_applications_lie_in_the_past(demo):
    """However near #5 falls, nobody applied at a time still to come."""
    from django.utils import timezone

    from kaisai.registrations.models import Registration

    assert not Registration.objects.filter(created_at__gt=timezone.now()).exists()


def test_demo_descriptions_tell_the_real_timetable(demo):
    """The timetable in each MLCT description is the event's timetable, not fixed slots."""
    from django.utils import timezone

    from kaisai.talks.models import TimetableEntry

    for event in Event.objects.filter(group__slug="mlct"):
        assert "{timetable}" not in event.description
        for entry in TimetableEntry.objects.filter(event=event).select_related("talk"):
            at = timezone.localtime(entry.starts_at, event.tz).strftime("%H:%M")
            what = entry.talk.title if entry.talk else entry.title.split(" / ")[0]
            assert f"| {at} | {what} |" in event.description, (event.number, at, what)

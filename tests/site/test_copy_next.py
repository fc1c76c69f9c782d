"""Copy as next (docs/copy-as-next.md): the preview lists what will be copied with the moved
dates; creating writes frames, questionnaire, sponsors, after-party and a timetable skeleton
in one transaction, on the series' weekday; a copy whose frames would open in the past is
refused with nothing written; organizers of another group get 403."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from kaisai.events.enums import EventStatus
from kaisai.events.models import Event
from kaisai.events.series import next_start, same_weekday_months_later
from kaisai.registrations import services as registration_services
from kaisai.registrations.enums import Method, Overbooking
from kaisai.registrations.models import Frame, LotteryDraw, Question, Registration
from kaisai.site.services_copy_next import CopyError, do_copy_as_next
from kaisai.talks.enums import EntryKind
from kaisai.talks.models import Material, Talk, TimetableEntry
from tests.conftest import login
from tests.factories import EventFactory, OrganizerFactory, SponsorFactory, UserFactory
from tests.talks.factories import TalkFactory, TimetableEntryFactory

pytestmark = pytest.mark.django_db
TOKYO = ZoneInfo("Asia/Tokyo")


def tokyo(*args) -> datetime:
    return datetime(*args, tzinfo=TOKYO)


@pytest.fixture
def series(group, organizer):
    """MLCT #4 and #5 on Fridays 19:30 Tokyo, eight weeks apart; #5 with everything."""
    base = timezone.now().astimezone(TOKYO).replace(hour=19, minute=30, second=0, microsecond=0)
    friday = base + timedelta(days=(4 - base.weekday()) % 7 + 7)
    EventFactory(group=group, number=4, title="MLCT #4", starts_at=friday - timedelta(weeks=8),
                 ends_at=friday - timedelta(weeks=8) + timedelta(hours=2))  # fmt: skip
    event = EventFactory(
        group=group, number=5, title="MLCT #5", starts_at=friday,
        ends_at=friday + timedelta(hours=2, minutes=30), time_zone="Asia/Tokyo",
        catch="Old catch", stream_url="https://stream.example/old",
        afterparty_place="Same floor", afterparty_starts_at=friday + timedelta(hours=3),
    )  # fmt: skip
    registration_services.create_frame(
        event=event, by=organizer, capacity=50, name="General", method=Method.LOTTERY,
        opens_at=friday - timedelta(days=5), lottery_at=friday - timedelta(days=2),
        closes_at=friday - timedelta(days=2), overbooking=Overbooking.FORECAST,
        overflow_risk=0.1, fee=500, order=1,
    )  # fmt: skip
    registration_services.create_frame(
        event=event, by=organizer, capacity=5, name="LT", requires_talk=True, order=2,
        standby_after_minutes=10,
    )  # fmt: skip
    Question.objects.create(event=event, label="Job?", kind="single", choices="Dev\nOps",
                            required=True, order=1)  # fmt: skip
    Question.objects.create(event=event, label="Comments", order=2)
    SponsorFactory(event=event, name="Venue Co", provides="Venue")
    talk = TalkFactory(event=event, speaker=UserFactory())
    TimetableEntryFactory(event=event, kind=EntryKind.DOORS, title="Doors",
                          starts_at=friday - timedelta(minutes=30), duration=30)  # fmt: skip
    TimetableEntry.objects.create(event=event, kind=EntryKind.TALK, talk=talk,
                                  starts_at=friday, duration=20)  # fmt: skip
    Material.objects.create(event=event, talk=talk, url="https://slides.example/1")
    return event


def copy_url(event) -> str:
    return reverse("events:copy", kwargs={"pk": event.pk})


def test_copy_keeps_frames_questions_sponsors_afterparty_and_a_skeleton(series, organizer):
    general = Frame.objects.get(event=series, name="General")
    new = do_copy_as_next(event=series, by=organizer)

    assert (new.number, new.title, new.status) == (6, "MLCT #6", EventStatus.DRAFT)
    # Same weekday (its place in the month) and local time, the series' interval (eight
    # weeks: two months) later.
    expected = same_weekday_months_later(series.starts_at.astimezone(TOKYO).replace(tzinfo=None), 2)
    assert new.starts_at == expected.replace(tzinfo=TOKYO)
    local = new.starts_at.astimezone(TOKYO)
    assert (local.weekday(), local.hour, local.minute) == (4, 19, 30)
    assert (new.catch, new.stream_url) == ("", "")
    assert new.afterparty_place == "Same floor"
    assert new.afterparty_starts_at == new.starts_at + timedelta(hours=3)

    frames = list(Frame.objects.filter(event=new).order_by("order"))
    assert [f.name for f in frames] == ["General", "LT"]
    copied = frames[0]
    shift = new.starts_at - series.starts_at
    assert (copied.method, copied.capacity, copied.fee) == (Method.LOTTERY, 50, 500)
    assert (copied.overbooking, copied.overflow_risk) == (Overbooking.FORECAST, 0.1)
    assert copied.opens_at == general.opens_at + shift
    assert copied.lottery_at == general.lottery_at + shift
    assert copied.closes_at == general.closes_at + shift
    assert copied.accepted_count == 0
    # A new lottery: its own secret seed, not drawn.
    new_draw = LotteryDraw.objects.get(frame=copied)
    assert new_draw.seed != LotteryDraw.objects.get(frame=general).seed
    assert not new_draw.is_drawn
    assert (frames[1].requires_talk, frames[1].standby_after_minutes) == (True, 10)

    questions = list(Question.objects.filter(event=new).values_list("label", "required"))
    assert questions == [("Job?", True), ("Comments", False)]
    assert list(new.sponsors.values_list("name", flat=True)) == ["Venue Co"]

    slots = list(TimetableEntry.objects.filter(event=new).order_by("starts_at"))
    assert [(s.kind, s.talk_id) for s in slots] == [("doors", None), ("other", None)]
    assert slots[1].starts_at == new.starts_at and slots[1].duration == 20
    assert not Talk.objects.filter(event=new).exists()
    assert not Material.objects.filter(event=new).exists()
    assert not Registration.objects.filter(event=new).exists()


def test_frames_window_in_the_past_is_refused_and_nothing_is_written(series, organizer):
    before = Event.objects.count(), Frame.objects.count(), Question.objects.count()
    # A start tomorrow would open the General frame five days ago.
    with pytest.raises(CopyError, match="General"):
        do_copy_as_next(event=series, by=organizer, starts_at=timezone.now() + timedelta(days=1))
    assert (Event.objects.count(), Frame.objects.count(), Question.objects.count()) == before


def test_preview_lists_moved_dates_and_the_page_can_change_the_date(client, series, organizer):
    login(client, organizer)
    html = client.get(copy_url(series)).content.decode()
    new_start = next_start(series).astimezone(TOKYO)
    shift = new_start - series.starts_at
    assert "MLCT #6" in html
    assert new_start.strftime("%Y-%m-%d") in html
    opens = (Frame.objects.get(name="General").opens_at + shift).astimezone(TOKYO)
    assert opens.strftime("%Y-%m-%d %H:%M") in html
    assert "Job?" in html and "Venue Co" in html
    assert Event.objects.count() == 2  # a preview writes nothing

    later = new_start + timedelta(weeks=1)
    response = client.post(
        copy_url(series), {"starts_at": later.strftime("%Y-%m-%dT%H:%M"), "confirm": "1"}
    )
    new = Event.objects.get(group=series.group, number=6)
    assert response.status_code == 302 and response["Location"] == new.get_absolute_url()
    assert new.starts_at == later.astimezone(UTC)
    assert Frame.objects.filter(event=new).count() == 2


def test_bad_date_on_the_page_is_a_clear_error(client, series, organizer):
    login(client, organizer)
    past = (timezone.now() + timedelta(days=1)).astimezone(TOKYO)
    response = client.post(
        copy_url(series), {"starts_at": past.strftime("%Y-%m-%dT%H:%M"), "confirm": "1"}
    )
    assert response.status_code == 400
    assert "Choose a later date." in response.content.decode()
    assert Event.objects.count() == 2


@pytest.mark.parametrize("method", ["get", "post"])
def test_organizer_of_another_group_gets_403(client, series, method):
    stranger = OrganizerFactory().user
    login(client, stranger)
    response = getattr(client, method)(copy_url(series), {"confirm": "1"})
    assert response.status_code == 403
    assert Event.objects.count() == 2  # #4 and #5


def test_weekly_series_keeps_its_week_rhythm(group, organizer):
    start = tokyo(2030, 3, 6, 19, 0)  # a Wednesday
    for n in range(3):
        EventFactory(group=group, number=n + 1, title=f"Weekly #{n + 1}",
                     starts_at=start + timedelta(weeks=2 * n),
                     ends_at=start + timedelta(weeks=2 * n, hours=2))  # fmt: skip
    last = Event.objects.get(number=3)
    new = do_copy_as_next(event=last, by=organizer)
    assert new.starts_at == last.starts_at + timedelta(weeks=2)

"""Forecasts from the database: history before the event only, the fallback without history,
updates as people register, cancel, reconfirm and check in, and bounded queries."""

from __future__ import annotations

import json
import random
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kaisai.checkin.models import CheckIn
from kaisai.forecast import history, planner, selectors
from kaisai.forecast.backtest import backtest_group
from kaisai.registrations import services as registrations
from kaisai.registrations.enums import Status
from tests.factories import EventFactory, GroupFactory
from tests.forecast.synthetic import held_series, people, reconfirm

pytestmark = pytest.mark.django_db


@pytest.fixture
def regulars(group):
    """60 people of known rates, 12 held events of 30 each."""
    rng = random.Random(4)
    users = people(60)
    rates = {u.pk: rng.choice([0.2, 0.5, 0.9]) for u in users}
    held_series(group, rates, events=12, per_event=30, talk_share=0.1, late_cancel_share=0.3)
    return users, rates


@pytest.fixture
def upcoming(group, organizer):
    event = EventFactory(group=group)
    frame = registrations.create_frame(event=event, by=organizer, capacity=20, name="General")
    return event, frame


def test_history_counts_attended_no_shows_and_late_cancels(group, regulars):
    users, _ = regulars
    past = history.group_history(group.pk, timezone.now())
    assert len({o.event_id for o in past.outcomes}) == 12
    assert len(past.outcomes) == 12 * 30  # a late cancel is in the record
    cancelled = sum(1 for o in past.outcomes if not o.came)
    assert 0 < cancelled < len(past.outcomes)
    assert past.cancel_rate > 0


def test_only_history_before_the_event_counts(group, regulars, organizer):
    events = list(group.events.order_by("starts_at"))
    middle = events[6]
    past = history.event_history(middle)
    assert {o.event_id for o in past.outcomes} == {e.pk for e in events[:6]}


def test_no_history_falls_back_to_the_prior_and_says_so(upcoming, user):
    event, frame = upcoming
    registrations.register(frame=frame, user=user)
    forecast = selectors.frame_forecast(frame)
    assert not forecast.based_on_history
    assert "No past events" in forecast.explanation
    assert forecast.accepted == 1
    assert forecast.expected_attendance == pytest.approx(0.5, abs=0.05)
    assert forecast.recommended_accept >= frame.capacity


def test_forecast_follows_the_facts(group, regulars, upcoming, organizer):
    users, rates = regulars
    event, frame = upcoming
    reliable = [u for u in users if rates[u.pk] == 0.9][:10]
    flaky = [u for u in users if rates[u.pk] == 0.2][:10]
    regs = [registrations.register(frame=frame, user=u) for u in reliable + flaky]
    first = selectors.frame_forecast(frame)
    assert first.based_on_history and "12 past events" in first.explanation
    assert first.accepted == 20 and first.capacity == 20
    assert 8 < first.expected_attendance < 14
    assert first.low <= first.expected_attendance <= first.high
    assert first.overflow_probability == 0.0  # twenty accepted cannot overflow twenty seats
    assert first.recommended_accept > 20
    probabilities = selectors.show_probabilities(regs)
    reliable_mean = sum(probabilities[r.pk] for r in regs[:10]) / 10
    flaky_mean = sum(probabilities[r.pk] for r in regs[10:]) / 10
    assert reliable_mean > flaky_mean + 0.25

    # a "no" to the reconfirmation lowers it; a check-in makes it certain
    reconfirm(regs[0], "no")
    after_no = selectors.frame_forecast(frame)
    assert after_no.expected_attendance < first.expected_attendance
    CheckIn.objects.create(
        registration=regs[15], event=event, checked_in_at=timezone.now(), method="search"
    )
    assert selectors.show_probabilities([regs[15]])[regs[15].pk] == 1.0
    after_checkin = selectors.frame_forecast(frame)
    assert after_checkin.expected_attendance > after_no.expected_attendance

    # the waitlist, and a cancel
    extra = [registrations.register(frame=frame, user=u) for u in users[40:45]]
    assert all(r.status == Status.WAITLISTED for r in extra)
    with_waitlist = selectors.frame_forecast(frame)
    assert with_waitlist.waitlisted == 5 and with_waitlist.expected_promotions > 0
    registrations.cancel_registration(registration=regs[12], by=None)
    after_cancel = selectors.frame_forecast(frame)
    assert after_cancel.accepted == 20 and after_cancel.waitlisted == 4  # promoted


def test_risk_and_planner(group, regulars, upcoming):
    users, _ = regulars
    event, frame = upcoming
    for u in users[:20]:
        registrations.register(frame=frame, user=u)
    cautious = selectors.frame_forecast(frame, risk=0.01)
    bold = selectors.frame_forecast(frame, risk=0.5)
    assert frame.capacity <= cautious.recommended_accept <= bold.recommended_accept
    assert (
        planner.recommended_accept_for(frame) == selectors.frame_forecast(frame).recommended_accept
    )
    for bad in (0, -0.1, 0.51, 2):
        with pytest.raises(ValueError, match="overflow risk"):
            selectors.frame_forecast(frame, risk=bad)


def test_speakers_frame_is_expected_to_come(group, regulars, upcoming, organizer):
    users, _ = regulars
    event, frame = upcoming
    general_users, speaker_users = users[:10], users[10:20]
    lt = registrations.create_frame(event=event, by=organizer, capacity=10, name="LT")
    lt.requires_talk = True
    lt.save()
    for u in general_users:
        registrations.register(frame=frame, user=u)
    from kaisai.registrations.models import Registration

    for u in speaker_users:
        Registration.objects.create(event=event, frame=lt, user=u, status=Status.ACCEPTED)
    forecasts = {f.frame_id: f for f in selectors.event_forecast(event)}
    assert forecasts[lt.pk].expected_attendance > forecasts[frame.pk].expected_attendance


@pytest.mark.parametrize("count", [10, 200])
def test_query_count_does_not_grow_with_people(
    group, upcoming, count, organizer, django_assert_max_num_queries
):
    event, frame = upcoming
    frame.capacity = 300
    frame.save()
    users = people(count, prefix=f"n{count}-")
    from kaisai.registrations.models import Registration

    Registration.objects.bulk_create(
        Registration(event=event, frame=frame, user=u, status=Status.ACCEPTED) for u in users
    )
    rng = random.Random(1)
    held_series(group, {u.pk: rng.random() for u in users}, events=3, per_event=min(count, 30))
    with CaptureQueriesContext(connection) as queries:
        selectors.frame_forecast(frame)
    assert len(queries) == 4  # history, elsewhere, registrations, lottery draw
    with CaptureQueriesContext(connection) as queries:
        selectors.event_forecast(event)
    assert len(queries) == 5  # and the frames


def test_elsewhere_is_counted_in_aggregate(upcoming, user):
    event, frame = upcoming
    other = GroupFactory()
    held_series(other, {user.pk: 1.0}, events=8, per_event=1)
    registration = registrations.register(frame=frame, user=user)
    assert selectors.show_probabilities([registration])[registration.pk] > 0.6


def test_forecast_command(group, regulars, upcoming):
    users, _ = regulars
    event, frame = upcoming
    for u in users[:25]:
        registrations.register(frame=frame, user=u)
    from io import StringIO

    out = StringIO()
    call_command("forecast", str(event.pk), stdout=out)
    data = json.loads(out.getvalue())
    assert data["event"] == event.pk
    (row,) = data["frames"]
    assert row["frame_id"] == frame.pk and row["accepted"] == 20 and row["waitlisted"] == 5
    assert {
        "expected_attendance",
        "low",
        "high",
        "overflow_probability",
        "recommended_accept",
    } <= set(row)
    with pytest.raises(CommandError, match="No event with id 999999"):
        call_command("forecast", "999999")


def test_backtest_command_and_group_history(group, regulars):
    from io import StringIO

    result = backtest_group(group)
    assert len(result.events) == 12
    assert result.brier_model < result.brier_base
    history_rows = selectors.group_forecast_history(group)
    assert [r.event_id for r in history_rows] == [r.event_id for r in result.events]
    assert all(r.low <= r.expected <= r.high for r in history_rows)
    assert history_rows[-1].title and history_rows[-1].actual > 0
    last_five = selectors.group_forecast_history(group, last=5)
    assert last_five == history_rows[-5:]  # each from all the history before it
    # cached: a second call runs the history and title queries only; new facts change it
    with CaptureQueriesContext(connection) as queries:
        assert selectors.group_forecast_history(group, last=5) == last_five
    assert len(queries) == 2
    event = group.events.order_by("starts_at").last()
    CheckIn.objects.filter(event=event).first().delete()
    assert selectors.group_forecast_history(group, last=5)[-1].actual == last_five[-1].actual - 1
    out = StringIO()
    call_command("forecast-backtest", "--group", group.slug, stdout=out)
    assert "Brier score: model" in out.getvalue()
    out = StringIO()
    call_command("forecast-backtest", "--json", stdout=out)
    assert json.loads(out.getvalue())["events"] == 12
    with pytest.raises(CommandError, match="No group"):
        call_command("forecast-backtest", "--group", "nope")


def test_upcoming_events_are_not_history(group, regulars, upcoming, user):
    event, frame = upcoming
    registrations.register(frame=frame, user=user)
    past = history.group_history(group.pk, timezone.now() + timedelta(days=365))
    assert event.pk not in {o.event_id for o in past.outcomes}


def test_a_lottery_before_its_draw_forecasts_the_draw(group, regulars, organizer):
    users, _ = regulars
    event = EventFactory(group=group)
    frame = registrations.create_frame(
        event=event,
        by=organizer,
        capacity=10,
        name="Lottery",
        method="lottery",
        lottery_at=event.starts_at - timedelta(days=3),
    )
    for u in users[:30]:
        registrations.register(frame=frame, user=u)
    forecast = selectors.frame_forecast(frame)
    assert forecast.accepted == 0
    assert 0 < forecast.expected_attendance < 10  # ten drawn, each at the applicants' mean
    assert forecast.high <= 10 and forecast.overflow_probability == 0.0
    assert forecast.recommended_accept > 10


def test_the_record_rules(group):
    from kaisai.registrations.models import Frame, Registration, RegistrationLog

    starts = timezone.now() - timedelta(days=10)
    event = EventFactory(group=group, starts_at=starts, ends_at=starts + timedelta(hours=2))
    draft = EventFactory(
        group=group, starts_at=starts, ends_at=starts + timedelta(hours=2), status="draft"
    )
    frame = Frame.objects.create(event=event, name="General", capacity=10)
    early, late, no_show, came, waitlisted = people(5, prefix="rule")

    def reg(user, status, target=event, where=frame):
        return Registration.objects.create(event=target, frame=where, user=user, status=status)

    for user, hours in ((early, 72), (late, 2)):
        r = reg(user, Status.CANCELLED)
        log = RegistrationLog.objects.create(
            registration=r, frame=frame, from_status="accepted", to_status="cancelled"
        )
        RegistrationLog.objects.filter(pk=log.pk).update(created_at=starts - timedelta(hours=hours))
    reg(no_show, Status.ACCEPTED)
    attended = reg(came, Status.ACCEPTED)
    CheckIn.objects.create(registration=attended, event=event, checked_in_at=starts, method="scan")
    Registration.objects.create(
        event=event, frame=frame, user=waitlisted, status=Status.WAITLISTED, waitlist_key=1
    )
    draft_frame = Frame.objects.create(event=draft, name="General", capacity=10)
    reg(came, Status.ACCEPTED, target=draft, where=draft_frame)  # not held: not history

    past = history.group_history(group.pk, timezone.now())
    record = {o.user_id: o.came for o in past.outcomes}
    assert record == {late.pk: False, no_show.pk: False, came.pk: True}
    leads = {o.user_id: o.cancelled_hours_before for o in past.outcomes}
    assert leads[no_show.pk] is None and leads[came.pk] is None
    assert abs(leads[late.pk] - 2.0) < 0.01  # a late cancel, two hours before the start
    assert past.accepted_ever == 4 and past.cancelled_before_start == 2
    assert past.cancel_rate == 0.5
    # an event still running or ahead is not history either
    assert history.group_history(group.pk, starts).outcomes == []


def test_the_plan_counts_everyone_as_holding_their_seat_at_the_doors(group, regulars, upcoming):
    """The history's no-shows include late cancels (three hours before). The forecast of now
    rises as the doors near and nobody cancels; the planner counts on no cancel that has not
    happened, so its number is the same two weeks before as one hour before."""
    import time_machine

    users, _ = regulars
    event, frame = upcoming
    for u in users[:45]:
        registrations.register(frame=frame, user=u)
    early = selectors.frame_forecast(frame)
    assert early.accepted == 20 and early.waitlisted == 25
    with time_machine.travel(event.starts_at - timedelta(hours=1), tick=False):
        late = selectors.frame_forecast(frame)
    assert late.expected_attendance > early.expected_attendance
    assert frame.capacity < late.recommended_accept == early.recommended_accept < 45

"""Fill-the-room mode in the registration core: the accept limit, re-planning, the lottery, and
mode off behaving as before. The forecast is not here: a stand-in planner is connected."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kaisai.registrations import hooks, services
from kaisai.registrations.enums import Method, Status
from kaisai.registrations.errors import RegistrationError
from kaisai.registrations.models import Frame, Registration

EXTRA = 2


def stand_in(frame: Frame) -> int:
    """The forecast's stand-in: accept two more than the seats."""
    return frame.capacity + EXTRA


@pytest.fixture
def planner():
    hooks.connect_accept_planner(stand_in)
    yield stand_in
    hooks.disconnect_accept_planner(stand_in)


def statuses(frame: Frame) -> list[str]:
    return list(
        Registration.objects.filter(frame=frame).order_by("pk").values_list("status", flat=True)
    )


def assert_counter(frame: Frame) -> None:
    frame.refresh_from_db()
    assert (
        frame.accepted_count
        == Registration.objects.filter(frame=frame, status=Status.ACCEPTED).count()
    )


def test_mode_on_accepts_the_planned_number_then_waitlists(make_frame, people, planner):
    frame = make_frame(capacity=3, overbooking="forecast")
    assert frame.accept_limit == 3 + EXTRA
    regs = [services.register(frame=frame, user=p) for p in people(7)]
    assert [r.status for r in regs] == ["accepted"] * 5 + ["waitlisted"] * 2
    assert_counter(frame)


def test_mode_on_without_planner_accepts_the_capacity(make_frame, people):
    frame = make_frame(capacity=2, overbooking="forecast")
    assert frame.accept_limit is None
    regs = [services.register(frame=frame, user=p) for p in people(3)]
    assert [r.status for r in regs] == ["accepted", "accepted", "waitlisted"]


def test_mode_off_is_unchanged_even_with_a_planner(make_frame, people, planner):
    frame = make_frame(capacity=2)
    services.replan(frame=frame)
    frame.refresh_from_db()
    assert frame.accept_limit is None
    regs = [services.register(frame=frame, user=p) for p in people(3)]
    assert [r.status for r in regs] == ["accepted", "accepted", "waitlisted"]


def test_raising_the_limit_promotes_in_waitlist_order(make_frame, people):
    frame = make_frame(capacity=2)
    regs = [services.register(frame=frame, user=p) for p in people(6)]
    promoted = services.set_accept_limit(frame=frame, limit=4)
    assert [r.pk for r in promoted] == [regs[2].pk, regs[3].pk]
    assert statuses(frame) == ["accepted"] * 4 + ["waitlisted"] * 2
    assert_counter(frame)


def test_lowering_the_limit_never_demotes(make_frame, people):
    frame = make_frame(capacity=2)
    services.set_accept_limit(frame=frame, limit=5)
    regs = [services.register(frame=frame, user=p) for p in people(6)]
    assert statuses(frame) == ["accepted"] * 5 + ["waitlisted"]
    assert services.set_accept_limit(frame=frame, limit=3) == []
    assert statuses(frame) == ["accepted"] * 5 + ["waitlisted"]
    # A cancellation frees no seat while more than the limit are accepted.
    services.cancel_registration(registration=regs[0], by=None)
    assert Registration.objects.get(pk=regs[5].pk).status == Status.WAITLISTED
    assert_counter(frame)


def test_limit_is_never_below_the_capacity(make_frame):
    frame = make_frame(capacity=4)
    services.set_accept_limit(frame=frame, limit=1)
    frame.refresh_from_db()
    assert frame.accept_limit == 4 and frame.seat_limit == 4


def test_capacity_change_replans_without_demoting(make_frame, people, planner, organizer):
    frame = make_frame(capacity=3, overbooking="forecast")
    regs = [services.register(frame=frame, user=p) for p in people(9)]
    assert statuses(frame).count("accepted") == 5
    frame = services.change_capacity(frame=frame, capacity=5, by=organizer)
    assert frame.accept_limit == 7
    assert [r.status for r in Registration.objects.filter(pk__in=[regs[5].pk, regs[6].pk])] == [
        "accepted", "accepted",
    ]  # fmt: skip
    frame = services.change_capacity(frame=frame, capacity=1, by=organizer)
    assert frame.accept_limit == 3
    assert statuses(frame).count("accepted") == 7  # nobody demoted
    assert_counter(frame)


def test_turning_the_mode_off_clears_the_limit_and_demotes_nobody(
    make_frame, people, planner, organizer
):
    frame = make_frame(capacity=2, overbooking="forecast")
    [services.register(frame=frame, user=p) for p in people(5)]
    frame = services.update_frame(frame=frame, by=organizer, overbooking="off")
    assert frame.accept_limit is None
    assert statuses(frame) == ["accepted"] * 4 + ["waitlisted"]


def test_risk_change_replans(make_frame, organizer):
    seen = []

    def by_risk(frame):
        seen.append(frame.overflow_risk)
        return frame.capacity + round(frame.overflow_risk * 100)

    hooks.connect_accept_planner(by_risk)
    try:
        frame = make_frame(capacity=10, overbooking="forecast")
        assert frame.accept_limit == 15
        frame = services.update_frame(frame=frame, by=organizer, overflow_risk=0.2)
        assert frame.accept_limit == 30 and seen[-1] == 0.2
    finally:
        hooks.disconnect_accept_planner(by_risk)


def test_lottery_draws_the_planned_number(make_frame, people, planner):
    frame = make_frame(capacity=3, method=Method.LOTTERY, overbooking="forecast")
    [services.register(frame=frame, user=p) for p in people(9)]
    draw = services.draw_lottery(frame=frame, force=True)
    assert draw.accepted == 3 + EXTRA
    order_status = dict(Registration.objects.filter(frame=frame).values_list("pk", "status"))
    assert [order_status[pk] for pk in draw.order] == ["accepted"] * 5 + ["waitlisted"] * 4
    assert_counter(frame)


def test_lottery_mode_off_draws_the_capacity(make_frame, people, planner):
    frame = make_frame(capacity=3, method=Method.LOTTERY)
    [services.register(frame=frame, user=p) for p in people(6)]
    assert services.draw_lottery(frame=frame, force=True).accepted == 3


def test_replan_upcoming_is_idempotent_and_cheap(make_frame, people, planner):
    off = make_frame(capacity=2, name="Off")
    with CaptureQueriesContext(connection) as queries:
        assert services.replan_upcoming() == 0
    assert len(queries) == 1
    frame = make_frame(capacity=2, overbooking="forecast", name="On")
    Frame.objects.filter(pk=frame.pk).update(accept_limit=None)  # e.g. planner connected later
    [services.register(frame=frame, user=p) for p in people(5)]
    assert services.replan_upcoming() == 1
    assert statuses(frame) == ["accepted"] * 4 + ["waitlisted"]
    assert services.replan_upcoming() == 0
    off.refresh_from_db()
    assert off.accept_limit is None


@pytest.mark.parametrize("risk", [0, -0.1, 0.51, 1.0, float("nan")])
def test_bad_risk_is_refused_and_nothing_is_written(make_frame, event, organizer, risk):
    with pytest.raises(RegistrationError) as info:
        services.create_frame(event=event, by=organizer, capacity=5, name="X", overflow_risk=risk)
    assert "overflow_risk" in info.value.message_dict
    assert not Frame.objects.filter(name="X").exists()
    frame = make_frame(capacity=5)
    with pytest.raises(RegistrationError):
        services.update_frame(frame=frame, by=organizer, overflow_risk=risk, name="Renamed")
    frame.refresh_from_db()
    assert frame.overflow_risk == 0.05 and frame.name == "General"


def test_mode_on_a_frame_without_seats_is_refused(make_frame, event, organizer):
    with pytest.raises(RegistrationError) as info:
        services.create_frame(
            event=event, by=organizer, capacity=0, name="X", overbooking="forecast"
        )
    assert "overbooking" in info.value.message_dict
    frame = make_frame(capacity=0)
    with pytest.raises(RegistrationError):
        services.update_frame(frame=frame, by=organizer, overbooking="forecast")
    on = make_frame(capacity=3, overbooking="forecast", name="On")
    with pytest.raises(RegistrationError):
        services.update_frame(frame=on, by=organizer, capacity=0)
    on.refresh_from_db()
    assert on.capacity == 3
    frame.refresh_from_db()
    assert frame.overbooking == "off"

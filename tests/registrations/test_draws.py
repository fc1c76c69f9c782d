from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from kaisai.registrations import lottery, selectors, services
from kaisai.registrations.enums import Method, Status
from kaisai.registrations.models import Frame, LotteryDraw, Registration


@pytest.fixture
def lottery_frame(make_frame):
    return make_frame(capacity=3, method=Method.LOTTERY)


def test_lottery_frame_publishes_commitment_but_not_seed(lottery_frame):
    draw = LotteryDraw.objects.get(frame=lottery_frame)
    assert draw.commitment == lottery.commitment(draw.seed)
    assert not draw.is_drawn


def test_applications_take_no_seat_before_the_draw(lottery_frame, people):
    regs = [services.register(frame=lottery_frame, user=p) for p in people(5)]
    assert {r.status for r in regs} == {Status.APPLIED}
    lottery_frame.refresh_from_db()
    assert lottery_frame.accepted_count == 0


def test_draw_before_time_does_nothing_unless_forced(lottery_frame, people):
    [services.register(frame=lottery_frame, user=p) for p in people(2)]
    assert not services.draw_lottery(frame=lottery_frame).is_drawn
    assert services.draw_lottery(frame=lottery_frame, force=True).is_drawn


def test_draw_accepts_capacity_nominated_first_and_waitlists_rest_in_order(
    lottery_frame, people, organizer
):
    regs = [services.register(frame=lottery_frame, user=p) for p in people(8)]
    services.nominate(registration=regs[7], by=organizer)
    draw = services.draw_lottery(frame=lottery_frame, force=True)
    assert draw.order[0] == regs[7].pk
    assert draw.order == lottery.draw_order(draw.seed, [r.pk for r in regs], [regs[7].pk])
    statuses = dict(Registration.objects.filter(frame=lottery_frame).values_list("pk", "status"))
    assert [statuses[rid] for rid in draw.order] == ["accepted"] * 3 + ["waitlisted"] * 5
    positions = [
        selectors.waitlist_position(Registration.objects.get(pk=rid)) for rid in draw.order[3:]
    ]
    assert positions == [1, 2, 3, 4, 5]
    lottery_frame.refresh_from_db()
    assert lottery_frame.accepted_count == 3


def test_draw_is_verifiable_and_idempotent(lottery_frame, people):
    [services.register(frame=lottery_frame, user=p) for p in people(6)]
    draw = services.draw_lottery(frame=lottery_frame, force=True)
    again = services.draw_lottery(frame=lottery_frame, force=True)
    assert again.order == draw.order and again.drawn_at == draw.drawn_at
    assert lottery.verify(seed=draw.seed, published_commitment=draw.commitment,
                          algorithm=draw.algorithm, applicants=draw.applicants,
                          nominated=draw.nominated, order=draw.order)  # fmt: skip


def test_after_draw_frame_is_first_come_for_remaining_and_freed_seats(lottery_frame, people):
    early = [services.register(frame=lottery_frame, user=p) for p in people(2, "early")]
    services.draw_lottery(frame=lottery_frame, force=True)
    late = [services.register(frame=lottery_frame, user=p) for p in people(2, "late")]
    assert [r.status for r in late] == ["accepted", "waitlisted"]
    services.cancel_registration(registration=early[0], by=early[0].user)
    assert Registration.objects.get(pk=late[1].pk).status == "accepted"


def test_due_lotteries_are_drawn_when_the_worker_catches_up(make_frame, people):
    frame = make_frame(capacity=1, method=Method.LOTTERY)
    [services.register(frame=frame, user=p) for p in people(3)]
    Frame.objects.filter(pk=frame.pk).update(lottery_at=timezone.now() - timedelta(minutes=5))
    assert services.draw_due_lotteries() == 1
    assert services.draw_due_lotteries() == 0
    assert Registration.objects.filter(frame=frame, status="accepted").count() == 1


def test_verify_lottery_command(lottery_frame, people, capsys):
    [services.register(frame=lottery_frame, user=p) for p in people(4)]
    services.draw_lottery(frame=lottery_frame, force=True)
    call_command("verify-lottery", str(lottery_frame.pk))
    assert "verified" in capsys.readouterr().out.lower()


def test_verify_lottery_command_detects_a_changed_order(lottery_frame, people):
    [services.register(frame=lottery_frame, user=p) for p in people(4)]
    draw = services.draw_lottery(frame=lottery_frame, force=True)
    draw.order = list(reversed(draw.order))
    draw.save()
    with pytest.raises(SystemExit) as exit_info:
        call_command("verify-lottery", str(lottery_frame.pk))
    assert exit_info.value.code == 1


@pytest.mark.django_db(transaction=True)
def test_creating_a_lottery_frame_commits_with_a_backend_that_cannot_defer(group, organizer):
    from tests.factories import EventFactory

    frame = services.create_frame(
        event=EventFactory(group=group), by=organizer, capacity=5, name="L",
        method=Method.LOTTERY, lottery_at=timezone.now() + timedelta(days=1),
    )  # fmt: skip
    assert LotteryDraw.objects.filter(frame=frame).exists()

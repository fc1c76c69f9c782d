"""Demo frames, questionnaire and registrations: the story's numbers (100 seats, 200+
applicants for #5; full past events with waitlists and cancellations).

Past events cannot take registrations any more, so their rows are written directly, with
the frame counters set from the same facts, and about 70% of their seats checked in at the
door; #5's frames are created through the services
(the lottery frame gets its published commitment and is drawn by the worker at its time).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cached_property

from django.utils import timezone

from kaisai.accounts.models import User
from kaisai.checkin.models import CheckIn
from kaisai.checkin.tickets import issue_tickets
from kaisai.events.models import Event
from kaisai.registrations import services
from kaisai.registrations.enums import (
    DEFAULT_OVERFLOW_RISK,
    Method,
    Overbooking,
    QuestionKind,
    Status,
)
from kaisai.registrations.models import Frame, Question, Registration, RegistrationLog

INTERESTS = ["LLM / RAG", "Computer vision", "Recommender systems", "MLOps", "Statistics"]
HOW_OFTEN = ["初めて / First time", "2〜3回 / 2-3", "常連 / Regular"]


def add_questionnaire(event: Event) -> list[Question]:
    return Question.objects.bulk_create(
        [
            Question(event=event, label="所属 / Affiliation", kind=QuestionKind.TEXT, order=1),
            Question(event=event, label="興味のある分野 / Interests", order=2,
                     kind=QuestionKind.MULTIPLE, choices="\n".join(INTERESTS)),
            Question(event=event, label="参加は何回目ですか? / How often have you come?",
                     kind=QuestionKind.SINGLE, choices="\n".join(HOW_OFTEN),
                     required=True, order=3),
        ]
    )  # fmt: skip


def _write(frame: Frame, people: list[User], status: str, at: datetime, rng) -> list[Registration]:
    rows = [
        Registration(event_id=frame.event_id, frame=frame, user=person, status=status,
                     afterparty=rng.random() < 0.55)
        for person in people
    ]  # fmt: skip
    for offset, row in enumerate(rows):
        if status == Status.WAITLISTED:
            row.waitlist_key = offset + 1
    Registration.objects.bulk_create(rows)
    if rows and rows[0].pk is None:
        rows = list(Registration.objects.filter(frame=frame, user__in=people, status=status))
    RegistrationLog.objects.bulk_create(
        [
            RegistrationLog(registration=row, from_status="", to_status=status, frame=frame,
                            actor=row.user, reason="registered")
            for row in rows
        ]
    )  # fmt: skip
    Registration.objects.filter(pk__in=[r.pk for r in rows]).update(created_at=at)
    return rows


@dataclass(frozen=True)
class Crowd:
    """The MLCT crowd by how reliably they come (what the show-up forecast learns from the
    history): regulars nearly always come, occasional visitors often, drop-ins rarely."""

    regulars: list[User]
    occasional: list[User]
    drop_ins: list[User]

    @classmethod
    def split(cls, rng: random.Random, crowd: list[User]) -> Crowd:
        people = rng.sample(crowd, len(crowd))
        return cls(regulars=people[:60], occasional=people[60:150], drop_ins=people[150:])

    def show_rate(self, person: User) -> float:
        if person in self._regular_set:
            return 0.95
        return 0.72 if person in self._occasional_set else 0.3

    @cached_property
    def _regular_set(self) -> set[User]:
        return set(self.regulars)

    @cached_property
    def _occasional_set(self) -> set[User]:
        return set(self.occasional)


def past_event_registrations(rng: random.Random, event: Event, crowd: Crowd) -> None:
    """A full past event: regulars register first, then occasional visitors and drop-ins;
    a waitlist; a few cancelled in time; the LT speakers in their own frame (all came); and
    at the door each came as often as people like them do."""
    capacity = rng.choice([80, 90, 100])
    frame = Frame.objects.create(event=event, name="一般枠 / General", capacity=capacity,
                                 method=Method.FIRST_COME, order=1)  # fmt: skip
    n_regulars, n_occasional = round(capacity * 0.4), round(capacity * 0.35)
    n_drop_ins = capacity - n_regulars - n_occasional
    regulars = rng.sample(crowd.regulars, n_regulars)
    occasional = rng.sample(crowd.occasional, n_occasional + 12)
    drop_ins = rng.sample(crowd.drop_ins, n_drop_ins + 20)
    extra = occasional[n_occasional:] + drop_ins[n_drop_ins:]  # too late: the waitlist
    occasional, drop_ins = occasional[:n_occasional], drop_ins[:n_drop_ins]
    opened = event.starts_at - timedelta(days=20)
    seated = _write(frame, regulars, Status.ACCEPTED, opened, rng)
    seated += _write(frame, occasional, Status.ACCEPTED, opened + timedelta(days=2), rng)
    seated += _write(frame, drop_ins, Status.ACCEPTED, opened + timedelta(days=8), rng)
    waitlisted = _write(frame, extra, Status.WAITLISTED, opened + timedelta(days=12), rng)
    people = set(regulars + occasional + drop_ins + extra)
    others = [p for p in crowd.occasional + crowd.drop_ins if p not in people]
    cancelled = _write(frame, rng.sample(others, 6), Status.CANCELLED,
                       opened + timedelta(days=1), rng)  # fmt: skip
    Frame.objects.filter(pk=frame.pk).update(
        accepted_count=capacity, waitlist_seq=len(waitlisted) + len(cancelled)
    )
    lt = Frame.objects.create(event=event, name="LT枠 / Lightning talks", capacity=5,
                              method=Method.APPROVAL, requires_talk=True, order=2)  # fmt: skip
    free = [p for p in crowd.regulars + crowd.occasional if p not in people]
    speakers = _write(lt, rng.sample(free, 3), Status.ACCEPTED, opened + timedelta(days=5), rng)
    Frame.objects.filter(pk=lt.pk).update(accepted_count=len(speakers))
    came = [row for row in seated if rng.random() < crowd.show_rate(row.user)]
    check_people_in(rng, event, seated + speakers, came + speakers)


def check_people_in(
    rng: random.Random, event: Event, seated: list[Registration], came: list[Registration]
) -> None:
    """Tickets for every seat and check-ins for those who came (the story: about 70 of
    100), scanned at the door between 19:00 and 19:45 (the talks start at 19:30)."""
    issue_tickets(event, seated)  # rows written directly: their tickets (and the counter) too
    doors_open = event.starts_at - timedelta(minutes=30)
    checkins = [
        CheckIn(
            registration=row, event=event, by_id=event.created_by_id,
            checked_in_at=doors_open + timedelta(seconds=rng.triangular(0, 45 * 60, 25 * 60)),
            method=CheckIn.Method.SCAN if rng.random() < 0.9 else CheckIn.Method.SEARCH,
        )
        for row in came
    ]  # fmt: skip
    CheckIn.objects.bulk_create(checkins)


def next_event_frames(rng: random.Random, event: Event, by: User, crowd: list[User]) -> None:
    """#5: a lottery for 100 general seats with 200+ applicants, LT and student frames."""
    lottery_at = event.starts_at - timedelta(days=7)
    general = services.create_frame(
        event=event, by=by, capacity=100, method=Method.LOTTERY, lottery_at=lottery_at,
        name="一般枠 / General", order=1, closes_at=lottery_at - timedelta(minutes=1),
        description="抽選です。結果はメールでお知らせします。/ Seats are drawn by lottery.",
    )  # fmt: skip
    lt = services.create_frame(
        event=event, by=by, capacity=5, method=Method.FIRST_COME, order=2,
        name="LT枠 / Lightning talks", description="5 分の LT。/ 5-minute talks.",
    )  # fmt: skip
    students = services.create_frame(
        event=event, by=by, capacity=10, method=Method.FIRST_COME, order=3,
        name="学生枠 / Students", description="学生の方はこちら。/ For students.",
    )  # fmt: skip
    add_questionnaire(event)
    people = rng.sample(crowd, 221)
    # 18 days before the event, but never a time still to come (the event may be nearer)
    applied_at = min(event.starts_at - timedelta(days=18), timezone.now() - timedelta(days=1))
    _write(general, people[:214], Status.APPLIED, applied_at, rng)
    _write(lt, people[214:217], Status.ACCEPTED, applied_at, rng)
    _write(students, people[217:221], Status.ACCEPTED, applied_at, rng)
    Frame.objects.filter(pk=lt.pk).update(accepted_count=3)
    Frame.objects.filter(pk=students.pk).update(accepted_count=4)
    fill_the_room(general)


def fill_the_room(frame: Frame) -> None:
    """#5's general frame accepts as many as the forecast says fill the 100 seats with a 5%
    risk of more arrivals than seats (issue 12's fill-the-room mode)."""
    Frame.objects.filter(pk=frame.pk).update(
        overbooking=Overbooking.FORECAST, overflow_risk=DEFAULT_OVERFLOW_RISK
    )
    frame.refresh_from_db()
    services.replan(frame=frame)

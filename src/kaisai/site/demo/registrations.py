"""Demo frames, questionnaire and registrations: the story's numbers (100 seats, 200+
applicants for #5; full past events with waitlists and cancellations).

Past events cannot take registrations any more, so their rows are written directly, with
the frame counters set from the same facts, and about 70% of their seats checked in at the
door; #5's frames are created through the services
(the lottery frame gets its published commitment and is drawn by the worker at its time).
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from kaisai.accounts.models import User
from kaisai.checkin.models import CheckIn
from kaisai.checkin.tickets import issue_tickets
from kaisai.events.models import Event
from kaisai.registrations import services
from kaisai.registrations.enums import Method, QuestionKind, Status
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


def past_event_registrations(rng: random.Random, event: Event, crowd: list[User]) -> None:
    capacity = rng.choice([80, 90, 100])
    frame = Frame.objects.create(event=event, name="一般枠 / General", capacity=capacity,
                                 method=Method.FIRST_COME, order=1)  # fmt: skip
    people = rng.sample(crowd, min(len(crowd), capacity + rng.randint(15, 35)))
    accepted, waitlisted = people[:capacity], people[capacity:]
    opened = event.starts_at - timedelta(days=20)
    seated = _write(frame, accepted, Status.ACCEPTED, opened, rng)
    _write(frame, waitlisted, Status.WAITLISTED, opened + timedelta(days=3), rng)
    check_people_in(rng, event, seated)
    # Some accepted people cancelled in time; the waitlist moved up by as many.
    cancelled = _write(frame, rng.sample([p for p in crowd if p not in people], 6),
                       Status.CANCELLED, opened + timedelta(days=1), rng)  # fmt: skip
    Frame.objects.filter(pk=frame.pk).update(
        accepted_count=capacity, waitlist_seq=len(waitlisted) + len(cancelled)
    )


def check_people_in(rng: random.Random, event: Event, seated: list[Registration]) -> None:
    """Tickets for every seat and check-ins for about 70% (the story: 71 of 100 came),
    scanned at the door between 19:00 and 19:45 (the talks start at 19:30)."""
    issue_tickets(event, seated)  # rows written directly: their tickets (and the counter) too
    came = rng.sample(seated, round(len(seated) * rng.uniform(0.66, 0.76)))
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
    applied_at = event.starts_at - timedelta(days=18)
    _write(general, people[:214], Status.APPLIED, applied_at, rng)
    _write(lt, people[214:217], Status.ACCEPTED, applied_at, rng)
    _write(students, people[217:221], Status.ACCEPTED, applied_at, rng)
    Frame.objects.filter(pk=lt.pk).update(accepted_count=3)
    Frame.objects.filter(pk=students.pk).update(accepted_count=4)

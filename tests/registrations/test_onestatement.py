"""The one-statement registration (PostgreSQL) writes exactly the rows the ORM path writes."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kaisai.checkin.models import Ticket
from kaisai.core.models import OutboxMail
from kaisai.registrations import hooks, services
from kaisai.registrations.enums import QuestionKind, Status
from kaisai.registrations.models import Frame, Question, Registration, RegistrationLog
from kaisai.registrations.services import onestatement

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the one-statement path is PostgreSQL's"
)

REGISTRATION = ["event_id", "frame_id", "status", "waitlist_key", "nominated", "afterparty"]
LOG = ["from_status", "to_status", "frame_id", "reason"]
MAIL = ["language", "template", "subject", "body", "state", "attempts",
        "last_error", "sent_at"]  # fmt: skip


def written(registration: Registration) -> dict:
    """Everything written for a registration, with its own ids replaced by placeholders."""
    registration = Registration.objects.get(pk=registration.pk)
    log = RegistrationLog.objects.get(registration=registration)
    mails = list(OutboxMail.objects.filter(key=f"registration-{registration.pk}-{log.pk}"))
    ticket = Ticket.objects.filter(registration=registration).first()
    user_id = registration.user_id
    reference = {"_model": "registrations.Registration", "pk": registration.pk}
    return {
        "registration": {name: getattr(registration, name) for name in REGISTRATION},
        "timestamps": registration.created_at == registration.updated_at,
        "answers": sorted(
            (answer.question_id, answer.value) for answer in registration.answers.all()
        ),
        "log": {name: getattr(log, name) for name in LOG} | {"actor": log.actor_id == user_id},
        "mails": [
            {name: getattr(mail, name) for name in MAIL}
            | {
                "recipient": mail.recipient_id == user_id,
                "to_email": mail.to_email == registration.user.email,
                "context": mail.context == {"registration": reference},
                "due": mail.next_attempt_at >= registration.created_at,
            }
            for mail in mails
        ],
        # the status listener's row (check-in: the ticket of an accepted registration)
        "ticket": ticket is not None
        and {
            "event": ticket.event_id == registration.event_id,
            "token": len(ticket.token),
            "issued": ticket.issued_at >= registration.created_at,
        },
    }


def register_both_ways(frame: Frame, users, monkeypatch, **kwargs) -> tuple[dict, dict]:
    monkeypatch.setattr(onestatement, "available", lambda: False)
    through_orm = services.register(frame=Frame.objects.get(pk=frame.pk), user=users[0], **kwargs)
    monkeypatch.undo()
    assert onestatement.available()
    in_one = services.register(frame=Frame.objects.get(pk=frame.pk), user=users[1], **kwargs)
    assert through_orm.just_created and in_one.just_created
    assert in_one.frame == frame
    assert (in_one.status, in_one.waitlist_key) == (
        Registration.objects.values_list("status", "waitlist_key").get(pk=in_one.pk)
    )
    return written(through_orm), written(in_one)


def test_onestatement_writes_the_rows_of_the_orm_path(make_frame, people, monkeypatch):
    frame = make_frame(capacity=5)
    users = people(2)
    for user in users:
        user.preferred_language = "en"
        user.save()
    orm, one = register_both_ways(frame, users, monkeypatch)
    assert one == orm
    assert one["mails"] and one["log"]["actor"] and one["ticket"]
    frame.refresh_from_db()
    assert frame.accepted_count == 2
    # receipt numbers in acceptance order, whichever path accepted
    assert list(
        Ticket.objects.order_by("registration_id").values_list("receipt_number", flat=True)
    ) == [1, 2]


def test_onestatement_writes_answers(make_frame, people, event, monkeypatch):
    text = Question.objects.create(event=event, label="Why?", kind=QuestionKind.TEXT)
    multiple = Question.objects.create(
        event=event, label="Which?", kind=QuestionKind.MULTIPLE, choices="a\nb\nc"
    )
    answers = {str(text.pk): "Because", str(multiple.pk): ["a", "c"]}
    orm, one = register_both_ways(make_frame(capacity=5), people(2), monkeypatch, answers=answers)
    assert one == orm
    assert one["answers"] == [(text.pk, "Because"), (multiple.pk, ["a", "c"])]


def test_onestatement_without_an_email_address_queues_no_mail(make_frame, people, monkeypatch):
    users = people(2)
    for user in users:
        user.email = ""
        user.save()
    orm, one = register_both_ways(make_frame(capacity=5), users, monkeypatch)
    assert one == orm
    assert one["mails"] == []


def test_onestatement_on_a_full_frame_waitlists_like_the_orm_path(make_frame, people, monkeypatch):
    frame = make_frame(capacity=1)
    first, *users = people(3)
    services.register(frame=frame, user=first)
    orm, one = register_both_ways(frame, users, monkeypatch)
    keys = (orm["registration"].pop("waitlist_key"), one["registration"].pop("waitlist_key"))
    assert one == orm
    assert one["registration"]["status"] == Status.WAITLISTED
    assert one["mails"][0]["template"] == "registration_waitlisted"
    assert one["ticket"] is False  # waitlisted: no ticket on either path
    frame.refresh_from_db()
    assert keys == (1, 2) and frame.waitlist_seq == 2
    assert frame.accepted_count == 1


@pytest.mark.parametrize("capacity", [5, 0])
def test_onestatement_repeated_request_answers_with_the_existing_registration(
    make_frame, user, capacity
):
    frame = make_frame(capacity=capacity)
    first = services.register(frame=frame, user=user)
    logs, mails = RegistrationLog.objects.count(), OutboxMail.objects.count()
    again = services.register(frame=Frame.objects.get(pk=frame.pk), user=user)
    assert again.pk == first.pk and not getattr(again, "just_created", False)
    frame.refresh_from_db()
    # the repeat took no seat and no waitlist place, and wrote nothing
    assert (frame.accepted_count, frame.waitlist_seq) == (min(capacity, 1), 1 - min(capacity, 1))
    assert (RegistrationLog.objects.count(), OutboxMail.objects.count()) == (logs, mails)


def test_onestatement_runs_the_hooks_in_the_statement(make_frame, user):
    """Check-in's status listener contributes its ticket to the statement: one round trip."""
    frame = make_frame(capacity=5)
    with CaptureQueriesContext(connection) as queries:
        registration = onestatement.register_first_come(frame, user, {})
    statements = [q["sql"] for q in queries if "SAVEPOINT" not in q["sql"]]  # the test's atomic
    assert len(statements) == 1 and "checkin_ticket" in statements[0]
    assert Ticket.objects.get(registration=registration).receipt_number == 1


def test_a_listener_without_a_statement_part_takes_the_orm_path(make_frame, user, monkeypatch):
    """A status listener that must see new registrations and gives no statement part turns
    the one-statement path off, so that it is called (in the registration's transaction)."""
    seen: list[tuple[int, str]] = []

    def listener(registration, from_status):
        seen.append((registration.pk, from_status))

    monkeypatch.setattr(hooks, "status_listeners", [*hooks.status_listeners])
    monkeypatch.setattr(hooks, "_listeners_needing_python", [])
    hooks.connect_status_listener(listener)
    assert not onestatement.available()
    registration = services.register(frame=make_frame(capacity=5), user=user)
    assert seen == [(registration.pk, "")]
    assert Ticket.objects.filter(registration=registration).exists()


def test_onestatement_takes_seats_up_to_the_accept_limit(make_frame, people):
    """Fill-the-room mode: the statement's conditional UPDATE uses COALESCE(accept_limit,
    capacity) — the planned number is accepted, the next one waitlisted."""
    frame = make_frame(capacity=2)
    services.set_accept_limit(frame=frame, limit=4)
    assert onestatement.available()
    registrations = [
        onestatement.register_first_come(Frame.objects.get(pk=frame.pk), user, {})
        for user in people(6)
    ]
    assert [r.status for r in registrations] == ["accepted"] * 4 + ["waitlisted"] * 2
    frame.refresh_from_db()
    assert frame.accepted_count == 4 and frame.waitlist_seq == 2
    # lowering the limit demotes nobody, and the statement then waitlists
    services.set_accept_limit(frame=frame, limit=3)
    late = onestatement.register_first_come(
        Frame.objects.get(pk=frame.pk), people(1, "late")[0], {}
    )
    assert late.status == Status.WAITLISTED
    assert Registration.objects.filter(frame=frame, status=Status.ACCEPTED).count() == 4

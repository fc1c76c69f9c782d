"""The lottery draw writes in set-based batches (services/drawrows.py): a draw of thousands,
over several batches, writes what the one-registration-at-a-time draw wrote — the outcome
the seed gives, one audit row and one mail per person in draw order, tickets numbered in
draw order — and stays verifiable."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction

from kaisai.accounts.models import User
from kaisai.checkin.models import Ticket
from kaisai.core import bulkexpand, bulkmail
from kaisai.core.models import BulkMail, OutboxMail
from kaisai.registrations import lottery, services
from kaisai.registrations.enums import Method, Status
from kaisai.registrations.models import Frame, Registration, RegistrationLog
from kaisai.registrations.selectors_lottery import verification
from kaisai.registrations.services import drawrows

APPLICANTS = 2500
CAPACITY = 120


@pytest.fixture
def crowd(make_frame, event):
    """A lottery frame with 2,500 applications (bulk-written: the draw is under test), two
    nominated, every fifth person in Japanese, one without an e-mail address."""
    frame = make_frame(capacity=CAPACITY, method=Method.LOTTERY)
    password = make_password(None)
    User.objects.bulk_create(
        User(nickname=f"crowd{i}", email="" if i == 7 else f"crowd{i}@example.invalid",
             password=password, preferred_language="ja" if i % 5 == 0 else "")
        for i in range(APPLICANTS)
    )  # fmt: skip
    people = User.objects.filter(nickname__startswith="crowd").order_by("id")
    Registration.objects.bulk_create(
        Registration(event=event, frame=frame, user=person, status=Status.APPLIED,
                     nominated=i in (1000, 2000))
        for i, person in enumerate(people)
    )  # fmt: skip
    OutboxMail.objects.all().delete()
    return frame


def test_a_draw_in_batches_writes_the_outcome_the_seed_gives(crowd, monkeypatch):
    monkeypatch.setattr(drawrows, "BATCH", 700)  # four batches, the winners in the first
    applicants = list(Registration.objects.filter(frame=crowd).values_list("pk", flat=True))
    nominated = list(
        Registration.objects.filter(frame=crowd, nominated=True).values_list("pk", flat=True)
    )
    draw = services.draw_lottery(frame=crowd, force=True)

    order = lottery.draw_order(draw.seed, applicants, nominated)
    assert draw.order == order and draw.nominated == sorted(nominated)
    assert draw.applicants == sorted(applicants) and draw.accepted == CAPACITY
    assert set(order[:2]) == set(nominated)
    rows = {r.pk: r for r in Registration.objects.filter(frame=crowd).select_related("user")}
    assert [rows[pk].status for pk in order] == (
        [Status.ACCEPTED] * CAPACITY + [Status.WAITLISTED] * (APPLICANTS - CAPACITY)
    )
    keys = [rows[pk].waitlist_key for pk in order[CAPACITY:]]
    assert keys == list(range(keys[0], keys[0] + len(keys)))
    crowd.refresh_from_db()
    assert crowd.accepted_count == CAPACITY and crowd.waitlist_seq == keys[-1] + 1

    # One audit row each, written in draw order, with the draw's reason.
    logs = list(RegistrationLog.objects.filter(frame=crowd).order_by("id"))
    assert [log.registration_id for log in logs] == order
    assert {(log.from_status, log.actor_id) for log in logs} == {(Status.APPLIED, None)}
    assert [log.reason for log in logs] == (
        ["lottery: won"] * CAPACITY + ["lottery: waitlisted"] * (APPLICANTS - CAPACITY)
    )

    # The mails: two bulk rows per batch of 700 (winners and waitlisted; the 120 winners all
    # in the first), standing for one mail each, and no outbox row written by the draw.
    assert not OutboxMail.objects.exists()
    bulks = list(BulkMail.objects.order_by("id"))
    assert [(b.template, len(b.ids)) for b in bulks] == [
        ("lottery_won", CAPACITY), ("lottery_waitlisted", 700 - CAPACITY),
        ("lottery_waitlisted", 700), ("lottery_waitlisted", 700), ("lottery_waitlisted", 400),
    ]  # fmt: skip
    assert [pk for b in bulks for pk in b.ids] == order and bulkmail.queued() == APPLICANTS
    # Expanded by the worker (in chunks of 1,000): one mail per person with an address,
    # audit.record's key, template and context — the outbox rows the draw wrote before.
    assert bulkexpand.expand_bulk_mail() == APPLICANTS - 1
    assert not BulkMail.objects.filter(expanded_at__isnull=True).exists()
    mails = {mail.key: mail for mail in OutboxMail.objects.all()}
    assert len(mails) == APPLICANTS - 1
    for log in logs:
        registration = rows[log.registration_id]
        mail = mails.get(f"registration-{registration.pk}-{log.pk}")
        if not registration.user.email:
            assert mail is None
            continue
        assert mail is not None
        won = registration.status == Status.ACCEPTED
        assert mail.template == ("lottery_won" if won else "lottery_waitlisted")
        assert mail.context == {
            "registration": {"_model": "registrations.Registration", "pk": registration.pk}
        }
        assert (mail.to_email, mail.recipient_id) == (registration.user.email, registration.user_id)
        assert mail.language == (registration.user.preferred_language or settings.LANGUAGE_CODE)
        assert (mail.state, mail.attempts, mail.subject, mail.kind, mail.batch) == (
            OutboxMail.State.PENDING,
            0,
            "",
            "",
            "",
        )

    # Tickets for the winners, numbered in draw order.
    issued = Ticket.objects.filter(event=crowd.event)
    tickets = dict(issued.values_list("registration_id", "receipt_number"))
    assert [tickets[pk] for pk in order[:CAPACITY]] == list(range(1, CAPACITY + 1))
    assert len(tickets) == CAPACITY
    assert len({t.token for t in issued}) == CAPACITY

    result = verification(crowd.pk)
    assert result is not None and result.ok


class Undo(Exception):
    pass


def test_the_batch_size_does_not_change_the_draw(crowd, monkeypatch):
    """The same frame drawn in one batch (rolled back) and in eight: the same rows."""

    def written() -> tuple[list, ...]:
        logs = RegistrationLog.objects.filter(frame=crowd).order_by("id")
        return (
            list(Registration.objects.filter(frame=crowd).order_by("pk")
                 .values_list("pk", "status", "waitlist_key")),
            list(logs.values_list("registration_id", "to_status", "reason")),
            sorted((mail.key.split("-")[1], mail.template, mail.to_email, mail.language)
                   for mail in OutboxMail.objects.all()),
            sorted(Ticket.objects.values_list("registration_id", "receipt_number")),
        )  # fmt: skip

    with pytest.raises(Undo), transaction.atomic():
        services.draw_lottery(frame=crowd, force=True)
        bulkexpand.expand_bulk_mail()
        in_one = written()
        raise Undo
    assert not RegistrationLog.objects.filter(frame=crowd).exists()
    monkeypatch.setattr(drawrows, "BATCH", 333)
    services.draw_lottery(frame=Frame.objects.get(pk=crowd.pk), force=True)
    bulkexpand.expand_bulk_mail(chunk=97)
    assert written() == in_one
    assert len(in_one[2]) == APPLICANTS - 1


def test_a_listener_without_a_many_part_is_called_per_registration_in_draw_order(
    make_frame, people, monkeypatch
):
    from kaisai.registrations import hooks

    frame = make_frame(capacity=2, method=Method.LOTTERY)
    for person in people(7):
        services.register(frame=frame, user=person)
    heard: list[tuple[int, str, str]] = []

    def listener(registration: Registration, from_status: str) -> None:
        heard.append((registration.pk, from_status, registration.status))

    monkeypatch.setattr(hooks, "status_listeners", [*hooks.status_listeners, listener])
    monkeypatch.setattr(drawrows, "BATCH", 3)
    draw = services.draw_lottery(frame=frame, force=True)
    assert heard == [
        (pk, Status.APPLIED, Status.ACCEPTED if index < 2 else Status.WAITLISTED)
        for index, pk in enumerate(draw.order)
    ]


@pytest.mark.skipif(
    not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"),
    reason="PostgreSQL's planner: SQLite joins the batch as the outer table (bulksql)",
)
def test_a_batch_finds_its_registrations_by_key_not_by_a_scan_of_the_table(
    crowd, make_frame, event
):
    """The status UPDATE of a batch must not scan the registrations of every event
    (bench/lottery --other-registrations: 23.6 → 4.4 s for 100,000 among 1.1 million)."""
    from django.db import connection

    from kaisai.events.models import Event

    elsewhere = Event.objects.create(
        group=event.group, title="Another night", starts_at=event.starts_at, ends_at=event.ends_at
    )
    other = make_frame(capacity=APPLICANTS, name="Other", target=elsewhere)
    Registration.objects.bulk_create(
        Registration(event=other.event, frame=other, user=person, status=Status.ACCEPTED)
        for person in User.objects.filter(nickname__startswith="crowd")
    )  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE registrations_registration")
    ids = list(Registration.objects.filter(frame=crowd).values_list("pk", flat=True)[:500])
    plans: list[str] = []

    def explain(execute, sql, params, many, context):
        if sql.startswith("UPDATE"):
            context["cursor"].execute("EXPLAIN " + sql, params)
            plans.append("\n".join(row[0] for row in context["cursor"].fetchall()))
        return execute(sql, params, many, context)

    with transaction.atomic(), connection.execute_wrapper(explain):
        drawrows.set_status(ids, Status.WAITLISTED, first_waitlist_key=1)
    assert plans and "Seq Scan on registrations_registration" not in plans[0], plans[0]
    assert Registration.objects.filter(status=Status.WAITLISTED).count() == len(ids)
    assert Registration.objects.filter(frame=other, status=Status.ACCEPTED).count() == APPLICANTS

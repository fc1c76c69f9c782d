"""Tickets are issued by a service when a registration is accepted, on every path, with
receipt numbers in acceptance order; pages, mails and template tags only read them."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kaisai.checkin.models import Ticket, TicketCounter
from kaisai.checkin.tickets import issue_tickets, ticket_of
from kaisai.core import outbox
from kaisai.core.models import OutboxMail
from kaisai.registrations import services
from kaisai.registrations.enums import Method, Status
from kaisai.registrations.models import Frame, Registration
from tests.conftest import login
from tests.factories import UserFactory


@pytest.fixture
def people(db):
    def make(count: int) -> list:
        return [UserFactory() for _ in range(count)]

    return make


def numbers(*registrations: Registration) -> list[int | None]:
    tickets = dict(Ticket.objects.values_list("registration_id", "receipt_number"))
    return [tickets.get(registration.pk) for registration in registrations]


def test_register_issues_the_ticket_in_the_same_transaction(frame):
    first = services.register(frame=frame, user=UserFactory())
    assert ticket_of(first) is not None and numbers(first) == [1]


def test_waitlisted_and_applied_get_no_ticket(make_frame, people):
    full = make_frame(capacity=0, name="Full")
    approval = make_frame(capacity=5, method=Method.APPROVAL, name="Approval")
    one, two = people(2)
    waiting = services.register(frame=full, user=one)
    applied = services.register(frame=approval, user=two)
    assert (waiting.status, applied.status) == (Status.WAITLISTED, Status.APPLIED)
    assert not Ticket.objects.exists()


def test_promotion_issues_the_ticket(make_frame, people):
    frame = make_frame(capacity=1)
    first, second = people(2)
    seated = services.register(frame=frame, user=first)
    waiting = services.register(frame=frame, user=second)
    assert numbers(waiting) == [None]
    services.cancel_registration(registration=seated, by=first)
    assert numbers(seated, waiting) == [1, 2]


def test_decision_and_nomination_issue_tickets_in_acceptance_order(make_frame, people, organizer):
    frame = make_frame(capacity=5, method=Method.APPROVAL)
    early, late = (services.register(frame=frame, user=person) for person in people(2))
    services.decide_application(registration=late, by=organizer, accept=True)
    services.nominate(registration=early, by=organizer)
    assert numbers(late, early) == [1, 2]  # the order of acceptance, not of registration


def test_draw_issues_tickets_to_the_winners(make_frame, people):
    frame = make_frame(capacity=2, method=Method.LOTTERY)
    applicants = [services.register(frame=frame, user=person) for person in people(4)]
    assert not Ticket.objects.exists()
    services.draw_lottery(frame=Frame.objects.get(pk=frame.pk), force=True)
    winners = Registration.objects.filter(status=Status.ACCEPTED)
    assert winners.count() == 2
    assert sorted(number or 0 for number in numbers(*winners)) == [1, 2]
    losers = [r for r in applicants if r.pk not in {w.pk for w in winners}]
    assert numbers(*losers) == [None, None]


def test_move_into_a_free_seat_issues_the_ticket_once(make_frame, user, organizer):
    full = make_frame(capacity=0, name="Full")
    roomy = make_frame(capacity=5, name="Roomy")
    registration = services.register(frame=full, user=user)
    assert numbers(registration) == [None]
    moved = services.move_registration(registration=registration, to_frame=roomy, by=organizer)
    assert moved.status == Status.ACCEPTED and numbers(moved) == [1]
    back = services.move_registration(registration=moved, to_frame=full, by=organizer)
    services.change_capacity(frame=full, capacity=1, by=organizer)  # promoted again
    assert Registration.objects.get(pk=back.pk).status == Status.ACCEPTED
    assert numbers(back) == [1] and Ticket.objects.count() == 1  # the number it had


def test_every_ticket_writer_keeps_the_counter_at_the_last_number(frame, event):
    """The counter upsert starts an event at 1 (no MAX over its tickets in the hot path), so
    every code that writes tickets must leave the counter at the highest receipt number:
    registration, promotion, and the demo's bulk issuing."""
    first = services.register(frame=frame, user=UserFactory())
    counter = TicketCounter.objects.get(event=event)
    assert counter.last == Ticket.objects.get(registration=first).receipt_number == 1
    seated = [
        Registration.objects.create(
            event=event, frame=frame, user=UserFactory(), status=Status.ACCEPTED
        )
        for _ in range(3)
    ]
    issue_tickets(event, seated)
    counter.refresh_from_db()
    assert counter.last == 4
    later = services.register(frame=frame, user=UserFactory())
    assert numbers(first, *seated, later) == [1, 2, 3, 4, 5]
    counter.refresh_from_db()
    assert counter.last == 5


def test_rendering_pages_and_mails_writes_no_ticket(client, frame, event):
    registration = services.register(frame=frame, user=UserFactory())
    Ticket.objects.all().delete()  # as if issued nowhere: reading must not issue it
    mail = OutboxMail.objects.get(recipient=registration.user, template="registration_accepted")
    login(client, registration.user)
    pages = [
        reverse("registrations:mine", kwargs={"pk": event.pk}),
        reverse("registrations:my_events"),
        reverse("checkin:ticket", kwargs={"pk": event.pk}),
    ]
    with CaptureQueriesContext(connection) as queries:
        outbox.render(mail)
        for page in pages:
            client.get(page)
    writes = [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith("INSERT")]
    assert not [sql for sql in writes if "checkin_ticket" in sql]
    assert not Ticket.objects.exists()


def test_migration_issues_missing_tickets_in_acceptance_order(make_frame, people, organizer):
    frame = make_frame(capacity=5, method=Method.APPROVAL)
    first, second, third = (services.register(frame=frame, user=p) for p in people(3))
    for registration in (third, first, second):
        services.decide_application(registration=registration, by=organizer, accept=True)
    kept = Ticket.objects.get(registration=third)
    Ticket.objects.exclude(pk=kept.pk).delete()
    TicketCounter.objects.all().delete()
    migration = __import__(
        "kaisai.checkin.migrations.0003_issue_missing_tickets", fromlist=["issue_missing"]
    )
    migration.issue_missing(apps, None)
    assert numbers(third, first, second) == [1, 2, 3]
    later = services.register(frame=make_frame(capacity=5, name="More"), user=UserFactory())
    assert numbers(later) == [4]

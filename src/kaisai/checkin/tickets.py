"""Tickets: a receipt number sequential per event, in acceptance order, and a random token
(192 bits), issued when a registration is accepted.

Issuing is a status listener of the registration core (`registrations.hooks`, connected in
`CheckinConfig.ready()`): every path that accepts — register, promotion, decision,
nomination, draw, move — passes `registrations.services.audit.record`, which calls
`on_status_change` in the change's transaction. The PostgreSQL one-statement registration
adds `ticket_statement`'s CTEs to its statement instead (the same counter upsert and the
same row). The receipt number comes from the event's `TicketCounter` row, upserted with
`INSERT … ON CONFLICT … RETURNING` (PostgreSQL and SQLite): the row lock orders acceptances.
Pages, mails and template tags only read (`ticket_of`).
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence

from django.db import IntegrityError, connection, transaction
from django.db.models import Max

from kaisai.checkin.models import Ticket, TicketCounter
from kaisai.events.models import Event
from kaisai.registrations.enums import Status
from kaisai.registrations.models import Frame, Registration
from kaisai.registrations.services.onestatement import insert_cte


def new_token() -> str:
    return secrets.token_urlsafe(24)


def _next_number_sql(event_id: str, source: str, where: str) -> str:
    """Take the event's next receipt number: the counter +1, or 1 for an event without a
    counter row yet. Every code that writes tickets keeps the counter (this upsert,
    `issue_tickets`, the migration that issued the missing ones), so an event without a
    counter has no ticket. `event_id` and `where` are SQL over `source`; the statement
    returns (event_id, last)."""
    counter = connection.ops.quote_name(TicketCounter._meta.db_table)
    # Identifiers come from the models' metadata, values only as parameters.
    return (
        f"INSERT INTO {counter} (event_id, last) SELECT {event_id}, 1"  # noqa: S608
        f" FROM {source} WHERE {where}"
        f" ON CONFLICT (event_id) DO UPDATE SET last = {counter}.last + 1"
        " RETURNING event_id, last"
    )


def _next_number(event_id: int) -> int:
    with connection.cursor() as cursor:
        cursor.execute(_next_number_sql("%s", "(SELECT 1) one", "1 = 1"), [event_id])
        return cursor.fetchone()[1]


def _issue(registration: Registration) -> Ticket:
    ticket = Ticket(
        registration=registration,
        event_id=registration.event_id,
        receipt_number=_next_number(registration.event_id),
        token=new_token(),
    )
    ticket.save(force_insert=True)
    return ticket


def on_status_change(registration: Registration, from_status: str) -> None:
    """The status listener: an accepted registration gets its ticket (once; a registration
    accepted again after a move keeps the number it had). A new registration has none yet,
    so it costs no lookup."""
    if registration.status != Status.ACCEPTED:
        return
    if from_status and Ticket.objects.filter(registration_id=registration.pk).exists():
        return
    _issue(registration)


def on_statuses_change(frame: Frame, registration_ids: Sequence[int], from_status: str) -> None:
    """`on_status_change` for many registrations of `frame` (a lottery draw): the accepted
    ones without a ticket get theirs, numbered in the order given, with one counter upsert
    and one INSERT."""
    # The frame's accepted registrations without a ticket (at most its capacity: no id list
    # to send); a new registration has no ticket, so the filter is `on_status_change`'s rule.
    rows = Registration.objects.filter(frame=frame, status=Status.ACCEPTED, ticket__isnull=True)
    accepted = set(rows.values_list("pk", flat=True))
    ordered = [pk for pk in registration_ids if pk in accepted]
    if not ordered:
        return
    counter = connection.ops.quote_name(TicketCounter._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {counter} (event_id, last) VALUES (%s, %s)"  # noqa: S608
            f" ON CONFLICT (event_id) DO UPDATE SET last = {counter}.last + %s RETURNING last",
            [frame.event_id, len(ordered), len(ordered)],
        )
        last = cursor.fetchone()[0]
    first = last - len(ordered) + 1
    Ticket.objects.bulk_create(
        Ticket(registration_id=pk, event_id=frame.event_id, receipt_number=first + index,
               token=new_token())
        for index, pk in enumerate(ordered)
    )  # fmt: skip


def ticket_statement(frame: Frame, source: str) -> list[tuple[str, list]]:
    """The one-statement registration's part (`on_new` of the status listener): the ticket of
    the registration `source` returns (id, status, event_id), if it is accepted — the same
    counter upsert and the same row as `on_status_change`."""
    number = _next_number_sql(f"{source}.event_id", source, f"{source}.status = %s")
    ticket = Ticket(event_id=frame.event_id, token=new_token())
    row = insert_cte("ticket", ticket, f"{source}, ticket_number", {
        "registration_id": (f"{source}.id", []),
        "event_id": ("ticket_number.event_id", []),
        "receipt_number": ("ticket_number.last", []),
    })  # fmt: skip
    return [(f"ticket_number AS ({number})", [Status.ACCEPTED]), row]


def issue_ticket(registration: Registration) -> Ticket | None:
    """The registration's ticket, issued now if it has none (tickets issued before they were
    issued at acceptance). None unless it is accepted."""
    if registration.status != Status.ACCEPTED:
        return None
    existing = Ticket.objects.filter(registration=registration).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return _issue(registration)
    except IntegrityError:  # issued concurrently for the same registration
        return Ticket.objects.get(registration=registration)


def issue_tickets(event: Event, registrations: Sequence[Registration]) -> list[Ticket]:
    """Tickets for accepted registrations written directly (the demo's past events), in the
    given order, after the event's last receipt number; the counter follows."""
    with transaction.atomic():
        last = Ticket.objects.filter(event=event).aggregate(n=Max("receipt_number"))["n"] or 0
        tickets = Ticket.objects.bulk_create(
            Ticket(registration=row, event=event, receipt_number=number, token=new_token())
            for number, row in enumerate(registrations, start=last + 1)
        )
        TicketCounter.objects.update_or_create(event=event, defaults={"last": last + len(tickets)})
    return tickets


def ticket_of(registration: Registration | None) -> Ticket | None:
    """The registration's ticket (read only), None unless it is accepted."""
    if registration is None or registration.status != Status.ACCEPTED:
        return None
    try:
        return registration.ticket
    except Ticket.DoesNotExist:
        return None


def valid_ticket(token: str) -> Ticket | None:
    """The ticket for a token, whatever its registration's state (callers check that)."""
    if not token or len(token) > 64:
        return None
    return (
        Ticket.objects.select_related("registration__user", "registration__frame", "event")
        .filter(token=token)
        .first()
    )

"""Tickets are issued at acceptance now (before, on first use): issue the missing ones to
accepted registrations, after each event's last receipt number, in acceptance order (the time
of their latest audit row to "accepted", then id), and start every event's counter."""

import secrets

from django.db import migrations
from django.db.models import Max, OuterRef, Subquery


def issue_missing(apps, schema_editor):
    Ticket = apps.get_model("checkin", "Ticket")
    TicketCounter = apps.get_model("checkin", "TicketCounter")
    Registration = apps.get_model("registrations", "Registration")
    RegistrationLog = apps.get_model("registrations", "RegistrationLog")
    last = dict(
        Ticket.objects.values_list("event_id").annotate(n=Max("receipt_number")).order_by()
    )
    accepted_at = (
        RegistrationLog.objects.filter(registration=OuterRef("pk"), to_status="accepted")
        .order_by("-created_at", "-id")
        .values("created_at")[:1]
    )
    missing = (
        Registration.objects.filter(status="accepted", ticket__isnull=True)
        .annotate(accepted_at=Subquery(accepted_at))
        .order_by("event_id", "accepted_at", "id")
    )
    tickets = []
    for registration in missing.iterator():
        number = last.get(registration.event_id, 0) + 1
        last[registration.event_id] = number
        tickets.append(
            Ticket(
                registration_id=registration.pk,
                event_id=registration.event_id,
                receipt_number=number,
                token=secrets.token_urlsafe(24),
            )
        )
    Ticket.objects.bulk_create(tickets, batch_size=500)
    TicketCounter.objects.bulk_create(
        [TicketCounter(event_id=event_id, last=number) for event_id, number in last.items()],
        batch_size=500,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("checkin", "0002_ticket_counter"),
        ("registrations", "0003_frame_requires_talk"),
    ]

    operations = [migrations.RunPython(issue_missing, migrations.RunPython.noop)]

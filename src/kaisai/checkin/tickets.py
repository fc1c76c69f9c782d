"""Issuing tickets: a receipt number sequential per event and a random token (192 bits)."""

from __future__ import annotations

import secrets

from django.db import IntegrityError, transaction
from django.db.models import Max

from kaisai.checkin.models import Ticket
from kaisai.events.models import Event
from kaisai.registrations.enums import Status
from kaisai.registrations.models import Registration


def new_token() -> str:
    return secrets.token_urlsafe(24)


def issue_ticket(registration: Registration) -> Ticket | None:
    """The registration's ticket, issued on first use. None unless it is accepted."""
    if registration.status != Status.ACCEPTED:
        return None
    existing = Ticket.objects.filter(registration=registration).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            Event.objects.select_for_update().filter(pk=registration.event_id).first()
            last = Ticket.objects.filter(event_id=registration.event_id).aggregate(
                n=Max("receipt_number")
            )["n"]
            return Ticket.objects.create(
                registration=registration,
                event_id=registration.event_id,
                receipt_number=(last or 0) + 1,
                token=new_token(),
            )
    except IntegrityError:  # issued concurrently for the same registration
        return Ticket.objects.get(registration=registration)


def valid_ticket(token: str) -> Ticket | None:
    """The ticket for a token, whatever its registration's state (callers check that)."""
    if not token or len(token) > 64:
        return None
    return (
        Ticket.objects.select_related("registration__user", "registration__frame", "event")
        .filter(token=token)
        .first()
    )

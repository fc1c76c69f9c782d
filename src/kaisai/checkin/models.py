"""Tickets (受付票) and check-ins (受付): who actually came.

A ticket is issued to a registration when it is accepted, in the same transaction (a status
listener of the registration core, `checkin.tickets`; on PostgreSQL's one-statement
registration, part of that statement): receipt numbers follow the acceptance order per
event, taken from the event's `TicketCounter` row with one upsert. Pages and mails only read
tickets. A check-in is unique per registration; scans carry a client nonce so that a scan
sent twice (offline queue, retry) is taken once.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kaisai.events.models import Event
from kaisai.registrations.models import Registration


class Ticket(models.Model):
    registration = models.OneToOneField(
        Registration, on_delete=models.CASCADE, related_name="ticket"
    )
    # A ticket is written with every accepted registration (in the registration rush too), so
    # it carries no index it does not need: the event is the first column of the receipt
    # number's unique index, and the token is only looked up by equality (a UniqueConstraint
    # has no LIKE index on PostgreSQL, `unique=True` would add one).
    # No database constraint either: the event is the registration's (whose own foreign key
    # keeps it), and the check would lock the event's row once more per accepted registration.
    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="tickets", db_index=False,
        db_constraint=False,
    )  # fmt: skip
    receipt_number = models.PositiveIntegerField(_("receipt number"))
    token = models.CharField(max_length=64)
    issued_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["event", "receipt_number"], name="ticket_receipt_unique"
            ),
            models.UniqueConstraint(fields=["token"], name="ticket_token_unique"),
        ]
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")

    def __str__(self) -> str:
        return f"#{self.receipt_number} ({self.event_id})"


class TicketCounter(models.Model):
    """The last receipt number issued per event (its row is the lock that orders them)."""

    event = models.OneToOneField(
        Event, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.event_id}: {self.last}"


class CheckIn(models.Model):
    class Method(models.TextChoices):
        SCAN = "scan", _("QR scan")
        SEARCH = "search", _("Search at the reception")
        CODE = "code", _("Attendance code")
        API = "api", _("API")
        STANDBY = "standby", _("Standby admitted at the door")

    registration = models.OneToOneField(
        Registration, on_delete=models.CASCADE, related_name="checkin"
    )
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="checkins")
    checked_in_at = models.DateTimeField(_("checked in at"))
    received_at = models.DateTimeField(auto_now_add=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    method = models.CharField(max_length=16, choices=Method.choices)
    nonce = models.CharField(max_length=64, blank=True)
    late = models.BooleanField(
        _("sent late"), default=False, help_text=_("Scanned offline and sent afterwards.")
    )

    class Meta:
        indexes = [models.Index(fields=["event", "checked_in_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["nonce"], condition=~models.Q(nonce=""), name="checkin_nonce_unique"
            )
        ]
        verbose_name = _("check-in")
        verbose_name_plural = _("check-ins")

    def __str__(self) -> str:
        return f"{self.registration_id} at {self.checked_in_at}"

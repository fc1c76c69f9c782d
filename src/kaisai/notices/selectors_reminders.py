"""Reads for the reminder and reconfirmation pages (a fixed number of queries each)."""

from __future__ import annotations

from django.db.models import CharField, Count, Exists, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Cast, Concat

from kaisai.core.models import OutboxMail
from kaisai.events.models import Event
from kaisai.notices.enums import Answer
from kaisai.notices.models import EventMailSettings
from kaisai.registrations.enums import Status
from kaisai.registrations.models import Registration


def mail_settings_of(event: Event) -> EventMailSettings | None:
    return EventMailSettings.objects.filter(event=event).first()


def _sent(prefix: str):
    """Whether a mail with key `<prefix><registration id>` was queued (a correlated EXISTS)."""
    key = Concat(Value(prefix), Cast(OuterRef("pk"), output_field=CharField()))
    return Exists(OutboxMail.objects.filter(key=key))


def asked_at() -> Subquery:
    """When the registration (the outer query's row) was asked "still coming?", or NULL (a
    correlated subquery on the outbox's unique key; the forecast reads it)."""
    key = Concat(Value("reconfirm-"), Cast(OuterRef("pk"), output_field=CharField()))
    return Subquery(OutboxMail.objects.filter(key=key).values("created_at")[:1])


def reconfirmation_rows(event: Event) -> QuerySet[Registration]:
    """Everyone reconfirmation concerns: the accepted, those who answered, and those who were
    asked (also when their seat was released since), with their answer and whether they
    were asked and warned. One query."""
    return (
        Registration.objects.filter(event=event)
        .annotate(asked=_sent("reconfirm-"), warned=_sent("reconfirm-warning-"))
        .filter(Q(status=Status.ACCEPTED) | Q(reconfirmation__isnull=False) | Q(asked=True))
        .select_related("user", "frame", "reconfirmation")
        .order_by("frame__order", "frame_id", "user__nickname", "pk")
    )


def reconfirmation_counts(event: Event) -> dict[str, int]:
    """yes / no / unanswered (accepted, no answer) / released (cancelled without answering
    after being asked) — one query."""
    rows = Registration.objects.filter(event=event).annotate(asked=_sent("reconfirm-"))
    return rows.aggregate(
        yes=Count("pk", filter=Q(reconfirmation__answer=Answer.YES)),
        no=Count("pk", filter=Q(reconfirmation__answer=Answer.NO)),
        unanswered=Count("pk", filter=Q(status=Status.ACCEPTED, reconfirmation__isnull=True)),
        released=Count(
            "pk",
            filter=Q(status=Status.CANCELLED, reconfirmation__isnull=True, asked=True),
        ),
    )


def reminder_counts(event: Event) -> dict[int, int]:
    """How many reminders were queued for each offset of the event (one query)."""
    prefix = f"reminder:{event.pk}:"
    counts = (
        OutboxMail.objects.filter(batch__startswith=prefix)
        .values("batch")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {int(row["batch"][len(prefix) :]): row["n"] for row in counts}

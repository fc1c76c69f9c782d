"""Reads for organizer messages: who an audience is, the history, delivery progress."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Count, QuerySet

from kaisai.accounts.models import User
from kaisai.core.models import OutboxMail
from kaisai.events.models import Event
from kaisai.notices.enums import Audience, MailKind
from kaisai.notices.models import OrganizerMessage
from kaisai.notices.optouts import opted_out_user_ids
from kaisai.registrations.enums import ACTIVE_STATUSES, Status

# Audiences whose people an app above notices knows: the app registers a filter
# `(people, event) -> people` for them in its AppConfig.ready() (talks: the speakers).
AudienceFilter = Callable[[QuerySet[User], Event], QuerySet[User]]
audience_filters: dict[str, AudienceFilter] = {}


def add_audience(audience: str, people_filter: AudienceFilter) -> None:
    """Let `people_filter` say who is in `audience` (one of notices.enums.Audience)."""
    audience_filters[audience] = people_filter


# Audiences tied to the event itself: they get every message (like mail about their
# registration). Members only follow the group and may switch messages off.
EVENT_AUDIENCES = frozenset(
    {Audience.ACCEPTED, Audience.WAITLISTED, Audience.REGISTRANTS, Audience.SPEAKERS}
)


def message_kind(audience: str) -> str:
    """The MailKind of a message to `audience`: members may switch messages off (and get an
    unsubscribe link); the event's own people always get them, so no link is promised."""
    return "" if audience in EVENT_AUDIENCES else MailKind.ORGANIZER_MESSAGE


def _audience_users(event: Event, audience: str) -> QuerySet[User]:
    people = User.objects.filter(is_active=True).exclude(email="")
    if audience == Audience.ACCEPTED:
        return people.filter(registrations__event=event, registrations__status=Status.ACCEPTED)
    if audience == Audience.WAITLISTED:
        return people.filter(registrations__event=event, registrations__status=Status.WAITLISTED)
    if audience == Audience.REGISTRANTS:
        return people.filter(registrations__event=event, registrations__status__in=ACTIVE_STATUSES)
    if audience in audience_filters:
        return audience_filters[audience](people, event)
    if audience == Audience.MEMBERS:
        return people.filter(memberships__group_id=event.group_id)
    raise ValueError(f"Unknown audience {audience!r}")


def audience_recipients(event: Event, audience: str) -> list[User]:
    """The people a message to `audience` goes to (each once, with an address), without the
    members who switched organizer messages off. Two queries."""
    people = list(_audience_users(event, audience).distinct().order_by("pk"))
    kind = message_kind(audience)
    if not kind:
        return people
    skip = opted_out_user_ids((p.pk for p in people), kind=kind, group=event.group_id)
    return [p for p in people if p.pk not in skip]


@dataclass(frozen=True)
class Progress:
    sent: int = 0
    pending: int = 0
    failed: int = 0

    @property
    def total(self) -> int:
        return self.sent + self.pending + self.failed

    @property
    def done(self) -> int:
        return self.sent + self.failed

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 100


def _progress_by_batch(batches: list[str]) -> dict[str, Progress]:
    counts: dict[str, dict[str, int]] = {}
    rows = (
        OutboxMail.objects.filter(batch__in=batches)
        .values("batch", "state")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in rows:
        counts.setdefault(row["batch"], {})[row["state"]] = row["n"]
    return {batch: Progress(**counts.get(batch, {})) for batch in batches}


def message_history(event: Event) -> list[OrganizerMessage]:
    """The event's messages, newest first, each with `.progress`. Two queries."""
    history = list(OrganizerMessage.objects.filter(event=event).select_related("sent_by"))
    progress = _progress_by_batch([m.batch for m in history])
    for message in history:
        message.progress = progress[message.batch]
    return history


def message_progress(message: OrganizerMessage) -> Progress:
    return _progress_by_batch([message.batch])[message.batch]


def message_deliveries(message: OrganizerMessage) -> QuerySet[OutboxMail]:
    """Each recipient's mail with its delivery state, one query."""
    return (
        OutboxMail.objects.filter(batch=message.batch)
        .select_related("recipient")
        .order_by("recipient__nickname", "id")
    )

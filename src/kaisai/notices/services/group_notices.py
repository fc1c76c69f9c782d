"""Notices to a group's members: a new event published, registration of a frame opened.
(Materials added is sent by kaisai.talks through the same `notify_group_members`.)

Organizers of the group get neither: they published the event themselves. Members who
switched the kind off (for the group or everywhere) are skipped. Keys make each notice go
out once per member, however often publish or the job runs.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from kaisai.core.models import OutboxMail
from kaisai.events.enums import EventStatus
from kaisai.events.models import Event
from kaisai.groups.models import Organizer
from kaisai.notices.enums import MailKind
from kaisai.notices.notify import notify_group_members
from kaisai.registrations.models import Frame

# A frame whose opening was missed for longer than this (no worker ran) is not announced late.
OPENED_WINDOW = timedelta(days=1)


def _organizer_ids(group_id: int) -> set[int]:
    return set(Organizer.objects.filter(group_id=group_id).values_list("user_id", flat=True))


def event_published(event: Event) -> int:
    """Tell the members that `event` was published. Call it inside the publishing
    transaction: the mails exist only if the publication commits. Publishing again after a
    postponement sends nothing new (same key). Returns how many mails were queued."""
    with transaction.atomic():
        return notify_group_members(
            event.group,
            kind=MailKind.EVENT_PUBLISHED,
            template="event_published",
            context={"event": event},
            key=f"event-published-{event.pk}",
            exclude=_organizer_ids(event.group_id),
        )


def _opened_key(frame: Frame) -> str:
    return f"registration-opened-{frame.pk}"


def _already_announced(frame: Frame) -> bool:
    return OutboxMail.objects.filter(key__startswith=f"{_opened_key(frame)}-").exists()


def announce_opened_registrations(now: datetime | None = None) -> int:
    """Periodic job: tell members about frames whose registration opened within the last day.

    Only frames of published events that have not started, whose registration opened after
    the event was first published (a frame already open at publication is in the "new event"
    mail, so members do not get both) and has not closed yet. Once per frame and member (the
    key); safe on two workers (the INSERT ignores keys another worker queued). Returns how many
    mails were queued."""
    now = now or timezone.now()
    frames = (
        Frame.objects.filter(
            event__status=EventStatus.PUBLISHED,
            event__starts_at__gt=now,
            event__published_at__lt=F("opens_at"),
            opens_at__gt=now - OPENED_WINDOW,
            opens_at__lte=now,
        )
        .filter(Q(closes_at__isnull=True) | Q(closes_at__gt=now))
        .select_related("event__group")
        .order_by("opens_at", "pk")
    )
    queued = 0
    for frame in frames:
        if _already_announced(frame):
            continue
        event = frame.event
        with transaction.atomic():
            queued += notify_group_members(
                event.group,
                kind=MailKind.REGISTRATION_OPENED,
                template="registration_opened",
                context={"event": event, "frame": frame},
                key=_opened_key(frame),
                exclude=_organizer_ids(event.group_id),
            )
    return queued

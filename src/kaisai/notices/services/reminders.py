"""Reminders before an event (periodic job `send_due_reminders`), and an event's mail settings.

Rules (docs/reminders.md):

- An event's reminder offsets are `EventMailSettings.reminder_hours` (default [24, 2] when the
  event has no settings row); an empty list switches reminders off.
- For a published event that has not started, an offset is *due* once `starts_at - hours` has
  passed. Each run sends only the latest due offset (the smallest), so a worker that was down
  never sends two reminders at once: the later one supersedes the missed earlier one.
- It goes to every accepted registration created before that offset's time (someone who
  registered after it has just had their confirmation, and gets the later offsets still ahead),
  who has not switched reminders off. Waitlisted and applied people get none.
- The mail key `reminder-<registration>-<hours>` means nobody gets the same reminder twice,
  whatever the number of runs or workers.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from kaisai.core.models import OutboxMail
from kaisai.core.outbox import queue_mail
from kaisai.events.enums import EventStatus
from kaisai.events.models import Event
from kaisai.notices.enums import MailKind
from kaisai.notices.links import cancel_url
from kaisai.notices.models import EventMailSettings, default_reminder_hours
from kaisai.notices.optouts import opted_out_user_ids
from kaisai.registrations.enums import Status
from kaisai.registrations.models import Registration

# Offsets (and the reconfirmation's hours) are at most 30 days before the start, so that the
# job only has to look at events starting within that horizon.
MAX_HOURS = 24 * 30
TEMPLATE = "event_reminder"


def reminder_hours_of(mail_settings: EventMailSettings | None) -> list[int]:
    """An event's offsets, largest first (its settings row, or the default without one)."""
    hours = default_reminder_hours() if mail_settings is None else mail_settings.reminder_hours
    if not isinstance(hours, list):
        return []
    # Tolerant of values the form never writes (the admin could): skip what is not an int.
    valid = {h for h in hours if isinstance(h, int) and not isinstance(h, bool)}
    return sorted({h for h in valid if 0 < h <= MAX_HOURS}, reverse=True)


def due_offset(event: Event, now: datetime) -> int | None:
    """The latest offset whose time has come, or None (none yet, or the event has started)."""
    if event.status != EventStatus.PUBLISHED or now >= event.starts_at:
        return None
    # Without a settings row, the select_related lookup raises (an AttributeError): default.
    offsets = reminder_hours_of(getattr(event, "mail_settings", None))
    due = [h for h in offsets if event.starts_at - timedelta(hours=h) <= now]
    return min(due) if due else None


def reminder_key(registration_id: int, hours: int) -> str:
    return f"reminder-{registration_id}-{hours}"


def existing_keys(keys: Iterable[str]) -> set[str]:
    """Which of these mail keys were queued before (one query)."""
    wanted = list(keys)
    if not wanted:
        return set()
    return set(OutboxMail.objects.filter(key__in=wanted).values_list("key", flat=True))


def upcoming_events(now: datetime):
    """Published events starting within the horizon, with their settings row (one query)."""
    return (
        Event.objects.filter(
            status=EventStatus.PUBLISHED,
            starts_at__gt=now,
            starts_at__lte=now + timedelta(hours=MAX_HOURS),
        )
        .select_related("group", "mail_settings")
        .order_by("starts_at", "pk")
    )


def remind(event: Event, hours: int) -> int:
    """Queue the `hours` reminder of `event` to whoever should have it and has not. Returns
    how many mails were queued: a query for the registrations, one for opt-outs, one for the
    keys already queued, then one INSERT per new mail."""
    sent_after = event.starts_at - timedelta(hours=hours)
    registrations = list(
        Registration.objects.filter(
            event=event, status=Status.ACCEPTED, created_at__lte=sent_after
        ).select_related("user")
    )
    if not registrations:
        return 0
    skip = opted_out_user_ids(
        (r.user_id for r in registrations), kind=MailKind.REMINDER, group=event.group
    )
    done = existing_keys(reminder_key(r.pk, hours) for r in registrations)
    due = [
        r for r in registrations if r.user_id not in skip and reminder_key(r.pk, hours) not in done
    ]
    count = 0
    if not due:
        return 0
    with transaction.atomic():
        for registration in due:
            mail = queue_mail(
                key=reminder_key(registration.pk, hours),
                user=registration.user,
                template=TEMPLATE,
                context={
                    "registration": registration,
                    "event": event,
                    "hours": hours,
                    "cancel_url": cancel_url(registration.pk),
                },
                kind=MailKind.REMINDER,
                group=event.group,
                batch=f"reminder:{event.pk}:{hours}",
            )
            count += mail is not None
    return count


def send_due_reminders(now: datetime | None = None) -> int:
    """Periodic job: queue the reminders whose time has come. Returns how many were queued.
    Idempotent and safe on several workers (the mail key is unique)."""
    now = now or timezone.now()
    count = 0
    for event in upcoming_events(now):
        hours = due_offset(event, now)
        if hours is not None:
            count += remind(event, hours)
    return count


def save_mail_settings(
    *,
    event: Event,
    reminder_hours: list[int],
    reconfirm_hours: int | None,
    reconfirm_deadline_hours: int | None,
    release_unanswered: bool,
) -> EventMailSettings:
    """Create or change the event's mail settings (the form has checked the values)."""
    with transaction.atomic():
        mail_settings, _ = EventMailSettings.objects.select_for_update().get_or_create(event=event)
        mail_settings.reminder_hours = sorted(set(reminder_hours), reverse=True)
        mail_settings.reconfirm_hours = reconfirm_hours
        mail_settings.reconfirm_deadline_hours = (
            reconfirm_deadline_hours if reconfirm_hours else None
        )
        mail_settings.release_unanswered = bool(
            release_unanswered and mail_settings.reconfirm_deadline_hours
        )
        mail_settings.save()
    return mail_settings

"""Reconfirmation (beyond connpass): "still coming?" before the event, and what the answers do.

Timeline of an event whose organizers set `reconfirm_hours` (R), optionally
`reconfirm_deadline_hours` (D) and `release_unanswered` (docs/reminders.md):

- **ask** from `start - R`: every accepted registration that has not answered gets
  `reconfirm_request` (key `reconfirm-<registration>`), with a signed "yes" and "no" link. The
  first run that asks stores `reconfirm_asked_at`.
- Without release, asking goes on until the deadline (or the start): people accepted later
  (promoted, registered late) are asked too.
- With release (needs a deadline): the **warning** time is halfway between the first ask and
  the deadline. Asking stops there, so that everyone who may lose their seat was asked before
  it; from then on those who were asked and have not answered get `reconfirm_warning`
  (key `reconfirm-warning-<registration>`).
- At the **deadline**, the accepted registrations that were warned and still have not answered
  are cancelled (reason "no answer to reconfirmation", the usual cancellation mail) and each
  freed seat is given to the waitlist at once. Nobody who was not warned loses a seat.
- "No" (at any time until the event's end) cancels at once and promotes the waitlist; "yes"
  is recorded. Both are visible to organizers.

These mails are needed for the seat, so they are queued without a kind (no unsubscribe).
The job is idempotent (mail keys; the release re-checks each registration under its lock).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_noop

from kaisai.core.outbox import queue_mail
from kaisai.events.enums import EventStatus
from kaisai.notices.enums import Answer
from kaisai.notices.links import reconfirm_url
from kaisai.notices.models import EventMailSettings, Reconfirmation
from kaisai.notices.services.reminders import MAX_HOURS, existing_keys
from kaisai.registrations.enums import Status
from kaisai.registrations.models import Registration
from kaisai.registrations.services import cancel_registration
from kaisai.registrations.services.seats import lock_frames

ASK_TEMPLATE = "reconfirm_request"
WARN_TEMPLATE = "reconfirm_warning"
RELEASE_REASON = gettext_noop("no answer to reconfirmation")
NO_REASON = gettext_noop("answered no to reconfirmation")


def local_time(moment: datetime | None, event) -> str:
    """A time for a mail, in the event's zone and a language-neutral format ("" for None)."""
    if moment is None:
        return ""
    return f"{moment.astimezone(event.tz):%Y-%m-%d %H:%M} ({event.time_zone})"


def ask_key(registration_id: int) -> str:
    return f"reconfirm-{registration_id}"


def warn_key(registration_id: int) -> str:
    return f"reconfirm-warning-{registration_id}"


@dataclass(frozen=True)
class Schedule:
    ask_at: datetime
    ask_until: datetime  # asking stops here (the warning time, the deadline or the start)
    deadline: datetime | None
    warn_at: datetime | None  # only when unanswered seats are released
    releases: bool


def schedule_of(mail_settings: EventMailSettings, now: datetime) -> Schedule | None:
    """When this event asks, warns and releases; None if it does not reconfirm."""
    if not mail_settings.reconfirm_hours:
        return None
    starts_at = mail_settings.event.starts_at
    ask_at = starts_at - timedelta(hours=mail_settings.reconfirm_hours)
    deadline = None
    if mail_settings.reconfirm_deadline_hours is not None:
        deadline = min(
            starts_at - timedelta(hours=mail_settings.reconfirm_deadline_hours), starts_at
        )
    releases = bool(mail_settings.release_unanswered and deadline and deadline > ask_at)
    if not releases or deadline is None:
        return Schedule(ask_at, deadline or starts_at, deadline, None, False)
    first_asked = mail_settings.reconfirm_asked_at or max(now, ask_at)
    warn_at = first_asked + (deadline - first_asked) / 2
    return Schedule(ask_at, warn_at, deadline, warn_at, True)


def _unanswered(mail_settings: EventMailSettings) -> QuerySet[Registration]:
    return Registration.objects.filter(
        event_id=mail_settings.event_id, status=Status.ACCEPTED, reconfirmation__isnull=True
    )


def _mark(mail_settings: EventMailSettings, field: str, now: datetime) -> None:
    """Store when a stage first happened (a conditional UPDATE: the first worker wins)."""
    if getattr(mail_settings, field) is None:
        EventMailSettings.objects.filter(pk=mail_settings.pk, **{f"{field}__isnull": True}).update(
            **{field: now}
        )
        setattr(mail_settings, field, now)


def ask(mail_settings: EventMailSettings, schedule: Schedule, *, now: datetime) -> int:
    """Queue "still coming?" to the accepted who have not answered and were not asked yet."""
    event = mail_settings.event
    registrations = list(_unanswered(mail_settings).select_related("user"))
    done = existing_keys(ask_key(r.pk) for r in registrations)
    count = 0
    with transaction.atomic():
        for registration in registrations:
            if ask_key(registration.pk) in done:
                continue
            mail = queue_mail(
                key=ask_key(registration.pk),
                user=registration.user,
                template=ASK_TEMPLATE,
                context={
                    "registration": registration,
                    "event": event,
                    "deadline": local_time(schedule.deadline, event),
                    "releases": schedule.releases,
                    "yes_url": reconfirm_url(registration.pk, Answer.YES),
                    "no_url": reconfirm_url(registration.pk, Answer.NO),
                },
                batch=f"reconfirm:{event.pk}",
            )
            count += mail is not None
        _mark(mail_settings, "reconfirm_asked_at", now)
    return count


def warn(mail_settings: EventMailSettings, schedule: Schedule, *, now: datetime) -> int:
    """Queue the last call to those who were asked and have not answered."""
    event = mail_settings.event
    registrations = list(_unanswered(mail_settings).select_related("user"))
    asked = existing_keys(ask_key(r.pk) for r in registrations)
    warned = existing_keys(warn_key(r.pk) for r in registrations)
    count = 0
    with transaction.atomic():
        for registration in registrations:
            if ask_key(registration.pk) not in asked or warn_key(registration.pk) in warned:
                continue
            mail = queue_mail(
                key=warn_key(registration.pk),
                user=registration.user,
                template=WARN_TEMPLATE,
                context={
                    "registration": registration,
                    "event": event,
                    "deadline": local_time(schedule.deadline, event),
                    "yes_url": reconfirm_url(registration.pk, Answer.YES),
                    "no_url": reconfirm_url(registration.pk, Answer.NO),
                },
                batch=f"reconfirm:{event.pk}",
            )
            count += mail is not None
        _mark(mail_settings, "unanswered_warned_at", now)
    return count


def release(mail_settings: EventMailSettings, *, now: datetime) -> int:
    """Cancel the warned who did not answer by the deadline; each seat goes to the waitlist."""
    candidates = list(_unanswered(mail_settings).only("pk", "frame_id"))
    warned = existing_keys(warn_key(r.pk) for r in candidates)
    count = 0
    for candidate in candidates:
        if warn_key(candidate.pk) not in warned:
            continue
        with transaction.atomic():
            lock_frames(candidate.frame_id)
            registration = Registration.objects.select_for_update().get(pk=candidate.pk)
            answered = Reconfirmation.objects.filter(registration=registration).exists()
            if registration.status != Status.ACCEPTED or answered:
                continue  # answered or cancelled meanwhile
            cancel_registration(registration=registration, by=None, reason=RELEASE_REASON)
            count += 1
    _mark(mail_settings, "unanswered_released_at", now)
    return count


def due_settings(now: datetime) -> QuerySet[EventMailSettings]:
    return EventMailSettings.objects.filter(
        reconfirm_hours__isnull=False,
        event__status=EventStatus.PUBLISHED,
        event__starts_at__gt=now,
        event__starts_at__lte=now + timedelta(hours=MAX_HOURS),
    ).select_related("event__group")


def send_due_reconfirmations(now: datetime | None = None) -> int:
    """Periodic job: ask, warn and release as each event's schedule says. Returns how many
    mails were queued plus how many seats were released."""
    now = now or timezone.now()
    count = 0
    for mail_settings in due_settings(now):
        schedule = schedule_of(mail_settings, now)
        if schedule is None or now < schedule.ask_at:
            continue
        if now < schedule.ask_until:
            count += ask(mail_settings, schedule, now=now)
        if not schedule.releases or schedule.deadline is None or schedule.warn_at is None:
            continue
        if schedule.warn_at <= now < schedule.deadline:
            count += warn(mail_settings, schedule, now=now)
        elif now >= schedule.deadline and mail_settings.unanswered_released_at is None:
            count += release(mail_settings, now=now)
    return count


class Outcome(enum.Enum):
    RECORDED = "recorded"  # "yes" stored (or changed)
    RELEASED = "released"  # "no": the registration was cancelled, the seat went on
    INACTIVE = "inactive"  # the registration is not accepted (cancelled before, waitlisted…)


def record_answer(*, registration: Registration, answer: str) -> Outcome:
    """A participant's answer from the mail's link. "No" cancels at once and promotes."""
    with transaction.atomic():
        if answer == Answer.NO:
            lock_frames(registration.frame_id)
        locked = Registration.objects.select_for_update().get(pk=registration.pk)
        if locked.status != Status.ACCEPTED:
            return Outcome.INACTIVE
        Reconfirmation.objects.update_or_create(registration=locked, defaults={"answer": answer})
        if answer != Answer.NO:
            return Outcome.RECORDED
        cancel_registration(registration=locked, by=locked.user, reason=NO_REASON)
        return Outcome.RELEASED

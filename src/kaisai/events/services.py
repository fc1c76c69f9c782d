"""Every write to events and their sponsors.

Life cycle (stored in `Event.status`)::

    draft ──publish──▶ published ──cancel───▶ cancelled
                           │  ▲
                   postpone│  │publish
                           ▼  │
                        postponed ──cancel──▶ cancelled

"Held" is not stored: it is derived (`Event.is_held`) from a published event whose end has
passed. Any other transition raises `EventError` with a translatable message.
"""

from __future__ import annotations

import calendar
import re
from datetime import UTC, datetime
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kaisai.accounts.models import User
from kaisai.core.images import discard_replaced
from kaisai.events import hooks, series
from kaisai.events.enums import EventStatus
from kaisai.events.models import Event, Sponsor
from kaisai.groups.enums import Action
from kaisai.groups.models import Group
from kaisai.groups.services_log import log_action

# Fields an organizer may set through create_event / update_event.
EDITABLE_FIELDS = frozenset(
    {
        "title",
        "catch",
        "description",
        "starts_at",
        "ends_at",
        "time_zone",
        "venue_kind",
        "place",
        "address",
        "prefecture",
        "latitude",
        "longitude",
        "stream_url",
        "participant_info",
        "hashtag",
        "image",
        "afterparty_place",
        "afterparty_starts_at",
        "afterparty_fee",
        "afterparty_capacity",
    }
)

TRANSITIONS: dict[str, frozenset[str]] = {
    EventStatus.DRAFT: frozenset({EventStatus.PUBLISHED}),
    EventStatus.PUBLISHED: frozenset({EventStatus.CANCELLED, EventStatus.POSTPONED}),
    EventStatus.POSTPONED: frozenset({EventStatus.PUBLISHED, EventStatus.CANCELLED}),
    EventStatus.CANCELLED: frozenset(),
}


class EventError(Exception):
    """A request the event's state does not allow. `str(error)` is a translated message."""

    def __init__(self, message: Any) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return str(self.message)


def _check_fields(fields: dict[str, Any]) -> None:
    unknown = set(fields) - EDITABLE_FIELDS
    if unknown:
        raise TypeError(f"Not editable event fields: {', '.join(sorted(unknown))}")


def _lock_group(group: Group) -> None:
    """Serialise numbering within a group (PostgreSQL row lock; SQLite's IMMEDIATE
    transactions already serialise writers)."""
    Group.objects.select_for_update().filter(pk=group.pk).values_list("pk", flat=True).first()


def _next_number(group: Group) -> int:
    current = Event.objects.filter(group=group).aggregate(top=Max("number"))["top"]
    return (current or 0) + 1


def create_event(*, group: Group, by: User, **fields: Any) -> Event:
    """Create a draft event numbered #N in its group (N = highest number + 1)."""
    _check_fields(fields)
    with transaction.atomic():
        _lock_group(group)
        event = Event(
            group=group,
            number=_next_number(group),
            status=EventStatus.DRAFT,
            created_by=by if getattr(by, "is_authenticated", False) else None,
            **fields,
        )
        event.full_clean(exclude=["created_by"])
        event.save()
    return event


def update_event(*, event: Event, by: User, **fields: Any) -> Event:
    """Change an event's texts, dates, venue, image or after-party (in any state)."""
    _check_fields(fields)
    old_files = {"image": event.image.name or ""} if "image" in fields else {}
    with transaction.atomic():
        for name, value in fields.items():
            setattr(event, name, value)
        event.full_clean(exclude=["created_by"])
        event.save()
        discard_replaced(event, old_files)
    return event


def save_sponsors(*, event: Event, formset) -> list[Sponsor]:
    """Save a validated sponsor formset (kaisai.events.forms.SponsorFormSet) for the event.

    The inline formset only accepts ids of the event's own sponsors; it is bound to the event
    here so that a formset built before the event existed (creation) saves onto it."""
    if not formset.is_valid():
        raise ValueError("save_sponsors needs a valid formset")
    # The forms already hold the new files; the stored names are in their initial data.
    old_logos = {
        form.instance.pk: getattr(form.initial.get("logo"), "name", "") or ""
        for form in formset.initial_forms
    }
    with transaction.atomic():
        formset.instance = event
        saved = formset.save()
        for form in formset.initial_forms:
            if form.instance in formset.deleted_objects:
                continue  # its file goes with the row (kaisai.core.images)
            discard_replaced(form.instance, {"logo": old_logos.get(form.instance.pk, "")})
        return saved


def allowed_transitions(event: Event) -> frozenset[str]:
    return TRANSITIONS.get(event.status, frozenset())


def _transition(*, event: Event, to: str, error: Any) -> Event:
    with transaction.atomic():
        locked = Event.objects.select_for_update().get(pk=event.pk)
        if to not in allowed_transitions(locked):
            raise EventError(error)
        locked.status = to
        update = ["status", "updated_at"]
        if to == EventStatus.PUBLISHED and locked.published_at is None:
            locked.published_at = timezone.now()
            update.append("published_at")
        locked.save(update_fields=update)
    event.status = locked.status
    event.published_at = locked.published_at
    event.updated_at = locked.updated_at
    return event


def publish_event(*, event: Event, by: User) -> Event:
    """Draft or postponed → published. `published_at` records the first publication; the
    hooks registered with `events.hooks.on_published` run in the same transaction (notices
    tells the group's members, once per event)."""
    with transaction.atomic():
        _transition(
            event=event,
            to=EventStatus.PUBLISHED,
            error=_("Only a draft or a postponed event can be published."),
        )
        hooks.run_published(event)
        log_action(group=event.group, actor=by, action=Action.EVENT_PUBLISHED, event=event)
    return event


def cancel_event(*, event: Event, by: User) -> Event:
    """Published or postponed → cancelled. The page stays readable and says so."""
    event = _transition(
        event=event,
        to=EventStatus.CANCELLED,
        error=_("Only a published or postponed event can be cancelled."),
    )
    log_action(group=event.group, actor=by, action=Action.EVENT_CANCELLED, event=event)
    return event


def postpone_event(*, event: Event, by: User) -> Event:
    """Published → postponed (new date to be announced; publish again once it is set)."""
    return _transition(
        event=event,
        to=EventStatus.POSTPONED,
        error=_("Only a published event can be postponed."),
    )


def add_months(value: datetime, months: int) -> datetime:
    """The same wall-clock time `months` later (the day clamped to the month's end)."""
    index = value.month - 1 + months
    year, month = value.year + index // 12, index % 12 + 1
    day = min(value.day, calendar.monthrange(year, month)[1])
    return value.replace(year=year, month=month, day=day)


def shift_time(value: datetime | None, *, event: Event, new_start: datetime) -> datetime | None:
    """`value` (a time of `event`, e.g. a frame's window) moved with the event to `new_start`
    (aware): the same wall-clock distance from the start in the event's zone."""
    start = event.starts_at.astimezone(event.tz).replace(tzinfo=None)
    return _shift(
        value,
        event=event,
        start=start,
        new_start=new_start.astimezone(event.tz).replace(tzinfo=None),
    )


def _shift(value: datetime | None, *, event: Event, start: datetime, new_start: datetime):
    """Move `value` by the same wall-clock offset from the start, in the event's zone."""
    if value is None:
        return None
    local = value.astimezone(event.tz).replace(tzinfo=None)
    moved = new_start + (local - start)
    return moved.replace(tzinfo=event.tz).astimezone(UTC)


def next_title(title: str, old: int | None, new: int) -> str:
    """ "MLCT #5" becomes "MLCT #6" when the title carries the old number."""
    if old is None:
        return title
    return re.sub(rf"#{old}(?!\d)", f"#{new}", title, count=1)


# What belongs to the old event and is not copied (besides registrations, talks, materials).
NOT_COPIED = frozenset({"catch", "stream_url"})


def copy_event_as_next(*, event: Event, by: User, starts_at: datetime | None = None) -> Event:
    """A new draft: the next of the series, numbered max+1 (the title's "#5" becomes "#6"),
    with the same texts, venue, image, sponsors and after-party — not the catch line or the
    stream URL, which belong to the old event. It starts at `starts_at` (default: the series'
    next date, `series.next_start`: same weekday and local time), and its end and after-party
    keep their distance from the start in the event's zone. Must start in the future.
    Frames, questionnaire and timetable are copied by the apps that own them
    (kaisai.site.services_copy_next runs it all in one transaction)."""
    tz = event.tz
    start = event.starts_at.astimezone(tz).replace(tzinfo=None)
    aware = starts_at if starts_at is not None else series.next_start(event)
    if aware <= timezone.now():
        raise EventError(_("The next event must start in the future. Choose a later date."))
    new_start = aware.astimezone(tz).replace(tzinfo=None)
    with transaction.atomic():
        _lock_group(event.group)
        number = _next_number(event.group)
        new = Event(
            group=event.group,
            number=number,
            status=EventStatus.DRAFT,
            created_by=by if getattr(by, "is_authenticated", False) else None,
        )
        for name in EDITABLE_FIELDS - {"image"} - NOT_COPIED:
            setattr(new, name, getattr(event, name))
        new.image = event.image.name or ""
        new.title = next_title(event.title, event.number, number)
        new.starts_at = new_start.replace(tzinfo=tz).astimezone(UTC)
        new.ends_at = _shift(event.ends_at, event=event, start=start, new_start=new_start)
        new.afterparty_starts_at = _shift(
            event.afterparty_starts_at, event=event, start=start, new_start=new_start
        )
        new.full_clean(exclude=["created_by"])
        new.save()
        Sponsor.objects.bulk_create(
            Sponsor(
                event=new,
                name=sponsor.name,
                url=sponsor.url,
                logo=sponsor.logo.name,
                provides=sponsor.provides,
                order=sponsor.order,
            )
            for sponsor in event.sponsors.all()
        )
    return new

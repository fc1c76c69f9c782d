"""Who may see or act on an event: the one place that says it (see docs/permissions.md).

Web views and the native API call these; both turn `Http404` into 404 and
`PermissionDenied` into 403 (the API as its JSON errors).

- **The draft rule**, written once in `can_see_event`: a draft is seen only by those who may
  manage its group's events (owner, organizer); to everyone else it does not exist (404).
  Published, cancelled and postponed events are seen by everyone.
- `visible_event_or_404`: pages that show an event (its page, its calendar file, materials,
  a lottery's page).
- `public_event_or_404`: what the public takes part in or machines read (register, my
  registration, tickets, self check-in, the frab export, the public API): a draft is 404 to
  everyone, its organizers included — nobody registers for, holds a ticket to or exports a
  draft.
- `managed_event_or_403`: organizer pages (owner, organizer). A draft of a group the user
  may not manage is 404, any other event 403.
- `reception_event_or_403`: reception pages (owner, organizer, reception). Same 404 for
  drafts, else 403 without a role.
- `public_q` / `public_only`: the list filter (lists, feeds and APIs show drafts to nobody).

Anonymous visitors of organizer pages are sent to the login page by `@login_required` before
any of these run.
"""

from __future__ import annotations

from typing import TypeVar

from django.contrib.auth.models import AnonymousUser
from django.db.models import Model, Q, QuerySet
from django.http import Http404

from kaisai.accounts.models import User
from kaisai.events.enums import EventStatus
from kaisai.events.models import Event
from kaisai.groups.access import require_two_factor
from kaisai.groups.permissions import can_do_reception, can_manage_events, require

Viewer = User | AnonymousUser | None
M = TypeVar("M", bound=Model)

PUBLIC_STATUSES = (EventStatus.PUBLISHED, EventStatus.CANCELLED, EventStatus.POSTPONED)
NOT_FOUND = "No such event."


def can_see_event(user: Viewer, event: Event) -> bool:
    """The draft rule: a draft only for its group's owners and organizers."""
    return event.is_public or can_manage_events(user, event.group)


def _event_or_404(pk: int, queryset: QuerySet[Event] | None) -> Event:
    events = Event.objects.select_related("group") if queryset is None else queryset
    event = events.filter(pk=pk).first()
    if event is None:
        raise Http404(NOT_FOUND)
    return event


def visible_event_or_404(
    user: Viewer, pk: int, *, queryset: QuerySet[Event] | None = None
) -> Event:
    """The event if this user may see it (`can_see_event`); otherwise 404."""
    event = _event_or_404(pk, queryset)
    if not can_see_event(user, event):
        raise Http404(NOT_FOUND)
    return event


def public_event_or_404(pk: int, *, queryset: QuerySet[Event] | None = None) -> Event:
    """The event if it is public (not a draft), whoever asks; otherwise 404."""
    event = _event_or_404(pk, queryset)
    if not event.is_public:
        raise Http404(NOT_FOUND)
    return event


def managed_event_or_403(
    user: Viewer, pk: int, *, queryset: QuerySet[Event] | None = None
) -> Event:
    """The event for organizer pages: 404 if unseen, 403 unless owner or organizer; the
    group's two-factor rule (`kaisai.groups.access.require_two_factor`)."""
    event = visible_event_or_404(user, pk, queryset=queryset)
    require(can_manage_events(user, event.group))
    require_two_factor(user, event.group)
    return event


def reception_event_or_403(
    user: Viewer, pk: int, *, queryset: QuerySet[Event] | None = None
) -> Event:
    """The event for reception pages: 404 if unseen, 403 without a role in its group; the
    group's two-factor rule for its owners and organizers (reception staff are not asked)."""
    event = visible_event_or_404(user, pk, queryset=queryset)
    require(can_do_reception(user, event.group))
    require_two_factor(user, event.group)
    return event


def public_q(via: str = "") -> Q:
    """The condition "the event is public" (lists, feeds and APIs show drafts to nobody).
    `via` is the path to the event, e.g. "event__" or "talk__event__"; "" for events."""
    return Q(**{f"{via}status__in": PUBLIC_STATUSES})


def public_only(queryset: QuerySet[M], *, via: str = "") -> QuerySet[M]:
    """The rows of `queryset` whose event is public (see `public_q`)."""
    return queryset.filter(public_q(via))

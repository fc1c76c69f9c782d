"""A person's own schedule for their private calendar: the events they are registered for and
the talks they give. It combines events, registrations and talks, so it is the site's."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kaisai.accounts.models import User
from kaisai.events.access import public_q
from kaisai.events.feeds import CALENDAR_ENTRIES, CALENDAR_PAST_DAYS
from kaisai.events.models import Event
from kaisai.registrations.enums import Status
from kaisai.registrations.models import Registration
from kaisai.talks.enums import TalkState
from kaisai.talks.models import Speaker


def my_schedule(user: User) -> tuple[list[Event], dict[int, str]]:
    """Events the user is in: accepted or waitlisted registrations, and talks they give
    (proposed or accepted) — none of drafts. Returns the events by start and a note for each
    (registration status, talk). Three queries."""
    since = timezone.now() - timedelta(days=CALENDAR_PAST_DAYS)
    notes: dict[int, list[str]] = {}
    registrations = Registration.objects.filter(
        user=user,
        status__in=[Status.ACCEPTED, Status.WAITLISTED],
        event__ends_at__gte=since,
    ).filter(public_q("event__"))
    for event_id, status in registrations.values_list("event_id", "status"):
        text = _("You are registered.") if status == Status.ACCEPTED else _("You are waitlisted.")
        notes.setdefault(event_id, []).append(text)
    talks = (
        Speaker.objects.filter(
            user=user,
            talk__state__in=[TalkState.PROPOSED, TalkState.ACCEPTED],
            talk__event__ends_at__gte=since,
        )
        .filter(public_q("talk__event__"))
        .values_list("talk__event_id", "talk__title")
    )
    for event_id, title in talks:
        notes.setdefault(event_id, []).append(_("Your talk: %(title)s") % {"title": title})
    events = list(
        Event.objects.filter(Q(pk__in=notes.keys()))
        .select_related("group")
        .order_by("starts_at", "id")[:CALENDAR_ENTRIES]
    )
    return events, {pk: "\n".join(lines) for pk, lines in notes.items()}

"""Reads about group notices: who a notice would go to (confirmation pages show it)."""

from __future__ import annotations

from kaisai.accounts.models import User
from kaisai.events.models import Event
from kaisai.groups.models import Organizer
from kaisai.notices.enums import MailKind
from kaisai.notices.notify import group_notice_recipients


def event_published_recipients(event: Event) -> list[User]:
    """Who would get the "new event" mail if `event` were published now: the group's members
    but its organizers, opt-outs and those already told (`services.group_notices`)."""
    organizers = Organizer.objects.filter(group_id=event.group_id).values_list("user_id", flat=True)
    return group_notice_recipients(
        event.group,
        kind=MailKind.EVENT_PUBLISHED,
        exclude=set(organizers),
        key=f"event-published-{event.pk}",
    )

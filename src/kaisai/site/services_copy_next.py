"""Copy as next (docs/copy-as-next.md): the next event of a series in one step, written in
one transaction by the apps that own each part — the event, its sponsors and after-party
(events), the frames and the questionnaire (registrations), the timetable's skeleton
(talks). Any refusal (a start or a frame's window in the past) leaves nothing written."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from kaisai.accounts.models import User
from kaisai.events import series
from kaisai.events import services as event_services
from kaisai.events.models import Event
from kaisai.registrations.errors import RegistrationError
from kaisai.registrations.services import copying
from kaisai.talks.services import timetable


class CopyError(Exception):
    """The copy was refused; `str(error)` is a translated message. Nothing was written."""


def default_start(event: Event) -> datetime:
    """The series' next date (`events.series.next_start`) far enough ahead that the copied
    frames' windows and draws lie ahead too."""
    return series.next_start(event, now=timezone.now() + copying.lead_time(event))


def do_copy_as_next(*, event: Event, by: User, starts_at: datetime | None = None) -> Event:
    """The next event as a draft: see kaisai.events.services.copy_event_as_next (event,
    sponsors, after-party), registrations.services.copying (frames, questionnaire) and
    talks.services.timetable.copy_skeleton (slots without talks)."""
    if starts_at is None:
        starts_at = default_start(event)
    try:
        with transaction.atomic():
            new = event_services.copy_event_as_next(event=event, by=by, starts_at=starts_at)
            copying.copy_frames(source=event, target=new, by=by)
            copying.copy_questions(source=event, target=new)
            timetable.copy_skeleton(source=event, target=new)
    except event_services.EventError as error:
        raise CopyError(str(error)) from error
    except RegistrationError as error:
        raise CopyError(" ".join(error.messages)) from error
    return new

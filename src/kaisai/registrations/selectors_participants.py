"""The participants list (参加者一覧): per frame, the accepted and the waitlisted people who chose
to appear, and how many others there are (docs/participants.md). Hidden people are counted,
never named: their rows are never loaded. Two queries whatever the number of people."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Q

from kaisai.accounts.models import User
from kaisai.accounts.selectors import listed_q
from kaisai.events.models import Event
from kaisai.registrations.enums import Status
from kaisai.registrations.models import Frame, Registration

LISTED_STATUSES = (Status.ACCEPTED, Status.WAITLISTED)


@dataclass
class FrameParticipants:
    frame: Frame
    accepted: list[User] = field(default_factory=list)
    waitlisted: list[User] = field(default_factory=list)
    n_accepted: int = 0
    n_waitlisted: int = 0

    @property
    def accepted_hidden(self) -> int:
        return self.n_accepted - len(self.accepted)

    @property
    def waitlisted_hidden(self) -> int:
        return self.n_waitlisted - len(self.waitlisted)


def participants_of(event: Event) -> list[FrameParticipants]:
    """The event's frames in order, each with the people shown (accepted by registration,
    waitlisted in waitlist order) and the totals."""
    frames = {
        frame.pk: FrameParticipants(frame)
        for frame in Frame.objects.filter(event=event)
        .annotate(
            n_acc=Count("registrations", filter=Q(registrations__status=Status.ACCEPTED)),
            n_wait=Count("registrations", filter=Q(registrations__status=Status.WAITLISTED)),
        )
        .order_by("order", "id")
    }
    for row in frames.values():
        row.n_accepted = row.frame.n_acc  # type: ignore[attr-defined]
        row.n_waitlisted = row.frame.n_wait  # type: ignore[attr-defined]
    shown = (
        Registration.objects.filter(listed_q(), event=event, status__in=LISTED_STATUSES)
        .select_related("user")
        .order_by("waitlist_key", "id")
    )
    for registration in shown:
        row = frames[registration.frame_id]
        people = row.accepted if registration.status == Status.ACCEPTED else row.waitlisted
        people.append(registration.user)
    return list(frames.values())


def shown_count(rows: list[FrameParticipants]) -> int:
    return sum(len(row.accepted) + len(row.waitlisted) for row in rows)


EVENT_PAGE_PEOPLE = 24


def event_page_participants(event: Event) -> dict:
    """The event page's summary: up to EVENT_PAGE_PEOPLE accepted people who chose to appear,
    how many are accepted and waitlisted in all, and how many more the full list counts."""
    rows = participants_of(event)
    accepted = [person for row in rows for person in row.accepted]
    people = accepted[:EVENT_PAGE_PEOPLE]
    n_accepted = sum(row.n_accepted for row in rows)
    return {
        "people": people,
        "others": n_accepted - len(people),
        "n_accepted": n_accepted,
        "n_waitlisted": sum(row.n_waitlisted for row in rows),
    }

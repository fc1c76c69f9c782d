"""The participants list (参加者一覧): per frame, the accepted and the waitlisted people who chose
to appear, and how many others there are (docs/participants.md). Hidden people are counted,
never named: their rows are never loaded. Two queries whatever the number of people."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet

from kaisai.accounts.models import User
from kaisai.accounts.selectors import listed_q
from kaisai.events.models import Event
from kaisai.registrations.enums import Status
from kaisai.registrations.models import Frame, Registration
from kaisai.registrations.selectors import frames_with_counts

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


def event_page_participants(event: Event, frames: list[Frame] | None = None) -> dict:
    """The event page's summary: up to EVENT_PAGE_PEOPLE accepted people who chose to appear,
    how many are accepted and waitlisted in all, and how many more the full list counts.

    `frames`: the page's frames with their counts (`selectors_event_page.frames_for_page`),
    so the totals cost no query; the people are one query of at most EVENT_PAGE_PEOPLE rows,
    whatever the number of registrations."""
    if frames is None:
        frames = list(frames_with_counts(event))
    n_accepted = sum(frame.n_accepted for frame in frames)  # type: ignore[attr-defined]
    n_waitlisted = sum(frame.n_waitlisted for frame in frames)  # type: ignore[attr-defined]
    people: list[User] = []
    if n_accepted:
        people = [registration.user for registration in shown_on_event_page(event.pk)]
    return {
        "people": people,
        "others": n_accepted - len(people),
        "n_accepted": n_accepted,
        "n_waitlisted": n_waitlisted,
    }


def shown_on_event_page(event_id: int) -> QuerySet[Registration]:
    """The accepted registrations whose people the event page names (with their users): the
    first EVENT_PAGE_PEOPLE who chose to appear, frames in the page's order, then registration
    order. The page's cache fingerprint (site/event_page_cache.py) reads the same rows."""
    return (
        Registration.objects.filter(listed_q(), event_id=event_id, status=Status.ACCEPTED)
        .select_related("user")
        .order_by("frame__order", "frame_id", "waitlist_key", "id")[:EVENT_PAGE_PEOPLE]
    )

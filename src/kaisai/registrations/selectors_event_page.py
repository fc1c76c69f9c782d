"""What the event page shows of registrations: the frames with their counts, window state and
lottery, and the visitor's own registration — a fixed number of queries. The site's event page
(kaisai.site.views_events) renders it with `registrations/_event_frames.html`; the participant
pages reuse the frame helpers."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser

from kaisai.accounts.models import User
from kaisai.core.subqueries import CountOf
from kaisai.events.models import Event
from kaisai.groups.permissions import can_manage_events
from kaisai.registrations import selectors, selectors_participant
from kaisai.registrations.enums import Method, Status
from kaisai.registrations.models import Frame, LotteryDraw, Registration


def draw_of(frame: Frame) -> LotteryDraw | None:
    try:
        return frame.draw
    except LotteryDraw.DoesNotExist:
        return None


def window_state(frame: Frame) -> str:
    """open / not_yet / closed (`Frame.window_now`, the one window rule; frame.event must be
    loaded)."""
    return frame.window_now()


def frames_for_page(event: Event) -> list[Frame]:
    """The event's frames with counts (one query), window state and lottery draw set."""
    frames = list(selectors.frames_with_counts(event))
    for frame in frames:
        frame.event = event  # already loaded: no query per frame
        frame.window = window_state(frame)
        frame.lottery = draw_of(frame) if frame.method == Method.LOTTERY else None
        frame.lottery_pending = frame.lottery is not None and not frame.lottery.is_drawn
        frame.free = max(frame.seat_limit - frame.n_accepted, 0)  # type: ignore[attr-defined]
    return frames


def with_position(registration: Registration | None) -> Registration | None:
    if registration is not None:
        registration.position = selectors.waitlist_position(registration)
    return registration


def event_page_frames(
    event: Event, user: User | AnonymousUser, *, is_organizer: bool
) -> dict[str, Any]:
    """Context for the event page's frames section (`registrations/_event_frames.html`)."""
    frames = frames_for_page(event)
    registration = selectors_participant.latest_registration(event, user, with_position=True)
    accepted = registration is not None and registration.status == Status.ACCEPTED
    # An accepted registration is what `selectors.sees_participant_info` looks for: known here.
    sees_info = is_organizer or accepted
    return {
        "frames": frames,
        "has_lottery": any(frame.method == Method.LOTTERY for frame in frames),
        "open_frames": [frame for frame in frames if frame.window == "open"],
        "my_registration": registration,
        "has_active_registration": registration is not None and registration.is_active,
        "sees_participant_info": sees_info,
        "can_manage_frames": is_organizer and can_manage_events(user, event.group),
        "afterparty_taken": (
            selectors_participant.afterparty_signups(event)
            if event.afterparty_capacity is not None
            else None
        ),
    }


AFTERPARTY_SIGNUPS = CountOf(
    lambda: Registration.objects.filter(selectors_participant.afterparty_q()), parent="event"
)


def page_annotations() -> dict[str, Any]:
    """What the event page's query adds to the event row: the after-party sign-ups."""
    return {"n_afterparty": AFTERPARTY_SIGNUPS()}

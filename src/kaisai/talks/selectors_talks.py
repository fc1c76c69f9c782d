"""Reads of talks: the organizers' list, the event page's part (who may see or edit a talk:
`kaisai.talks.access`).

Every list is a fixed number of queries (speakers and their users prefetched; waitlist
positions and material flags one query each for all talks)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.http import HttpRequest

from kaisai.accounts.models import User
from kaisai.accounts.requests import AnyUser
from kaisai.events.models import Event
from kaisai.registrations.models import Frame
from kaisai.registrations.selectors import with_waitlist_positions
from kaisai.talks import selectors_materials
from kaisai.talks.enums import TalkState
from kaisai.talks.models import Speaker, Talk

# Talks whose speakers are "the speakers" of an event: not withdrawn, not rejected.
SPEAKING_STATES = (TalkState.PROPOSED, TalkState.ACCEPTED)


def speakers_among(people: QuerySet[User], event: Event) -> QuerySet[User]:
    """Those of `people` who speak at `event` (the audience "speakers" of organizer
    messages; registered with notices in TalksConfig.ready())."""
    return people.filter(
        speaker_roles__talk__event=event, speaker_roles__talk__state__in=SPEAKING_STATES
    )


def seated_speakers(event_id: int, user_ids: Iterable[int]) -> set[int]:
    """Those of `user_ids` with a speaker seat at the event: speakers of an accepted talk, or
    invited speakers (accepted the invitation) of a talk still proposed. The registration
    core's speaker finder (connected in TalksConfig.ready()); one query, for the event's
    speakers (a few), however many users are asked about (a draw asks about thousands)."""
    rows = Speaker.objects.filter(talk__event_id=event_id, user_id__isnull=False).filter(
        Q(talk__state=TalkState.ACCEPTED)
        | Q(talk__state=TalkState.PROPOSED, invited_at__isnull=False)
    )
    return set(rows.values_list("user_id", flat=True)).intersection(user_ids)


def _speakers() -> Prefetch:
    return Prefetch("speakers", queryset=Speaker.objects.select_related("user"))


def talks_of(event: Event) -> QuerySet[Talk]:
    return Talk.objects.filter(event=event).prefetch_related(_speakers()).order_by("id")


def talk_for_page(talk_id: int) -> Talk | None:
    """A talk with its event, group, registration (and frame) and speakers."""
    return (
        Talk.objects.filter(pk=talk_id)
        .select_related("event__group", "registration__frame")
        .prefetch_related(_speakers())
        .first()
    )


def speaker_row(talk: Talk, user: AnyUser | None) -> Speaker | None:
    """The user's own speaker row of the talk (speakers prefetched), or None."""
    if user is None or not user.is_authenticated:
        return None
    return next((s for s in talk.speakers.all() if s.user_id == user.pk), None)


def is_speaker(talk: Talk, user: AnyUser | None) -> bool:
    return speaker_row(talk, user) is not None


def manage_rows(event: Event) -> list[Talk]:
    """Every talk of the event for the organizers' list, each with `.speaker_list`,
    `.all_confirmed`, `.waitlist_position` (LT talks on the speaker waitlist) and
    `.flags` ({"slides": bool, "video": bool})."""
    talks = list(talks_of(event).select_related("registration__frame"))
    registrations = [talk.registration for talk in talks if talk.registration is not None]
    with_waitlist_positions(registrations)
    flags = selectors_materials.material_flags([talk.pk for talk in talks])
    for talk in talks:
        speakers = list(talk.speakers.all())
        talk.speaker_list = speakers
        talk.all_confirmed = bool(speakers) and all(
            s.is_confirmed for s in speakers if s.user_id is not None or s.invitation_hash
        )
        registration = talk.registration
        talk.waitlist_position = getattr(registration, "position", None)
        talk.flags = flags.get(talk.pk, {"slides": False, "video": False})
    return talks


def accepted_talks(event: Event) -> list[Talk]:
    return list(talks_of(event).filter(state=TalkState.ACCEPTED))


def open_speakers_frame(event: Event, frames: list[Frame] | None = None) -> Frame | None:
    """The first speakers' frame (requires_talk) that takes registrations now. `frames`: the
    event's frames in order, when the caller has them loaded (no query then)."""
    if frames is None:
        frames = list(Frame.objects.filter(event=event).order_by("order", "id"))
    for frame in frames:
        if not frame.requires_talk:
            continue
        frame.event = event
        if frame.window_now() == "open":
            return frame
    return None


def event_page_context(
    request: HttpRequest, event: Event, *, can_manage: bool, frames: list[Frame] | None = None
) -> dict[str, Any]:
    """Context for the event page's talks (talks/_event_talks.html): the accepted talks
    with their speakers, and the open speakers' frame for a "Propose a lightning talk" button."""
    return {
        # Talks on the timetable are shown there; this list has those not (yet) scheduled.
        "accepted_talks": []
        if getattr(event, "n_unscheduled_talks", None) == 0  # counted by the page's query
        else list(talks_of(event).filter(state=TalkState.ACCEPTED, slot__isnull=True)),
        "speakers_frame": open_speakers_frame(event, frames),
    }

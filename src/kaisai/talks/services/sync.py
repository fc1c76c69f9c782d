"""Registration status → talk state, for talks proposed through a speakers' (LT) frame.

The registration holds the speaker's seat, so its status decides the talk's state:

    applied, waitlisted → proposed (the speaker waitlist)
    accepted            → accepted (a seat of the LT frame itself, never a general one)
    rejected            → rejected
    cancelled           → withdrawn

`on_status_change` is a status listener of the registration core (`registrations.hooks`,
connected in `TalksConfig.ready()`): `registrations.services.audit.record` calls it for
every status change, inside the change's transaction. A new registration costs nothing (its
talk, if any, is written after it: the registration rush stays as it was); a later change is
one UPDATE by the registration's unique id, which touches no row unless the registration has
a talk. A move out of a speakers' frame (the loaded `registration.frame` takes no talks)
withdraws the talk.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.utils import timezone

from kaisai.registrations.enums import Status
from kaisai.registrations.models import Frame, Registration
from kaisai.talks.enums import TalkState
from kaisai.talks.models import Talk

STATE_FOR_STATUS = {
    Status.APPLIED: TalkState.PROPOSED,
    Status.WAITLISTED: TalkState.PROPOSED,
    Status.ACCEPTED: TalkState.ACCEPTED,
    Status.REJECTED: TalkState.REJECTED,
    Status.CANCELLED: TalkState.WITHDRAWN,
}


def talk_state_for(status: str) -> str:
    return STATE_FOR_STATUS[Status(status)]


def sync_talk_state(registration: Registration, *, from_status: str) -> int:
    """Bring the talk of `registration` (if any) to the state its status implies.

    A new registration (`from_status` empty) has no talk yet: `proposals.write_proposed_talk`
    creates it afterwards, in the same transaction. A registration whose (loaded) frame takes
    no talks — moved out of the speakers' frame — withdraws its talk. Returns the rows changed.
    """
    if not from_status:
        return 0
    frame = registration._state.fields_cache.get("frame")
    target: str = TalkState.WITHDRAWN
    if frame is None or frame.requires_talk:
        target = talk_state_for(registration.status)
    return (
        Talk.objects.filter(registration_id=registration.pk)
        .exclude(state=target)
        .update(state=target, updated_at=timezone.now())
    )


def on_statuses_change(frame: Frame, registration_ids: Sequence[int], from_status: str) -> None:
    """The listener for many registrations that changed status in their frame (a lottery
    draw, whose registrations are loaded without their frame: the state their status
    implies). One query when none of them has a talk."""
    if not from_status or not Talk.objects.filter(registration__frame=frame).exists():
        return  # the usual case: no talk in the frame, one query per batch
    talks = Talk.objects.filter(registration_id__in=list(registration_ids))
    for status, target in STATE_FOR_STATUS.items():
        talks.filter(registration__status=status).exclude(state=target).update(
            state=target, updated_at=timezone.now()
        )


def on_status_change(registration: Registration, from_status: str) -> None:
    """The status listener connected to `registrations.hooks`."""
    sync_talk_state(registration, from_status=from_status)

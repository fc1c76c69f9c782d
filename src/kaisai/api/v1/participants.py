"""The participants list of an event (参加者一覧), public: only the people who chose to appear
are named, the others counted (docs/participants.md)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from ninja import Router, Schema

from kaisai.accounts.models import User
from kaisai.api.v1.params import ObjectId
from kaisai.api.v1.schemas import ErrorOut
from kaisai.events.access import public_event_or_404
from kaisai.registrations.selectors_participants import participants_of

router = Router(tags=["public"])


class ParticipantOut(Schema):
    nickname: str
    display_name: str
    url: str
    avatar_url: str | None


class FrameParticipantsOut(Schema):
    frame_id: int
    frame_name: str
    accepted_count: int
    waitlisted_count: int
    accepted: list[ParticipantOut]
    waitlisted: list[ParticipantOut]
    accepted_hidden: int
    waitlisted_hidden: int


class ParticipantsOut(Schema):
    event_id: int
    frames: list[FrameParticipantsOut]


def _absolute(url: str) -> str:
    return url if url.startswith(("http://", "https://")) else settings.BASE_URL + url


def _person(user: User) -> dict:
    return {
        "nickname": user.nickname,
        "display_name": user.name,
        "url": settings.BASE_URL + user.get_absolute_url(),
        "avatar_url": _absolute(user.avatar.url) if user.avatar else None,
    }


@router.get(
    "/events/{event_id}/participants/", response={200: ParticipantsOut, 404: ErrorOut},
    operation_id="list_participants", auth=None,
    summary="Participants list: per frame, the accepted and waitlisted people who chose to "
    "appear, and how many others",
)  # fmt: skip
def list_participants(request: HttpRequest, event_id: ObjectId):
    event = public_event_or_404(event_id)
    return {
        "event_id": event.pk,
        "frames": [
            {
                "frame_id": row.frame.pk,
                "frame_name": row.frame.name,
                "accepted_count": row.n_accepted,
                "waitlisted_count": row.n_waitlisted,
                "accepted": [_person(user) for user in row.accepted],
                "waitlisted": [_person(user) for user in row.waitlisted],
                "accepted_hidden": row.accepted_hidden,
                "waitlisted_hidden": row.waitlisted_hidden,
            }
            for row in participants_of(event)
        ],
    }

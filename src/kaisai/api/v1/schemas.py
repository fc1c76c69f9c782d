from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Field, Schema


class ErrorOut(Schema):
    detail: str
    reason: str
    errors: dict[str, list[str]] | None = None


class GroupRef(Schema):
    slug: str
    title: str


class FrameOut(Schema):
    id: int
    name: str
    description: str
    method: str
    capacity: int
    accepted: int
    waitlisted: int
    applied: int
    fee: int
    opens_at: datetime | None
    closes_at: datetime | None
    lottery_at: datetime | None
    lottery_commitment: str | None = Field(None, description="SHA-256 of the secret seed")
    lottery_drawn: bool = False


class EventSummaryOut(Schema):
    id: int
    number: int | None
    title: str
    catch: str
    status: str
    starts_at: datetime
    ends_at: datetime
    time_zone: str
    venue_kind: str
    place: str
    address: str
    prefecture: str
    group: GroupRef
    url: str


class EventOut(EventSummaryOut):
    description: str
    stream_url: str
    hashtag: str
    frames: list[FrameOut]


class RegisterIn(Schema):
    frame_id: int
    answers: dict[str, Any] = Field(default_factory=dict, description="question id → answer")
    afterparty: bool = False


class RegistrationOut(Schema):
    id: int
    event_id: int
    frame_id: int
    frame_name: str
    status: str
    waitlist_position: int | None
    nominated: bool
    afterparty: bool
    created_at: datetime


class AttendeeOut(RegistrationOut):
    nickname: str
    display_name: str

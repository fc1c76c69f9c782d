"""Schemas of the public reads of groups and talks, and of the organizer operations."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from ninja import Field, Schema

from kaisai.api.v1.schemas import EventSummaryOut


class GroupOut(Schema):
    slug: str
    title: str
    subtitle: str
    description: str
    website: str
    url: str
    member_count: int
    upcoming_event_count: int


class GroupDetailOut(GroupOut):
    upcoming_events: list[EventSummaryOut]


class SpeakerOut(Schema):
    name: str
    nickname: str | None = Field(None, description="Speakers with an account")


class MaterialOut(Schema):
    id: int
    talk_id: int | None
    kind: str
    url: str
    title: str
    provider: str
    embed_url: str
    created_at: datetime


class TalkOut(Schema):
    id: int
    event_id: int
    title: str
    abstract: str
    kind: str
    duration: int
    language: str
    state: str
    speakers: list[SpeakerOut]
    starts_at: datetime | None = Field(None, description="From the timetable, if scheduled")
    materials: list[MaterialOut]


class EventIn(Schema):
    title: str = Field(..., min_length=1, max_length=200)
    catch: str = Field("", max_length=200)
    description: str = Field("", max_length=50000)
    starts_at: datetime
    ends_at: datetime
    time_zone: str = "Asia/Tokyo"
    venue_kind: Literal["offline", "online", "hybrid"] = "offline"
    place: str = Field("", max_length=200)
    address: str = Field("", max_length=300)
    prefecture: str = Field("", max_length=16)
    stream_url: str = Field("", max_length=200)
    hashtag: str = Field("", max_length=100)


class EventPatch(Schema):
    title: str | None = Field(None, min_length=1, max_length=200)
    catch: str | None = Field(None, max_length=200)
    description: str | None = Field(None, max_length=50000)
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    venue_kind: Literal["offline", "online", "hybrid"] | None = None
    place: str | None = Field(None, max_length=200)
    address: str | None = Field(None, max_length=300)
    prefecture: str | None = Field(None, max_length=16)
    stream_url: str | None = Field(None, max_length=200)
    hashtag: str | None = Field(None, max_length=100)


class FrameIn(Schema):
    name: str = Field(..., min_length=1, max_length=100)
    description: str = Field("", max_length=2000)
    capacity: int = Field(..., ge=0, le=100000)
    method: Literal["first_come", "lottery", "approval"] = "first_come"
    lottery_at: datetime | None = None
    opens_at: datetime | None = None
    closes_at: datetime | None = None
    fee: int = Field(0, ge=0, le=10_000_000)
    requires_talk: bool = False
    speakers_keep_seat: bool = Field(
        False,
        description="Speakers' frame: an attendee registered elsewhere proposes a talk "
        "and keeps their seat (true) or moves into this frame with it (false)",
    )
    accepts_lottery_losers: bool = Field(
        True, description="First-come frame: open to those not drawn in the event's lottery"
    )
    overbooking: Literal["off", "forecast"] = Field(
        "off", description="Fill-the-room mode: accept more than the seats by the forecast"
    )
    overflow_risk: float = Field(
        0.05, gt=0, le=0.5, description="Accepted chance of more arrivals than seats"
    )


class FramePatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=100)
    description: str | None = Field(None, max_length=2000)
    capacity: int | None = Field(None, ge=0, le=100000)
    opens_at: datetime | None = None
    closes_at: datetime | None = None
    fee: int | None = Field(None, ge=0, le=10_000_000)
    speakers_keep_seat: bool | None = Field(
        None,
        description="Speakers' frame: an attendee registered elsewhere proposes a talk "
        "and keeps their seat (true) or moves into this frame with it (false)",
    )
    accepts_lottery_losers: bool | None = Field(
        None, description="First-come frame: open to those not drawn in the event's lottery"
    )
    overbooking: Literal["off", "forecast"] | None = Field(
        None, description="Fill-the-room mode: accept more than the seats by the forecast"
    )
    overflow_risk: float | None = Field(
        None, gt=0, le=0.5, description="Accepted chance of more arrivals than seats"
    )


class DecisionIn(Schema):
    action: Literal["accept", "reject", "nominate", "cancel", "move"]
    frame_id: int | None = Field(None, ge=0, le=2**62, description="For move: the frame to move to")
    reason: str = Field("", max_length=500)


class SearchParams(Schema):
    keyword: str = Field("", max_length=200, description="Words separated by spaces: all match")
    starts_from: date | None = Field(None, description="Events starting on or after (YYYY-MM-DD)")
    starts_until: date | None = Field(None, description="Events starting on or before")
    prefecture: str = Field("", max_length=16, description="A prefecture value or `online`")
    group: str = Field("", max_length=50, description="A group's slug")
    tag: str = Field("", max_length=100, description="A hashtag, without #")
    past: bool = Field(False, description="List past events (latest first)")

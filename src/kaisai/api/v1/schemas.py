from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from ninja import Field, Schema


class ErrorOut(Schema):
    detail: str
    reason: str
    errors: dict[str, list[str]] | None = None


class GroupRef(Schema):
    slug: str
    title: str


class FrameForecastOut(Schema):
    expected_attendance: float = Field(..., description="Expected number who come")
    low: int = Field(..., description="5% quantile of the number who come")
    high: int = Field(..., description="95% quantile of the number who come")
    overflow_probability: float = Field(
        ..., description="Probability that more come than the frame has seats, 0..1"
    )
    recommended_accept: int = Field(
        ..., description="How many to accept so that the risk of overflow stays within the frame's"
    )


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
    requires_talk: bool = Field(
        False, description="A speakers' frame (LT): registering proposes a talk"
    )
    speakers_keep_seat: bool = Field(
        False,
        description="Speakers' frame: an attendee registered elsewhere proposes a talk "
        "and keeps their seat (true) or moves into this frame with it (false)",
    )
    accepts_lottery_losers: bool = Field(
        True, description="First-come frame: open to those not drawn in the event's lottery"
    )
    overbooking: str = Field("off", description='Fill-the-room mode: "off" or "forecast"')
    overflow_risk: float = Field(0.05, description="Accepted chance of more arrivals than seats")
    accept_limit: int | None = Field(
        None, description="How many may be accepted (fill-the-room mode); null: the capacity"
    )
    forecast: FrameForecastOut | None = Field(
        None,
        description="The show-up forecast: only for the group's owners and organizers (send "
        "your token); null for everyone else and for frames without seats",
    )


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


class AttendanceOut(Schema):
    applied: int
    accepted: int
    waitlisted: int
    cancelled: int
    attended: int
    no_show: int | None = Field(None, description="Counted once the event has ended")
    attendance_rate: float | None = Field(None, description="attended / accepted, 0..1")


class QuestionOut(Schema):
    id: int = Field(..., description="The key of this question's answer in `register`'s `answers`")
    text: str = Field(..., description="The question, as the organizers wrote it")
    kind: Literal["text", "single", "multiple"] = Field(
        ...,
        description="text: any text (at most 2000 characters); single: one of `choices` (a "
        "string); multiple: a list of `choices`",
    )
    kind_label: str = Field(..., description="The kind, in the caller's language (Accept-Language)")
    choices: list[str] = Field(..., description="The allowed answers of single and multiple")
    required: bool


class EventOut(EventSummaryOut):
    description: str
    stream_url: str
    hashtag: str
    frames: list[FrameOut]
    questions: list[QuestionOut] = Field(
        ...,
        description="The event's questionnaire, asked in every frame: `register` takes the "
        "answers as `answers` {question id: answer}; a missing required answer is 422 "
        "`invalid_answers`, with `errors` naming the question (`q<id>`)",
    )
    attendance: AttendanceOut | None = Field(
        None, description="Only for the group's owner and organizers (send your token)"
    )


class TalkProposalIn(Schema):
    title: str = Field(..., min_length=1, max_length=200)
    abstract: str = Field("", max_length=5000)
    duration: int = Field(5, ge=1, le=600, description="Minutes")
    language: Literal["ja", "en", "other"] = "ja"
    consent_stream: bool = True
    consent_record: bool = True


class RegisterIn(Schema):
    frame_id: int = Field(..., ge=0, le=2**62)
    answers: dict[str, Any] = Field(default_factory=dict, description="question id → answer")
    afterparty: bool = False
    talk: TalkProposalIn | None = Field(
        None, description="Required by a speakers' frame (lightning talks): the proposed talk"
    )


class RegistrationOut(Schema):
    id: int
    event_id: int
    frame_id: int
    frame_name: str
    status: str
    waitlist_position: int | None
    standby: bool = Field(
        False,
        description="Waitlisted and coming to the door as a standby (a seat is not guaranteed)",
    )
    nominated: bool
    afterparty: bool
    created_at: datetime


class AnswerOut(Schema):
    question_id: int
    question: str
    value: Any = Field(..., description="Text, or a list of the chosen choices")


class AttendeeOut(RegistrationOut):
    nickname: str
    display_name: str
    answers: list[AnswerOut] = Field(
        default_factory=list, description="Answers to the event's questionnaire"
    )
    organizer_note: str = Field("", description="The organizers' note shown at check-in")


class MyRegistrationOut(RegistrationOut):
    ticket_token: str | None = Field(
        None, description="Accepted registrations: the token the ticket's QR code carries"
    )
    receipt_number: int | None = None
    ticket_url: str | None = Field(None, description="The ticket page (QR code, receipt number)")


class CheckInIn(Schema):
    token: str = Field(..., max_length=64, description="The ticket's token (from its QR code)")
    nonce: str = Field(
        "", max_length=40, description="Per-scan id: a retried scan with it is taken once"
    )
    scanned_at: datetime | None = Field(
        None, description="When the scan happened (offline scans sent later); default: now"
    )


class PersonRef(Schema):
    nickname: str
    display_name: str


class CheckInOut(Schema):
    result: Literal["checked_in", "already"]
    registration: AttendeeOut
    receipt_number: int | None
    checked_in_at: datetime
    by: PersonRef | None
    method: str
    late: bool

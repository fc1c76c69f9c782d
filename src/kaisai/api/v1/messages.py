"""Organizer messages through the API: send to an audience, read the history with progress."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from kaisai.accounts.requests import signed_in_user
from kaisai.api.auth import TOKEN_AUTH
from kaisai.api.v1.params import ObjectId
from kaisai.api.v1.registrations import ERRORS
from kaisai.events.access import managed_event_or_403
from kaisai.notices.selectors_messages import message_history
from kaisai.notices.services.messages import MessageError, send_message
from kaisai.registrations.errors import RegistrationError

router = Router(tags=["organizers"], auth=TOKEN_AUTH)


class MessageIn(Schema):
    audience: Literal["accepted", "waitlisted", "registrants", "speakers", "members"]
    subject: str = Field(..., min_length=1, max_length=200)
    body: str = Field(..., min_length=1, max_length=20000, description="Markdown")


class MessageOut(Schema):
    id: int
    audience: str
    subject: str
    created_at: datetime
    recipient_count: int
    sent: int
    pending: int
    failed: int


def message_out(message, progress) -> dict:
    return {
        "id": message.pk,
        "audience": message.audience,
        "subject": message.subject,
        "created_at": message.created_at,
        "recipient_count": message.recipient_count,
        "sent": progress.sent,
        "pending": progress.pending,
        "failed": progress.failed,
    }


@router.post(
    "/events/{event_id}/messages/", response={201: MessageOut, **ERRORS},
    operation_id="send_message",
    summary="Send a message to an audience of the event (organizers); mails go out queued",
)  # fmt: skip
def send(request: HttpRequest, event_id: ObjectId, payload: MessageIn):
    event = managed_event_or_403(request.user, event_id)
    try:
        message = send_message(event=event, by=signed_in_user(request), **payload.dict())
    except MessageError as error:
        raise RegistrationError(str(error), code="empty_audience") from error
    history = {m.pk: m for m in message_history(event)}
    return Status(201, message_out(message, history[message.pk].progress))


@router.get(
    "/events/{event_id}/messages/", response={200: list[MessageOut], **ERRORS},
    operation_id="list_messages",
    summary="Messages sent for the event, newest first, with delivery progress (organizers)",
)  # fmt: skip
def list_messages(request: HttpRequest, event_id: ObjectId):
    event = managed_event_or_403(request.user, event_id)
    rows = message_history(event)
    return Status(200, [message_out(m, m.progress) for m in rows])

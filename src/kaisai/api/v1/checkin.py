"""Check-in through the API: organizers' and reception staff's own scanners and tools."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Status

from kaisai.api.auth import TOKEN_AUTH
from kaisai.api.v1.params import ObjectId
from kaisai.api.v1.registrations import ERRORS, registration_out
from kaisai.api.v1.schemas import CheckInIn, CheckInOut
from kaisai.checkin import services
from kaisai.checkin.errors import CheckInError
from kaisai.checkin.models import CheckIn, Ticket
from kaisai.events.access import reception_event_or_403

router = Router(tags=["check-in"], auth=TOKEN_AUTH)

STATUS_FOR_REASON = {"unknown": 404, "other_event": 409, "not_accepted": 409}


@router.post(
    "/events/{event_id}/check-in/", response={201: CheckInOut, 200: CheckInOut, **ERRORS},
    operation_id="check_in",
    summary="Check a ticket in (organizers and reception; a repeated scan answers `already`)",
    description=(
        "201 with `result: checked_in` for a new check-in; 200 with `result: already` when the "
        "person was checked in before (by whom and when). Errors: 404 `unknown` ticket, 409 "
        "`other_event` (a ticket of another event checks nobody in), 409 `not_accepted` "
        "(waitlisted or cancelled). Send a `nonce` per scan so that a retry is taken once, and "
        "`scanned_at` for scans made offline."
    ),
)  # fmt: skip
def check_in(request: HttpRequest, event_id: ObjectId, payload: CheckInIn):
    event = reception_event_or_403(request.user, event_id)
    # Nonces are unique across the site: scope the client's to this event and this user.
    nonce = f"api:{event.pk}:{request.user.pk}:{payload.nonce}" if payload.nonce else ""
    try:
        result = services.check_in_ticket(
            event=event, token=payload.token, by=request.user, method=CheckIn.Method.API,
            nonce=nonce, scanned_at=payload.scanned_at,
        )  # fmt: skip
    except CheckInError as error:
        problem = {"detail": "; ".join(error.messages), "reason": error.reason}
        return Status(STATUS_FOR_REASON.get(error.reason, 422), problem)
    checkin = result.checkin
    registration = result.registration
    user = registration.user
    by = checkin.by
    receipt = Ticket.objects.filter(registration=registration).values_list(
        "receipt_number", flat=True
    )
    body: dict[str, Any] = {
        "result": "already" if result.already else "checked_in",
        "registration": {
            **registration_out(registration),
            "nickname": user.nickname,
            "display_name": user.display_name,
        },
        "receipt_number": next(iter(receipt), None),
        "checked_in_at": checkin.checked_in_at,
        "by": {"nickname": by.nickname, "display_name": by.display_name} if by else None,
        "method": checkin.method,
        "late": checkin.late,
    }
    return Status(200 if result.already else 201, body)

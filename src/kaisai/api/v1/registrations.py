from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest
from django.urls import reverse
from ninja import Router, Status

from kaisai.accounts.requests import signed_in_user
from kaisai.api.auth import TOKEN_AUTH
from kaisai.api.v1.params import LongLimit, ObjectId, Offset, OptionalId
from kaisai.api.v1.schemas import (
    AttendeeOut,
    ErrorOut,
    MyRegistrationOut,
    RegisterIn,
    RegistrationOut,
)
from kaisai.events.access import public_event_or_404
from kaisai.registrations import selectors, services
from kaisai.registrations.access import readable_registrations_or_403
from kaisai.registrations.models import Registration
from kaisai.registrations.proposals import TalkProposal
from kaisai.registrations.selectors import frame_with_event

router = Router(tags=["registrations"], auth=TOKEN_AUTH)

ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


def registration_out(registration: Registration) -> dict:
    return {
        "id": registration.pk,
        "event_id": registration.event_id,
        "frame_id": registration.frame_id,
        "frame_name": registration.frame.name,
        "status": registration.status,
        "waitlist_position": (
            registration.position
            if hasattr(registration, "position")
            else selectors.waitlist_position(registration)
        ),
        "standby": registration.standby,
        "nominated": registration.nominated,
        "afterparty": registration.afterparty,
        "created_at": registration.created_at,
    }


@router.post(
    "/registrations/", response={201: RegistrationOut, 200: RegistrationOut, **ERRORS},
    operation_id="register",
    summary="Register to a frame (a repeated request answers with the existing registration)",
)  # fmt: skip
def register(request: HttpRequest, payload: RegisterIn):
    frame = frame_with_event(payload.frame_id)
    if frame is None or not frame.event.is_public:
        raise Http404("No such frame.")
    # The registration service owns the speakers'-frame rule: without a talk, 422
    # talk_required. A talk sent to any other frame is ignored.
    talk = None
    if payload.talk is not None and frame.requires_talk:
        talk = TalkProposal(**payload.talk.dict())
    registration = services.register(
        frame=frame, user=signed_in_user(request), answers=payload.answers,
        afterparty=payload.afterparty, talk=talk,
    )  # fmt: skip
    status = 201 if registration.just_created else 200
    return Status(status, registration_out(registration))


@router.get(
    "/events/{event_id}/registration/", response={200: MyRegistrationOut, **ERRORS},
    operation_id="get_my_registration",
    summary="My active registration to an event (with the ticket once accepted)",
)  # fmt: skip
def get_my_registration(request: HttpRequest, event_id: ObjectId):
    event = public_event_or_404(event_id)
    registration = selectors.registration_of(event, request.user)
    if registration is None:
        raise Http404("You have no active registration to this event.")
    from kaisai.checkin.tickets import ticket_of  # checkin depends on registrations

    ticket = ticket_of(registration)  # None unless accepted (read only)
    body = registration_out(registration)
    if ticket is not None:
        body |= {
            "ticket_token": ticket.token,
            "receipt_number": ticket.receipt_number,
            "ticket_url": settings.BASE_URL + reverse("checkin:ticket", kwargs={"pk": event.pk}),
        }
    return Status(200, body)


@router.delete(
    "/events/{event_id}/registration/", response={200: RegistrationOut, **ERRORS},
    operation_id="cancel_registration", summary="Cancel my registration to an event",
)  # fmt: skip
def cancel_registration(request: HttpRequest, event_id: ObjectId):
    event = public_event_or_404(event_id)
    registration = selectors.registration_of(event, request.user)
    if registration is None:
        raise Http404("You have no active registration to this event.")
    registration = services.cancel_registration(
        registration=registration, by=signed_in_user(request), reason="cancelled through the API"
    )
    return Status(200, registration_out(registration))


@router.get(
    "/events/{event_id}/registrations/", response={200: list[AttendeeOut], **ERRORS},
    operation_id="list_registrations",
    summary="All registrations of an event with their answers (organizers and reception)",
    description=(
        "Owners, organizers and reception staff of the event's group (the same rule as the "
        "web list, kaisai.registrations.access). Reception staff search names and nicknames "
        "only; e-mail addresses are in no answer of this API."
    ),
)  # fmt: skip
def list_registrations(
    request: HttpRequest, event_id: ObjectId, status: str = "", frame_id: OptionalId = None,
    search: str = "", limit: LongLimit = 500, offset: Offset = 0,
):  # fmt: skip
    event, can_manage = readable_registrations_or_403(request.user, event_id)
    matching = selectors.registrations_for_organizers(
        event, status=status, frame_id=frame_id, search=search, search_email=can_manage
    ).prefetch_related("answers__question")
    offset, limit = max(offset, 0), max(1, min(limit, 1000))
    rows = selectors.with_waitlist_positions(list(matching[offset : offset + limit]))
    return Status(
        200,
        [
            {
                **registration_out(r),
                "nickname": r.user.nickname,
                "display_name": r.user.display_name,
                "answers": _answers(r),
                "organizer_note": r.organizer_note,
            }
            for r in rows
        ],
    )


def _answers(registration: Registration) -> list[dict]:
    answers = sorted(registration.answers.all(), key=lambda a: (a.question.order, a.question_id))
    return [
        {"question_id": a.question_id, "question": a.question.label, "value": a.value}
        for a in answers
    ]


def _my_waitlisted(request: HttpRequest, event_id: int) -> Registration:
    event = public_event_or_404(event_id)
    registration = selectors.registration_of(event, request.user)
    if registration is None:
        raise Http404("You have no active registration to this event.")
    return registration


@router.put(
    "/events/{event_id}/registration/standby/", response={200: RegistrationOut, **ERRORS},
    operation_id="opt_in_standby",
    summary="Come to the door as a standby (waitlisted, in a frame with standby at the door; "
    "a seat is not guaranteed)",
)  # fmt: skip
def opt_in_standby(request: HttpRequest, event_id: ObjectId):
    registration = services.opt_in_standby(
        registration=_my_waitlisted(request, event_id), by=signed_in_user(request)
    )
    return Status(200, registration_out(registration))


@router.delete(
    "/events/{event_id}/registration/standby/", response={200: RegistrationOut, **ERRORS},
    operation_id="opt_out_standby", summary="Stay on the waitlist, no longer as a standby",
)  # fmt: skip
def opt_out_standby(request: HttpRequest, event_id: ObjectId):
    registration = services.opt_out_standby(
        registration=_my_waitlisted(request, event_id), by=signed_in_user(request)
    )
    return Status(200, registration_out(registration))

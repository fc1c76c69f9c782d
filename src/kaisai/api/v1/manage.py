"""Organizer operations: events, frames and decisions on registrations (token required)."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest
from ninja import Router, Status

from kaisai.accounts.requests import signed_in_user
from kaisai.api.auth import TOKEN_AUTH
from kaisai.api.v1.events import event_summary, forecasts_by_frame, frame_out
from kaisai.api.v1.events import router as events_router
from kaisai.api.v1.params import ObjectId
from kaisai.api.v1.registrations import ERRORS, registration_out
from kaisai.api.v1.schemas import EventSummaryOut, FrameOut, RegistrationOut
from kaisai.api.v1.schemas_more import DecisionIn, EventIn, EventPatch, FrameIn, FramePatch
from kaisai.events import services as event_services
from kaisai.events.access import can_see_event, managed_event_or_403
from kaisai.groups.access import managed_group_or_403
from kaisai.groups.permissions import can_manage_events, require
from kaisai.registrations import services
from kaisai.registrations.errors import RegistrationError
from kaisai.registrations.models import Frame, Registration
from kaisai.registrations.selectors import frames_with_counts

router = Router(tags=["organizers"], auth=TOKEN_AUTH)


def _invalid(error: DjangoValidationError) -> RegistrationError:
    """Model validation errors answer 422 with the fields, like the API's own validation."""
    return RegistrationError(error.message_dict if hasattr(error, "error_dict") else error.messages)


def _frame_of(request: HttpRequest, frame_id: int) -> Frame:
    frame = Frame.objects.select_related("event__group").filter(pk=frame_id).first()
    if frame is None or not can_see_event(request.user, frame.event):
        raise Http404("No such frame.")
    require(can_manage_events(request.user, frame.event.group))
    return frame


def _frame_counts(frame: Frame):
    return next(f for f in frames_with_counts(frame.event) if f.pk == frame.pk)


@router.post(
    "/groups/{slug}/events/", response={201: EventSummaryOut, **ERRORS},
    operation_id="create_event", summary="Create a draft event in a group (organizers)",
)  # fmt: skip
def create_event(request: HttpRequest, slug: str, payload: EventIn):
    group = managed_group_or_403(request.user, slug)
    try:
        event = event_services.create_event(
            group=group, by=signed_in_user(request), **payload.dict()
        )
    except DjangoValidationError as error:
        raise _invalid(error) from error
    return Status(201, event_summary(event))


# Same path as get_event: registered on its router so that one URL serves GET and PATCH.
@events_router.patch(
    "/events/{event_id}/", response={200: EventSummaryOut, **ERRORS}, auth=TOKEN_AUTH,
    operation_id="update_event", summary="Change an event (organizers)",
)  # fmt: skip
def update_event(request: HttpRequest, event_id: ObjectId, payload: EventPatch):
    event = managed_event_or_403(request.user, event_id)
    fields = payload.dict(exclude_none=True)
    try:
        event = event_services.update_event(event=event, by=signed_in_user(request), **fields)
    except DjangoValidationError as error:
        raise _invalid(error) from error
    return Status(200, event_summary(event))


@router.post(
    "/events/{event_id}/publish/", response={200: EventSummaryOut, **ERRORS},
    operation_id="publish_event", summary="Publish a draft or postponed event (organizers)",
)  # fmt: skip
def publish_event(request: HttpRequest, event_id: ObjectId):
    event = managed_event_or_403(request.user, event_id)
    try:
        event = event_services.publish_event(event=event, by=signed_in_user(request))
    except event_services.EventError as error:
        raise RegistrationError(str(error), code="not_open") from error
    return Status(200, event_summary(event))


@router.get(
    "/events/{event_id}/frames/", response={200: list[FrameOut], **ERRORS},
    operation_id="list_frames", summary="Frames of an event with counts (organizers; drafts too)",
)  # fmt: skip
def list_frames(request: HttpRequest, event_id: ObjectId):
    event = managed_event_or_403(request.user, event_id)
    forecasts = forecasts_by_frame(event)
    return Status(200, [frame_out(f, forecasts.get(f.pk)) for f in frames_with_counts(event)])


@router.post(
    "/events/{event_id}/frames/", response={201: FrameOut, **ERRORS},
    operation_id="create_frame", summary="Add a frame to an event (organizers)",
)  # fmt: skip
def create_frame(request: HttpRequest, event_id: ObjectId, payload: FrameIn):
    event = managed_event_or_403(request.user, event_id)
    fields = payload.dict()
    capacity = fields.pop("capacity")
    frame = services.create_frame(
        event=event, by=signed_in_user(request), capacity=capacity, **fields
    )
    return Status(201, frame_out(_frame_counts(frame)))


@router.patch(
    "/frames/{frame_id}/", response={200: FrameOut, **ERRORS},
    operation_id="update_frame",
    summary="Change a frame; a capacity change promotes the waitlist at once (organizers)",
)  # fmt: skip
def update_frame(request: HttpRequest, frame_id: ObjectId, payload: FramePatch):
    frame = _frame_of(request, frame_id)
    fields = payload.dict(exclude_none=True)
    capacity = fields.pop("capacity", None)
    frame = services.update_frame(
        frame=frame, by=signed_in_user(request), capacity=capacity, **fields
    )
    return Status(200, frame_out(_frame_counts(frame)))


@router.post(
    "/registrations/{registration_id}/decision/", response={200: RegistrationOut, **ERRORS},
    operation_id="decide_registration",
    summary="accept / reject / nominate / cancel / move a registration (organizers)",
)  # fmt: skip
def decide_registration(request: HttpRequest, registration_id: ObjectId, payload: DecisionIn):
    registration = (
        Registration.objects.select_related("event__group", "frame", "user")
        .filter(pk=registration_id)
        .first()
    )
    if registration is None or not can_see_event(request.user, registration.event):
        raise Http404("No such registration.")
    require(can_manage_events(request.user, registration.event.group))
    by, reason = signed_in_user(request), payload.reason
    if payload.action in ("accept", "reject"):
        registration = services.decide_application(
            registration=registration, by=by, accept=payload.action == "accept", reason=reason
        )
    elif payload.action == "nominate":
        registration = services.nominate(registration=registration, by=by, reason=reason)
    elif payload.action == "cancel":
        registration = services.cancel_registration(
            registration=registration, by=by, reason=reason or "cancelled by an organizer"
        )
    else:
        if payload.frame_id is None:
            raise RegistrationError({"frame_id": ["Give the frame to move to."]})
        to_frame = Frame.objects.filter(pk=payload.frame_id).first()
        if to_frame is None:
            raise RegistrationError({"frame_id": ["No such frame."]}, code="wrong_event")
        registration = services.move_registration(
            registration=registration, to_frame=to_frame, by=by, reason=reason
        )
    registration = Registration.objects.select_related("frame").get(pk=registration.pk)
    return Status(200, registration_out(registration))

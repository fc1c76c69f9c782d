from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router

from kaisai.accounts.selectors import user_for_api_token
from kaisai.api.v1.params import EventLimit, ObjectId, Offset
from kaisai.api.v1.schemas import (
    ErrorOut,
    EventOut,
    EventSummaryOut,
    FrameForecastOut,
    FrameOut,
    QuestionOut,
)
from kaisai.api.v1.schemas_more import SearchParams
from kaisai.events.access import public_event_or_404
from kaisai.events.models import Event
from kaisai.events.search import EventQuery, search_events
from kaisai.forecast.selectors import FrameForecast, event_forecast
from kaisai.groups.permissions import can_manage_events
from kaisai.registrations.models import Question
from kaisai.registrations.selectors import frames_with_counts, questions_of

router = Router(tags=["events"])


def event_summary(event: Event) -> dict:
    return {
        "id": event.pk,
        "number": event.number,
        "title": event.title,
        "catch": event.catch,
        "status": event.status,
        "starts_at": event.starts_at,
        "ends_at": event.ends_at,
        "time_zone": event.time_zone,
        "venue_kind": event.venue_kind,
        "place": event.place,
        "address": event.address,
        "prefecture": event.prefecture,
        "group": {"slug": event.group.slug, "title": event.group.title},
        "url": settings.BASE_URL + event.get_absolute_url(),
    }


def forecast_out(forecast: FrameForecast | None) -> FrameForecastOut | None:
    """A frame's forecast for the API (callers check that the user is an organizer)."""
    if forecast is None or forecast.capacity <= 0:
        return None
    return FrameForecastOut(
        expected_attendance=round(forecast.expected_attendance, 2),
        low=forecast.low,
        high=forecast.high,
        overflow_probability=round(forecast.overflow_probability, 4),
        recommended_accept=forecast.recommended_accept,
    )


def forecasts_by_frame(event: Event) -> dict[int, FrameForecast]:
    """The event's forecasts by frame id, in a fixed number of queries."""
    return {f.frame_id: f for f in event_forecast(event) if f.frame_id is not None}


def frame_out(frame, forecast: FrameForecast | None = None) -> FrameOut:
    draw = getattr(frame, "draw", None) if frame.method == "lottery" else None
    return FrameOut(
        id=frame.pk,
        name=frame.name,
        description=frame.description,
        method=frame.method,
        capacity=frame.capacity,
        accepted=frame.n_accepted,
        waitlisted=frame.n_waitlisted,
        applied=frame.n_applied,
        fee=frame.fee,
        opens_at=frame.opens_at,
        closes_at=frame.closes_at,
        lottery_at=frame.lottery_at,
        lottery_commitment=draw.commitment if draw else None,
        lottery_drawn=bool(draw and draw.is_drawn),
        requires_talk=frame.requires_talk,
        speakers_keep_seat=frame.speakers_keep_seat,
        accepts_lottery_losers=frame.accepts_lottery_losers,
        overbooking=frame.overbooking,
        overflow_risk=frame.overflow_risk,
        accept_limit=frame.accept_limit,
        forecast=forecast_out(forecast),
    )


def question_out(question: Question) -> QuestionOut:
    return QuestionOut(
        id=question.pk,
        text=question.label,
        kind=question.kind,  # type: ignore[arg-type]  # a QuestionKind value
        kind_label=str(question.get_kind_display()),
        choices=question.choice_list,
        required=question.required,
    )


def optional_token_user(request: HttpRequest):
    """The user of a personal token sent to a public operation (Bearer or X-API-Key), or None.

    Public operations take no auth (so that a bad token never turns a public read into 401);
    they look at the token only to add what its user may see."""
    header = request.headers.get("Authorization", "")
    scheme, _, key = header.partition(" ")
    if scheme.lower() != "bearer":
        key = request.headers.get("X-API-Key", "")
    return user_for_api_token(key.strip() or None)


@router.get(
    "/events/", response=list[EventSummaryOut], operation_id="list_events", auth=None,
    summary="Public events: upcoming, or past; searchable",
)  # fmt: skip
def list_events(
    request: HttpRequest, filters: Query[SearchParams], limit: EventLimit = 50, offset: Offset = 0
):
    """Upcoming events soonest first (or past ones, latest first), filtered by the same search
    as the site's search page."""
    limit = max(1, min(limit, 100))
    offset = max(0, offset)
    query = EventQuery(
        keywords=filters.keyword.split(),
        starts_from=filters.starts_from,
        starts_until=filters.starts_until,
        prefectures=[filters.prefecture] if filters.prefecture else [],
        group_slugs=[filters.group] if filters.group else [],
        tags=[filters.tag] if filters.tag else [],
        order="start_desc" if filters.past else "start",
    )
    now = timezone.now()
    if filters.past:
        query.ends_before = now
    else:
        query.ends_from = now
    events = search_events(query)
    return [event_summary(e) for e in events[offset : offset + limit]]


@router.get(
    "/events/{event_id}/", response={200: EventOut, 404: ErrorOut}, operation_id="get_event",
    auth=None, summary="An event with its frames and their counts",
)  # fmt: skip
def get_event(request: HttpRequest, event_id: ObjectId):
    event = public_event_or_404(event_id)
    user = optional_token_user(request)
    attendance = None
    forecasts: dict[int, FrameForecast] = {}
    if user is not None and can_manage_events(user, event.group):
        forecasts = forecasts_by_frame(event)
        from kaisai.checkin.selectors import attendance_numbers  # checkin depends on events

        attendance = attendance_numbers(event)
    return {
        **event_summary(event),
        "description": event.description,
        "stream_url": event.stream_url,
        "hashtag": event.hashtag,
        "frames": [
            frame_out(frame, forecasts.get(frame.pk)) for frame in frames_with_counts(event)
        ],
        "questions": [question_out(question) for question in questions_of(event)],
        "attendance": attendance,
    }

"""The organizer's insights as JSON (issue 15, docs/insights.md): the same numbers as the
insights pages' tables, for an event and for a group. Owners and organizers only (token)."""

from __future__ import annotations

from dataclasses import asdict

from django.http import HttpRequest
from ninja import Field, Router, Schema

from kaisai.api.auth import TOKEN_AUTH
from kaisai.api.v1.params import ObjectId
from kaisai.api.v1.schemas import ErrorOut
from kaisai.events.access import managed_event_or_403
from kaisai.groups.access import managed_group_or_403
from kaisai.insights.selectors import Insights, event_insights, group_insights

router = Router(tags=["organizers"], auth=TOKEN_AUTH)

ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut}


class InsightsEventRefOut(Schema):
    id: int
    number: int | None
    title: str
    starts_at_local: str = Field(..., description="YYYY-MM-DD HH:MM in the event's time zone")


class InsightsApplicationsOut(Schema):
    days_before: int = Field(..., description="Days before the start's day (event's zone)")
    this_event: int | None = Field(..., description="Applications so far (null: day to come)")
    previous_event: int | None = Field(..., description="The previous event's, same day")


class InsightsFunnelOut(Schema):
    label: str = Field(..., description="The frame's name (event) or the event's number (group)")
    applied: int
    accepted: int = Field(..., description="Accepted at some point")
    came: int = Field(..., description="Checked in")


class InsightsAttendanceOut(Schema):
    event: InsightsEventRefOut
    accepted: int = Field(..., description="Accepted at the event's end")
    came: int
    no_shows: int
    rate: float | None = Field(..., description="came ÷ accepted in percent")


class InsightsReturningOut(Schema):
    event: InsightsEventRefOut
    new: int = Field(..., description="Came for the first time to the group's events")
    returning: int = Field(..., description="Had come to an earlier event of the group")


class InsightsCancelBinOut(Schema):
    key: str
    hours_from: float | None = Field(..., description="Hours before the start, from (incl.)")
    hours_to: float | None = Field(..., description="Hours before the start, up to (excl.)")
    count: int


class InsightsOut(Schema):
    event: InsightsEventRefOut | None
    previous: InsightsEventRefOut | None = Field(..., description="The group's previous event")
    applications: list[InsightsApplicationsOut]
    funnel: list[InsightsFunnelOut]
    attendance: list[InsightsAttendanceOut]
    returning: list[InsightsReturningOut]
    cancellations: list[InsightsCancelBinOut]


def insights_out(insights: Insights) -> dict:
    out = asdict(insights)
    for row, source in zip(out["attendance"], insights.attendance, strict=True):
        row["rate"] = source.rate
    return out


@router.get(
    "/events/{event_id}/insights/", response={200: InsightsOut, **ERRORS},
    operation_id="get_event_insights", summary="An event's insights (organizers)",
)  # fmt: skip
def get_event_insights(request: HttpRequest, event_id: ObjectId):
    event = managed_event_or_403(request.user, event_id)
    return insights_out(event_insights(event))


@router.get(
    "/groups/{slug}/insights/", response={200: InsightsOut, **ERRORS},
    operation_id="get_group_insights", summary="A group's insights across its events (organizers)",
)  # fmt: skip
def get_group_insights(request: HttpRequest, slug: str):
    group = managed_group_or_403(request.user, slug)
    return insights_out(group_insights(group))

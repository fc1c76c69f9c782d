"""The published recap (レポート) of an event and the participants' posts (public, no token)."""

from __future__ import annotations

from datetime import datetime

from django.http import Http404, HttpRequest
from ninja import Router, Schema

from kaisai.api.v1.params import ObjectId
from kaisai.api.v1.schemas import ErrorOut
from kaisai.core.markdown import render_markdown
from kaisai.events.access import public_event_or_404
from kaisai.recaps.selectors import external_recaps, published_recap
from kaisai.recaps.services import recap_url

router = Router(tags=["public"])


class ExternalRecapOut(Schema):
    url: str
    title: str
    nickname: str | None
    created_at: datetime


class RecapOut(Schema):
    event_id: int
    url: str
    body: str
    html: str
    published_at: datetime
    updated_at: datetime
    external_recaps: list[ExternalRecapOut]


@router.get(
    "/events/{event_id}/recap/", response={200: RecapOut, 404: ErrorOut},
    operation_id="get_recap", auth=None,
    summary="The published recap of an event (Markdown and sanitised HTML) and linked posts",
)  # fmt: skip
def get_recap(request: HttpRequest, event_id: ObjectId):
    event = public_event_or_404(event_id)
    recap = published_recap(event)
    if recap is None:
        raise Http404("This event has no published recap.")
    return {
        "event_id": event.pk,
        "url": recap_url(event),
        "body": recap.body,
        "html": str(render_markdown(recap.body)),
        "published_at": recap.published_at,
        "updated_at": recap.updated_at,
        "external_recaps": [
            {
                "url": external.url,
                "title": external.title,
                "nickname": external.user.nickname if external.user else None,
                "created_at": external.created_at,
            }
            for external in external_recaps(event)
        ],
    }

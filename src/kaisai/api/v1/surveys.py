"""The post-event survey's results through the API (organizers): aggregates only, never a
person or a single response (docs/survey.md)."""

from __future__ import annotations

from django.http import Http404, HttpRequest
from ninja import Router, Schema, Status

from kaisai.api.auth import TOKEN_AUTH
from kaisai.api.v1.params import ObjectId
from kaisai.api.v1.registrations import ERRORS
from kaisai.events.access import managed_event_or_403
from kaisai.surveys import selectors

router = Router(tags=["organizers"], auth=TOKEN_AUTH)


class CountOut(Schema):
    label: str
    count: int


class QuestionResultOut(Schema):
    id: int
    label: str
    kind: str
    answered: int
    average: float | None
    counts: list[CountOut]
    texts: list[str]


class TalkResultOut(Schema):
    id: int
    title: str
    ratings: int
    average: float | None
    counts: list[CountOut]
    comments: list[str]


class SurveyResultsOut(Schema):
    event_id: int
    anonymous: bool
    sent_at: str | None
    sent_count: int
    responses: int
    questions: list[QuestionResultOut]
    talks: list[TalkResultOut]


def _counts(bars) -> list[dict]:
    return [{"label": bar.label, "count": bar.count} for bar in bars]


@router.get(
    "/events/{event_id}/survey/results/", response={200: SurveyResultsOut, **ERRORS},
    operation_id="get_survey_results",
    summary="Aggregated results of the event's post-event survey (organizers)",
)  # fmt: skip
def get_survey_results(request: HttpRequest, event_id: ObjectId):
    event = managed_event_or_403(request.user, event_id)
    survey = selectors.survey_of(event)
    if survey is None:
        raise Http404("This event has no survey.")
    found = selectors.results(survey)
    return Status(
        200,
        {
            "event_id": event.pk,
            "anonymous": survey.anonymous,
            "sent_at": survey.sent_at.isoformat() if survey.sent_at else None,
            "sent_count": survey.sent_count,
            "responses": found.responses,
            "questions": [
                {
                    "id": item.question.pk,
                    "label": item.question.label,
                    "kind": item.question.kind,
                    "answered": item.answered,
                    "average": item.average,
                    "counts": _counts(item.bars),
                    "texts": item.texts,
                }
                for item in found.questions
            ],
            "talks": [
                {
                    "id": item.talk.pk,
                    "title": item.talk.title,
                    "ratings": item.ratings,
                    "average": item.average,
                    "counts": _counts(item.bars),
                    "comments": item.comments,
                }
                for item in found.talks
            ],
        },
    )

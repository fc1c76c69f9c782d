"""`get_survey_results` (API v1): aggregates for the event's organizers only."""

from __future__ import annotations

import pytest

from kaisai.surveys import services
from kaisai.surveys.enums import SurveyKind
from tests.api.conftest import api_as  # noqa: F401 - the fixture
from tests.surveys.helpers import past_event_with_people

pytestmark = pytest.mark.django_db


def url(event) -> str:
    return f"/api/v1/events/{event.pk}/survey/results/"


def test_results_are_aggregates_for_organizers(event, organizer, outsider, api_as):  # noqa: F811
    setup = past_event_with_people(event, organizer, came=2)
    rating = services.add_question(survey=setup.survey, label="Overall", kind=SurveyKind.RATING)
    services.schedule(survey=setup.survey)
    services.send_due_surveys()
    for person, value in zip(setup.came, (5, 3), strict=True):
        services.answer(survey=setup.survey, user=person, answers={str(rating.pk): value})

    response = api_as(organizer).get(url(event))
    assert response.status_code == 200
    body = response.json()
    assert body["responses"] == 2 and body["anonymous"] is True
    question = body["questions"][0]
    assert question["average"] == 4.0
    assert {c["label"]: c["count"] for c in question["counts"]} == {
        "1": 0, "2": 0, "3": 1, "4": 0, "5": 1,
    }  # fmt: skip
    assert "user" not in response.content.decode()

    forbidden = api_as(outsider).get(url(event))
    assert forbidden.status_code == 403 and forbidden.json()["reason"] == "forbidden"
    assert api_as(None).get(url(event)).status_code == 401


def test_no_survey_is_a_404(event, organizer, api_as):  # noqa: F811
    response = api_as(organizer).get(url(event))
    assert response.status_code == 404 and response.json()["reason"] == "not_found"


def test_the_operation_is_named_get_survey_results(client):
    doc = client.get("/api/v1/openapi.json").json()
    operations = {op["operationId"] for path in doc["paths"].values() for op in path.values()}
    assert "get_survey_results" in operations

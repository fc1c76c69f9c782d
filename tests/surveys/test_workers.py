"""Several workers run the survey job at the same moment (PostgreSQL row locks): each survey
is sent once, and answers submitted twice at once store one response."""

from __future__ import annotations

import threading

import pytest
from django.db import close_old_connections, connection

from kaisai.core.models import OutboxMail
from kaisai.surveys import services
from kaisai.surveys.enums import SurveyKind
from kaisai.surveys.models import Survey, SurveyRespondent, SurveyResponse
from tests.surveys.helpers import past_event_with_people

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]


def at_once(count: int, work) -> list:
    barrier = threading.Barrier(count)
    outcomes: list = []

    def run():
        try:
            barrier.wait()
            outcomes.append(work())
        except Exception as error:  # noqa: BLE001 - the outcome is what the test checks
            outcomes.append(error)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def test_four_workers_send_each_survey_once(event, organizer):
    setup = past_event_with_people(event, organizer, came=5)
    services.add_question(survey=setup.survey, label="Overall", kind=SurveyKind.RATING)
    services.schedule(survey=setup.survey)
    outcomes = at_once(4, services.send_due_surveys)
    assert sorted(outcomes) == [0, 0, 0, 5]
    assert OutboxMail.objects.filter(template="survey_request").count() == 5
    assert Survey.objects.get().sent_count == 5


def test_one_person_submitting_twice_at_once_answers_once(event, organizer):
    setup = past_event_with_people(event, organizer, came=1)
    rating = services.add_question(survey=setup.survey, label="Overall", kind=SurveyKind.RATING)
    services.schedule(survey=setup.survey)
    services.send_due_surveys()
    person = setup.came[0]
    outcomes = at_once(
        3, lambda: services.answer(survey=setup.survey, user=person, answers={str(rating.pk): 4})
    )
    assert sum(isinstance(o, SurveyResponse) for o in outcomes) == 1
    assert all(isinstance(o, (SurveyResponse, services.AlreadyAnswered)) for o in outcomes), (
        outcomes
    )
    assert SurveyResponse.objects.count() == 1 and SurveyRespondent.objects.count() == 1

"""The demo's latest past MLCT event has a sent, anonymous survey with answers."""

from __future__ import annotations

from datetime import date

import pytest

from kaisai.site.demo import generate
from kaisai.surveys import selectors
from kaisai.surveys.models import Survey, SurveyResponse

pytestmark = pytest.mark.django_db


def test_demo_has_an_answered_anonymous_survey():
    generate.load_demo(password="pw-for-tests", today=date.today())
    survey = Survey.objects.select_related("event").get(event__group__slug="mlct")
    assert survey.sent_at is not None and survey.anonymous
    results = selectors.results(survey)
    assert 0 < results.responses <= survey.sent_count
    assert results.questions[0].average is not None
    assert any(talk.ratings for talk in results.talks)
    assert not SurveyResponse.objects.filter(user__isnull=False).exists()

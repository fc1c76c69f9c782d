"""The post-event survey on a phone (390×844) in Chromium: the worker's job mails the survey
through a real SMTP server to the one who came, who opens the personal link, answers (a
rating, a choice, a talk's rating and comment) and is thanked; a second visit says "already
answered"; the organizer's results page draws the bars."""

from __future__ import annotations

import tempfile
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from kaisai.core.outbox import deliver_due_mail
from kaisai.surveys import services
from kaisai.surveys.enums import SurveyKind
from kaisai.surveys.models import SurveyResponse
from tests.browser.conftest import PHONE
from tests.browser.test_messages_unsubscribe import session_cookie
from tests.factories import EventFactory, GroupFactory, UserFactory
from tests.surveys.helpers import link_in, past_event_with_people
from tests.talks.factories import TalkFactory

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(tempfile.gettempdir())  # /tmp/s15-survey-*.png, to look at


def test_answering_the_survey_through_the_mailed_link_on_a_phone(
    browser, live_server, transactional_db, smtp_server, settings, url
):
    settings.BASE_URL = live_server.url
    organizer = UserFactory(nickname="founder")
    group = GroupFactory(slug="mlct", owner=organizer)
    event = EventFactory(group=group, title="MLCT #5")
    setup = past_event_with_people(event, organizer, came=1, absent=1)
    talk = TalkFactory(event=event, title="Serving LLMs cheaply", speaker=UserFactory())
    services.save_settings(survey=setup.survey, anonymous=True, per_talk=True)
    rating = services.add_question(
        survey=setup.survey, label="How was the event?", kind=SurveyKind.RATING, required=True
    )
    services.add_question(
        survey=setup.survey, label="Which part?", kind=SurveyKind.SINGLE, choices="Talks\nLTs"
    )
    services.schedule(survey=setup.survey)
    assert services.send_due_surveys() == 1
    deliver_due_mail()
    assert len(smtp_server.inbox.messages) == 1
    link = link_in(smtp_server.inbox.messages[0])

    context = browser.new_context(locale="en-US", viewport=PHONE, is_mobile=True)
    page = context.new_page()
    try:
        page.goto(url(urlsplit(link).path))
        expect(page.get_by_role("heading", name="Survey: MLCT #5")).to_be_visible()
        # Send without the required rating: a clear error, nothing stored.
        page.get_by_role("button", name="Send my answers").click()
        expect(page.locator(f"#q{rating.pk} .error")).to_have_text("This question is required.")
        assert not SurveyResponse.objects.exists()
        page.locator(f"#q{rating.pk}").get_by_label("4").check()
        page.get_by_label("LTs").check()
        page.locator(f"#t{talk.pk}").get_by_label("5").check()
        page.get_by_label("Comment for the speaker (optional)").fill("Clear and practical")
        page.screenshot(path=str(SCREENSHOTS / "s15-survey-answer.png"), full_page=True)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], width
        page.get_by_role("button", name="Send my answers").click()
        expect(page.locator(".survey-thanks")).to_be_visible()
        page.goto(url(urlsplit(link).path))
        expect(page.locator(".survey-already")).to_be_visible()
        response = SurveyResponse.objects.get()
        assert response.user_id is None

        context.add_cookies([session_cookie(live_server, organizer)])
        page.goto(url(f"/events/{event.pk}/manage/survey/results/"))
        expect(page.get_by_text("1 response")).to_be_visible()
        # rating (5 bars) + choice (2) + the talk (5)
        expect(page.locator("svg.survey-chart rect")).to_have_count(12)
        expect(page.get_by_text("Clear and practical")).to_be_visible()
        page.screenshot(path=str(SCREENSHOTS / "s15-survey-results.png"), full_page=True)
    finally:
        context.close()

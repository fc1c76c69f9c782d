"""The series loop in one walk on a phone (390×844), on the demo's MLCT series (issue 15):
after the past event #4 the organizer opens its insights (the charts are drawn, with as many
bars as the table has numbers), drafts the recap, edits and publishes it, sees it on the event
page and as a `blog` presentation in API v2, then copies the event as the next one — a Friday
draft with the frames and the questionnaire. Each step has its own detailed tests
(tests/insights, tests/recaps, tests/site/test_copy_next.py); this one shows they connect."""

from __future__ import annotations

import re
from datetime import date

import pytest
from playwright.sync_api import expect

from kaisai.accounts.models import User
from kaisai.accounts.services import create_api_token
from kaisai.events.models import Event
from kaisai.recaps.models import Recap
from kaisai.registrations.models import Frame, Question
from kaisai.site.demo import generate
from kaisai.talks.models import Material
from tests.browser.conftest import PHONE
from tests.browser.test_messages_unsubscribe import session_cookie

pytestmark = pytest.mark.browser


def test_insights_recap_and_copy_as_next_on_a_phone(browser, live_server, transactional_db, url):
    generate.load_demo(password="pw-for-tests", today=date.today())
    past = Event.objects.get(group__slug="mlct", number=4)
    # The demo publishes recaps of its past events: start #4 over, as on the evening after it.
    Material.objects.filter(event=past, url__endswith=f"/events/{past.pk}/recap/").delete()
    Recap.objects.filter(event=past).delete()
    organizer = User.objects.get(nickname="demo")
    User.objects.filter(pk=organizer.pk).update(preferred_language="en")
    _, key = create_api_token(user=organizer, name="walk")
    context = browser.new_context(locale="en-US", viewport=PHONE, is_mobile=True)
    context.add_cookies([session_cookie(live_server, organizer)])
    page = context.new_page()
    try:
        # 1. Insights: every chart drawn, its bars matching its table.
        page.goto(url(f"/events/{past.pk}/manage/insights/"))
        expect(page.get_by_role("heading", name="Insights", exact=True)).to_be_visible()
        funnel = page.locator("#insights-funnel")
        rows = funnel.locator("table.insights-table tbody tr").count()
        bars = funnel.locator("svg rect.chart-bar").count()
        assert rows > 0 and bars > 0 and bars % rows == 0, (rows, bars)

        # 2. The recap: drafted, edited, published, on the event page.
        page.goto(url(past.get_absolute_url()))
        page.locator("#recap").get_by_role("link", name="Write the recap").click()
        page.get_by_role("button", name="Draft the recap").click()
        page.wait_for_selector("text=The recap is drafted")
        body = page.get_by_label("Recap")
        draft = body.input_value()
        assert f"#{past.number}" in draft
        body.fill(draft + "\nSee you at the next one!\n")
        page.get_by_role("button", name="Save").click()
        page.wait_for_selector("text=Recap saved.")
        page.get_by_role("link", name="Publish…").click()
        page.get_by_role("button", name=re.compile("^Publish")).click()
        page.wait_for_selector("text=The recap is published")
        expect(page.locator("#recap .recap-body")).to_contain_text("See you at the next one!")

        # 3. … and in API v2 (connpass-compatible) as a blog presentation.
        answer = page.request.get(
            url(f"/api/v2/events/{past.pk}/presentations/"), headers={"X-API-Key": key}
        )
        assert answer.status == 200
        blogs = [p for p in answer.json()["presentations"] if p["presentation_type"] == "blog"]
        assert any(p["url"].endswith(f"/events/{past.pk}/recap/") for p in blogs), blogs

        # 4. Copy as next: a draft with the frames, the questionnaire and the series' weekday.
        page.goto(url(past.get_absolute_url()))
        page.get_by_role("button", name="Copy as next event").click()
        page.get_by_role("button", name="Create the draft").click()
        expect(page.get_by_text(re.compile(r"Draft #\d+ created from #4"))).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    finally:
        context.close()

    new = Event.objects.filter(group__slug="mlct").order_by("-number").first()
    assert new is not None and new.number > past.number and new.status == "draft"
    assert Frame.objects.filter(event=new).count() == Frame.objects.filter(event=past).count()
    assert Question.objects.filter(event=new).count() == Question.objects.filter(event=past).count()
    assert (
        new.starts_at.astimezone(new.tz).weekday() == past.starts_at.astimezone(past.tz).weekday()
    )

"""The first-event story in Chromium: a new organizer signs up, confirms the e-mail, creates a
group, creates an event with a venue and a sponsor, publishes it, and the public page shows it
— in English and in Japanese."""

from __future__ import annotations

import re
import tempfile
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from tests.browser.conftest import DESKTOP, PHONE

pytestmark = pytest.mark.browser

PASSWORD = "Casual-talks-2026!"
SCREENSHOTS = Path(tempfile.gettempdir())  # /tmp/kaisai-event-*.png, to look at; not kept


def submit(page, form_selector: str) -> None:
    """Click the form's submit button and wait for the page it leads to."""
    with page.expect_navigation():
        page.locator(form_selector).locator("button[type=submit]").first.click()


def sign_up_and_confirm(page, url, mailoutbox, *, email: str, nickname: str) -> None:
    page.goto(url("/accounts/signup/"))
    page.fill("input[name=email]", email)
    page.fill("input[name=username]", nickname)
    page.fill("input[name=password1]", PASSWORD)
    page.fill("input[name=password2]", PASSWORD)
    submit(page, "form:has(input[name=password2])")

    # The live server runs in this process: its mail is in the same locmem outbox.
    assert [mail.to for mail in mailoutbox] == [[email]]
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", mailoutbox[0].body)
    assert link, mailoutbox[0].body
    page.goto(link.group(0))
    submit(page, "main form[method=post]")

    if page.locator("input[name=password]").count():  # confirmation does not always log in
        page.fill("input[name=login]", nickname)
        page.fill("input[name=password]", PASSWORD)
        submit(page, "form:has(input[name=password])")
    assert page.locator("nav.main-nav").get_by_role("button", name="Log out").is_visible()


def create_group(page, url, *, slug: str, title: str) -> None:
    page.goto(url("/groups/new/"))
    page.fill("input[name=slug]", slug)
    page.fill("input[name=title]", title)
    page.fill("textarea[name=description]", "We **meet** every two months.")
    submit(page, "main form[method=post]")
    assert page.url == url(f"/groups/{slug}/")
    assert page.locator("h1").inner_text() == title


def local(moment) -> str:
    """A `datetime-local` value (wall clock in the event's zone, Asia/Tokyo by default)."""
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def test_first_event_is_created_published_and_shown_in_both_languages(
    page, context, browser, url, mailoutbox
):
    sign_up_and_confirm(page, url, mailoutbox, email="newbie@example.com", nickname="newbie")
    create_group(page, url, slug="mlct", title="Machine Learning Casual Talks")

    # The group page leads to the event form.
    with page.expect_navigation():
        page.get_by_role("link", name="Create event").click()
    assert page.url == url("/events/new/mlct/")
    starts = (timezone.localtime() + timedelta(days=30)).replace(
        hour=19, minute=30, second=0, microsecond=0
    )
    page.fill("input[name=title]", "MLCT #5")
    page.fill("input[name=starts_at]", local(starts))
    page.fill("input[name=ends_at]", local(starts + timedelta(hours=2, minutes=30)))
    page.fill("input[name=place]", "Casual Data Inc. 10F")
    page.fill("input[name=address]", "1-2-3 Shibuya, Shibuya-ku, Tokyo")
    submit(page, "form.event-form")
    event_url = page.url
    assert re.fullmatch(re.escape(url("/events/")) + r"\d+/", event_url)
    assert page.locator(".badge.draft").is_visible()

    # The sponsor is added on the edit page's sponsor formset.
    with page.expect_navigation():
        page.get_by_role("link", name="Edit", exact=True).click()
    page.fill("input[name=sponsors-0-name]", "Casual Data Inc.")
    page.fill("input[name=sponsors-0-url]", "https://casual-data.example.com/")
    page.fill("input[name=sponsors-0-provides]", "venue, drinks & after-party")
    submit(page, "form.event-form")
    assert page.url == event_url

    submit(page, "form[action$='/publish/']")  # the confirmation: what goes to whom
    assert page.locator("h1").inner_text() == "Publish the event?"
    submit(page, "form[action$='/publish/']")
    assert page.locator(".badge.draft").count() == 0

    # The public page, seen by a visitor who is not logged in.
    visitor = browser.new_context(locale="en-US", viewport=DESKTOP)
    try:
        public = visitor.new_page()
        assert public.goto(event_url).ok
        assert public.locator("h1").inner_text() == "MLCT #5"
        details = public.locator("aside.event-essentials")
        assert "Casual Data Inc. 10F" in details.inner_text()
        assert "19:30" in details.inner_text()
        sponsors = public.locator("section[aria-labelledby=sponsors-heading]")
        assert "Casual Data Inc." in sponsors.inner_text()
        assert "venue, drinks & after-party" in sponsors.inner_text()

        public.screenshot(path=str(SCREENSHOTS / "kaisai-event-desktop.png"), full_page=True)
        public.set_viewport_size(PHONE)
        public.screenshot(path=str(SCREENSHOTS / "kaisai-event-phone.png"), full_page=True)
        # Nothing is wider than a phone's screen.
        assert public.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    finally:
        visitor.close()

    # The organizer switches the language with the header's selector (it submits itself);
    # the choice beats the language remembered from sign-up.
    nav = page.locator("nav.main-nav")
    with page.expect_navigation():
        page.select_option("select#language-select", "ja")
    assert page.url == event_url
    assert page.locator("html").get_attribute("lang") == "ja"
    # The UI text comes from the Japanese catalogue (src/kaisai/locale/ja/LC_MESSAGES/django.po).
    assert nav.get_by_role("link", name="イベント", exact=True).is_visible()
    assert nav.get_by_role("button", name="ログアウト").is_visible()
    page.set_viewport_size(PHONE)
    page.screenshot(path=str(SCREENSHOTS / "kaisai-event-ja-phone.png"), full_page=True)
    page.set_viewport_size(DESKTOP)

    with page.expect_navigation():
        page.select_option("select#language-select", "en")
    assert page.locator("html").get_attribute("lang") == "en"
    assert nav.get_by_role("link", name="Events", exact=True).is_visible()

"""Chromium loads every kind of page with the Content-Security-Policy on and reports no
violation: no inline script, handler or style is left, and the policy allows what the pages
need (docs/security.md, "Headers and caching")."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from kaisai.checkin.tickets import issue_ticket
from kaisai.registrations import services as registrations
from kaisai.registrations.services.questions import create_question
from kaisai.talks.services.materials import add_material
from kaisai.talks.services.talks import create_talk
from tests.factories import EventFactory, GroupFactory, UserFactory

pytestmark = pytest.mark.browser

# Recorded by the page itself (Playwright's init script is not subject to the policy).
LISTEN = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  const where = `${e.sourceFile}:${e.lineNumber}`;
  window.__csp.push(`${e.violatedDirective} blocked ${e.blockedURI || "inline"} at ${where}`);
});
"""


def _session(live_server, user) -> dict:
    client = Client()
    client.force_login(user)
    return {
        "name": settings.SESSION_COOKIE_NAME,
        "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
        "url": live_server.url,
    }


@pytest.fixture
def site(transactional_db):
    organizer = UserFactory(nickname="organizer")
    visitor = UserFactory(nickname="visitor")
    group = GroupFactory(slug="mlct", owner=organizer)
    event = EventFactory(group=group, title="MLCT #5")
    frame = registrations.create_frame(event=event, by=organizer, capacity=5, name="General")
    create_question(event=event, by=organizer, label="What brings you?")
    registration = registrations.register(frame=frame, user=visitor)
    ticket = issue_ticket(registration)
    talk = create_talk(event=event, by=organizer, title="Transformers at home")
    add_material(by=organizer, event=event, url="https://example.com/blog/post", kind="blog")
    return {
        "organizer": organizer,
        "visitor": visitor,
        "group": group,
        "event": event,
        "registration": registration,
        "ticket": ticket,
        "talk": talk,
    }


def _pages(site) -> dict[str, list[str]]:
    pk = site["event"].pk
    slug = site["group"].slug
    anonymous = [
        "/",
        reverse("events:list"),
        reverse("events:search") + "?q=MLCT",
        reverse("events:detail", kwargs={"pk": pk}),
        reverse("groups:list"),
        reverse("groups:detail", kwargs={"slug": slug}),
        reverse("accounts:profile", kwargs={"nickname": "organizer"}),
        reverse("talks:detail", kwargs={"talk_id": site["talk"].pk}),
        reverse("talks:materials", kwargs={"pk": pk}),
        reverse("checkin:ticket_token", kwargs={"token": site["ticket"].token}),
        reverse("account_login"),
        reverse("account_signup"),
        reverse("account_reset_password"),
        "/api/v1/docs",
    ]
    visitor = [
        reverse("registrations:mine", kwargs={"pk": pk}),
        reverse("registrations:my_events"),
        reverse("checkin:ticket", kwargs={"pk": pk}),
        reverse("checkin:my_attendance"),
        reverse("checkin:self_check_in", kwargs={"pk": pk}),
        reverse("feeds:my_calendar"),
        reverse("accounts:settings"),
        reverse("accounts:tokens"),
        reverse("notices:settings"),
    ]
    organizer = [
        reverse("registrations:register", kwargs={"pk": pk}),
        reverse("events:create", kwargs={"group_slug": slug}),
        reverse("events:edit", kwargs={"pk": pk}),
        reverse("registrations:frames", kwargs={"pk": pk}),
        reverse("registrations:questions", kwargs={"pk": pk}),
        reverse("registrations:registrations", kwargs={"pk": pk}),
        reverse(
            "registrations:registration_detail",
            kwargs={"pk": pk, "registration_id": site["registration"].pk},
        ),
        reverse("registrations:audit_log", kwargs={"pk": pk}),
        reverse("checkin:reception", kwargs={"pk": pk}),
        reverse("checkin:attendance", kwargs={"pk": pk}),
        reverse("checkin:attendance_code", kwargs={"pk": pk}),
        reverse("talks:manage", kwargs={"pk": pk}),
        reverse("talks:timetable_edit", kwargs={"pk": pk}),
        reverse("talks:edit", kwargs={"talk_id": site["talk"].pk}),
        reverse("notices:messages", kwargs={"pk": pk}),
        reverse("notices:event_settings", kwargs={"pk": pk}),
        reverse("groups:create"),
        reverse("groups:edit", kwargs={"slug": slug}),
        reverse("groups:organizers", kwargs={"slug": slug}),
        reverse("notices:webhooks", kwargs={"slug": slug}),
        reverse("registrations:forecast", kwargs={"pk": pk}),
        reverse("groups:forecast_history", kwargs={"slug": slug}),
    ]
    return {"anonymous": anonymous, "visitor": visitor, "organizer": organizer}


def test_every_page_kind_loads_without_a_csp_violation(browser, live_server, site, capsys):
    loaded = 0
    violations: list[str] = []
    for who, paths in _pages(site).items():
        context = browser.new_context(locale="en-US")
        if who != "anonymous":
            context.add_cookies([_session(live_server, site[who])])
        context.add_init_script(LISTEN)
        page = context.new_page()
        console: list[str] = []
        page.on(
            "console",
            lambda message, console=console: (
                console.append(message.text) if message.type == "error" else None
            ),
        )
        for path in paths:
            response = page.goto(live_server.url + path)
            assert response is not None and response.ok, (who, path, response and response.status)
            assert "Content-Security-Policy" in response.headers or "content-security-policy" in {
                k.lower() for k in response.headers
            }
            page.wait_for_load_state("load")
            page.wait_for_timeout(100)
            loaded += 1
            violations += [f"{who} {path}: {v}" for v in page.evaluate("window.__csp")]
        violations += [
            f"{who} console: {text}" for text in console if "Content Security Policy" in text
        ]
        context.close()
    with capsys.disabled():
        print(f"\nCSP: {loaded} pages loaded, {len(violations)} violations")
    assert loaded >= 40
    assert violations == []


def test_language_select_still_switches_without_inline_handler(page, url, site):
    page.add_init_script(LISTEN)
    page.goto(url("/"))
    with page.expect_navigation():
        page.select_option("#language-select", "ja")
    assert page.locator("html").get_attribute("lang") == "ja"
    assert page.evaluate("window.__csp") == []


def test_api_docs_render_under_the_policy(page, url, transactional_db):
    page.add_init_script(LISTEN)
    page.goto(url("/api/v1/docs"))
    page.locator(".swagger-ui .info .title").wait_for()
    assert "kaisai API" in page.locator(".swagger-ui .info .title").inner_text()
    assert page.evaluate("window.__csp") == []

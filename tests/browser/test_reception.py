"""The reception page in Chromium with a fake camera that films generated tickets: a scan checks
the participant in, scans made offline are sent later with their original time, and two
devices scanning the same ticket give one check-in."""

from __future__ import annotations

import contextlib
import json
import tempfile
import threading
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import requests
from django.conf import settings
from django.test import Client
from django.urls import reverse
from playwright.sync_api import expect

from kaisai.checkin.models import CheckIn
from kaisai.checkin.tickets import issue_ticket
from kaisai.registrations import services as registrations
from tests.browser.conftest import PHONE, TIMEOUT_MS
from tests.browser.fake_camera import camera_browser, write_y4m
from tests.factories import EventFactory, GroupFactory, UserFactory

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(tempfile.gettempdir())  # /tmp/kaisai-reception-*.png, to look at; not kept


@pytest.fixture
def one_request_at_a_time(live_server):
    """On SQLite, the live server's threads share the test's single in-memory connection, so
    simultaneous requests would interleave inside one transaction (an artefact of the test
    server, not of kaisai: a real deployment gives each thread its own connection and SQLite
    serialises writers). There, requests are handled one at a time, as SQLite's writer lock
    would, and the test reads the database holding the same lock (`with door["idle"]:`);
    on PostgreSQL requests run truly at once."""
    httpd = live_server.thread.httpd
    if not live_server.thread.connections_override:
        yield contextlib.nullcontext()
        return
    app = httpd.get_app()
    lock = threading.Lock()

    def serialised(environ, start_response):
        with lock:
            return app(environ, start_response)

    httpd.set_app(serialised)
    try:
        yield lock
    finally:
        httpd.set_app(app)


@pytest.fixture
def door(transactional_db, live_server, one_request_at_a_time, monkeypatch):
    """An event with five accepted participants (tickets issued) and its organizer."""
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's loop in this thread
    organizer = UserFactory(nickname="organizer", display_name="Oda Organizer")
    group = GroupFactory(owner=organizer, title="Machine Learning Casual Talks")
    event = EventFactory(group=group, title="MLCT #5", afterparty_place="Izakaya")
    frame = registrations.create_frame(event=event, by=organizer, capacity=10, name="General")
    people = [
        registrations.register(
            frame=frame,
            user=UserFactory(nickname=f"guest{n}", display_name=f"Guest Number {n}"),
            afterparty=n % 2 == 0,
        )
        for n in range(1, 6)
    ]
    tickets = [issue_ticket(registration) for registration in people]
    return {
        "organizer": organizer,
        "event": event,
        "people": people,
        "tickets": tickets,
        "idle": one_request_at_a_time,
    }


def checkins(door, **filters) -> list[CheckIn]:
    """The check-ins in the database, read while the live server handles no request."""
    with door["idle"]:
        return list(CheckIn.objects.filter(**filters).order_by("pk"))


def ticket_url(ticket) -> str:
    return f"{settings.BASE_URL}/t/{ticket.token}/"


def session_cookie(live_server, user) -> dict:
    client = Client()
    client.force_login(user)
    return {
        "name": settings.SESSION_COOKIE_NAME,
        "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
        "url": live_server.url,
    }


def reception_page(browser, live_server, door, **options):
    """A phone-sized page of the reception, logged in as the organizer."""
    context = browser.new_context(locale="en-US", viewport=PHONE, has_touch=True, **options)
    context.set_default_timeout(TIMEOUT_MS)
    with door["idle"]:  # another device may be talking to the server
        context.add_cookies([session_cookie(live_server, door["organizer"])])
    page = context.new_page()
    path = reverse("checkin:reception", kwargs={"pk": door["event"].pk})
    response = page.goto(live_server.url + path)
    assert response is not None and response.ok
    return context, page


def result_state(page):
    return page.locator("[data-result] .state")


def test_scanning_a_ticket_with_the_camera_checks_the_participant_in(door, live_server, tmp_path):
    guest = door["people"][0]
    video = write_y4m(tmp_path / "ticket.y4m", [ticket_url(door["tickets"][0])])
    with camera_browser(video) as browser:
        # a phone set to another zone than the event's: its log still shows the event's times
        context, page = reception_page(browser, live_server, door, timezone_id="America/New_York")
        expect(page.locator("[data-counter]")).to_contain_text("0 / 5")
        page.get_by_role("button", name="Start camera").click()

        expect(result_state(page)).to_have_text("Checked in")
        card = page.locator("[data-result] .person-card")
        expect(card.locator("[data-name]")).to_have_text("Guest Number 1")
        expect(card.locator("[data-nickname]")).to_have_text("guest1")
        expect(card.locator("[data-receipt]")).to_have_text(f"#{door['tickets'][0].receipt_number}")
        expect(card.locator("[data-frame]")).to_have_text("General")
        expect(card.locator("[data-afterparty]")).to_have_text("No")
        expect(page.locator("[data-counter]")).to_contain_text("1 / 5")
        expect(page.locator("[data-queue]")).to_be_hidden()  # nothing waiting, online
        colour = result_state(page).evaluate("el => getComputedStyle(el).backgroundColor")
        assert colour == "rgb(227, 244, 232)"  # green

        # The ticket stays in front of the camera: it is not scanned again and again.
        page.wait_for_timeout(1500)
        expect(result_state(page)).to_have_text("Checked in")
        page.get_by_role("button", name="Stop camera").click()
        page.screenshot(path=str(SCREENSHOTS / "kaisai-reception-scan.png"), full_page=True)
        logged = page.locator("[data-recent] li").first.inner_text()
        context.close()

    [checkin] = checkins(door)
    assert checkin.registration_id == guest.pk and checkin.by == door["organizer"]
    assert checkin.method == "scan" and checkin.nonce and not checkin.late
    event = door["event"]
    at = checkin.checked_in_at.astimezone(event.tz)
    minutes = {(at + timedelta(minutes=d)).strftime("%H:%M") for d in (-1, 0, 1)}
    assert logged.split(" · ")[0] in minutes, (logged, event.time_zone)


def test_search_check_in_and_undo_update_the_card_and_counter(door, live_server, tmp_path):
    video = write_y4m(tmp_path / "blank.y4m", ["not a ticket"], frames_each=2)
    with camera_browser(video) as browser:
        context, page = reception_page(browser, live_server, door)
        page.get_by_label("Name, nickname or receipt number").fill("number 3")
        card = page.locator("[data-results] .person-card")
        expect(card).to_have_count(1)
        expect(card.locator("[data-name]")).to_have_text("Guest Number 3")
        expect(card.locator("[data-afterparty]")).to_have_text("No")
        card.get_by_role("button", name="Check in").click()
        expect(card.locator(".state")).to_contain_text("Checked in")
        expect(page.locator("[data-counter]")).to_contain_text("1 / 5")
        page.screenshot(path=str(SCREENSHOTS / "kaisai-reception-search.png"), full_page=True)
        assert checkins(door, registration=door["people"][2])

        card.get_by_role("button", name="Undo").click()
        expect(card.locator(".state")).to_have_text("Check-in undone.")
        expect(page.locator("[data-counter]")).to_contain_text("0 / 5")
        expect(card.get_by_role("button", name="Check in")).to_be_visible()
        assert not checkins(door)

        # A QR code that is not a ticket gets a red message, nothing is sent.
        page.get_by_role("button", name="Start camera").click()
        expect(result_state(page)).to_have_text("This QR code is not a kaisai ticket.")
        context.close()
    assert not checkins(door)


def test_scans_made_offline_are_sent_later_with_their_original_time(door, live_server, tmp_path):
    tickets = door["tickets"][:3]
    video = write_y4m(tmp_path / "three.y4m", [ticket_url(t) for t in tickets], frames_each=8)
    with camera_browser(video) as browser:
        context, page = reception_page(browser, live_server, door)
        context.set_offline(True)
        page.get_by_role("button", name="Start camera").click()
        queue = page.locator("[data-queue]")
        expect(queue).to_contain_text("3 waiting to be sent")
        expect(queue.locator("[data-offline]")).to_be_visible()
        page.wait_for_timeout(1500)  # the video loops: the same tickets are not queued again
        expect(queue).to_contain_text("3 waiting to be sent")
        page.get_by_role("button", name="Stop camera").click()
        page.screenshot(path=str(SCREENSHOTS / "kaisai-reception-offline.png"), full_page=True)
        assert not checkins(door)

        # The first scan was made five minutes earlier (a long outage): it will be late.
        key = f"kaisai.reception.queue.{door['event'].pk}"
        waiting = page.evaluate(
            """key => {
                const queue = JSON.parse(localStorage.getItem(key));
                queue[0].scanned_at = new Date(Date.parse(queue[0].scanned_at) - 300000)
                    .toISOString();
                localStorage.setItem(key, JSON.stringify(queue));
                return queue;
            }""",
            key,
        )
        assert len(waiting) == 3 and len({item["nonce"] for item in waiting}) == 3

        context.set_offline(False)
        expect(queue).to_be_hidden()
        expect(page.locator("[data-counter]")).to_contain_text("3 / 5")
        page.wait_for_timeout(500)
        context.close()

    rows = checkins(door)
    by_registration = {c.registration_id: c for c in rows}
    assert len(rows) == 3 == len(by_registration)
    registration_of = {t.token: t.registration_id for t in tickets}
    assert set(by_registration) == set(registration_of.values())
    for position, item in enumerate(waiting):
        checkin = by_registration[registration_of[item["body"]["token"]]]
        scanned = datetime.fromisoformat(item["scanned_at"].replace("Z", "+00:00"))
        assert abs(checkin.checked_in_at - scanned) < timedelta(seconds=3)
        assert checkin.checked_in_at < checkin.received_at
        assert checkin.late == (position == 0)
        assert checkin.nonce  # the client's nonce, stored scoped to the event


def test_two_devices_scanning_the_same_ticket_give_one_check_in(door, live_server, tmp_path):
    video = write_y4m(tmp_path / "same.y4m", [ticket_url(door["tickets"][1])])
    with camera_browser(video) as browser:
        first, page_a = reception_page(browser, live_server, door)
        second, page_b = reception_page(browser, live_server, door)
        page_a.get_by_role("button", name="Start camera").click()
        page_b.get_by_role("button", name="Start camera").click()
        answered = "[data-result] .state.state-ok, [data-result] .state.state-warn"
        expect(page_a.locator(answered)).to_be_visible()
        expect(page_b.locator(answered)).to_be_visible()
        states = sorted([result_state(page_a).inner_text(), result_state(page_b).inner_text()])
        page_b.screenshot(path=str(SCREENSHOTS / "kaisai-reception-already.png"), full_page=True)
        first.close()
        second.close()

    [checkin] = checkins(door)
    assert checkin.registration_id == door["people"][1].pk
    time = checkin.checked_in_at.astimezone(door["event"].tz).strftime("%H:%M")
    assert states == [f"Already checked in at {time} by Oda Organizer.", "Checked in"]


def test_simultaneous_scans_from_several_devices_give_one_check_in(door, live_server):
    """Direct POSTs from threads released at once, each with its own nonce."""
    ticket = door["tickets"][2]
    path = reverse("checkin:scan", kwargs={"pk": door["event"].pk})
    page_path = reverse("checkin:reception", kwargs={"pk": door["event"].pk})
    cookie = session_cookie(live_server, door["organizer"])
    devices = []
    for _ in range(4):
        session = requests.Session()
        session.cookies.set(cookie["name"], cookie["value"])
        session.get(live_server.url + page_path).raise_for_status()
        devices.append(session)
    start = threading.Barrier(len(devices))
    answers: list[tuple[int, dict]] = []

    def scan(number: int, session: requests.Session) -> None:
        body = json.dumps({"token": ticket.token, "nonce": f"device-{number}"})
        headers = {
            "Content-Type": "application/json",
            "X-CSRFToken": session.cookies["csrftoken"],
            "Referer": live_server.url + page_path,
        }
        start.wait()
        response = session.post(live_server.url + path, data=body, headers=headers, timeout=20)
        answers.append((response.status_code, response.json()))

    threads = [threading.Thread(target=scan, args=pair) for pair in enumerate(devices)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert [status for status, _ in answers] == [200] * len(devices)
    results = sorted(answer["result"] for _, answer in answers)
    assert results == ["already"] * (len(devices) - 1) + ["checked_in"]
    assert len(checkins(door, registration=ticket.registration)) == 1

from __future__ import annotations

import json
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from kaisai.checkin import services
from kaisai.checkin.models import CheckIn
from kaisai.checkin.tickets import issue_ticket
from kaisai.groups.enums import Role
from kaisai.registrations import services as registrations
from tests.conftest import login
from tests.factories import EventFactory, OrganizerFactory, UserFactory

URLS = [
    ("reception", "get"),
    ("scan", "post"),
    ("search", "get"),
    ("check_in", "post"),
    ("undo", "post"),
    ("counter", "get"),
]


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def reception_staff(group):
    person = UserFactory(nickname="door")
    return OrganizerFactory(group=group, role=Role.RECEPTION, user=person).user


@pytest.fixture
def staff_client(client, reception_staff):
    return login(client, reception_staff)


def url(name, event):
    return reverse(f"checkin:{name}", kwargs={"pk": event.pk})


def post_json(client, path, data):
    return client.post(path, json.dumps(data), content_type="application/json")


def scan(client, event, token, **extra):
    return post_json(client, url("scan", event), {"token": token, **extra})


# --- permissions ---------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "method"), URLS)
def test_reception_url_anonymous_redirected_to_login(client, event, name, method):
    response = getattr(client, method)(url(name, event))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize(("name", "method"), URLS)
def test_reception_url_outsider_forbidden(client, event, outsider, name, method):
    login(client, outsider)
    assert getattr(client, method)(url(name, event)).status_code == 403


@pytest.mark.parametrize(("name", "method"), URLS)
def test_reception_url_participant_forbidden(client, event, accepted, name, method):
    participant = accepted()[0].user
    login(client, participant)
    assert getattr(client, method)(url(name, event)).status_code == 403


@pytest.mark.parametrize(("name", "method"), URLS)
def test_reception_url_open_to_reception_role(staff_client, event, name, method):
    response = getattr(staff_client, method)(url(name, event))
    assert response.status_code in (200, 400, 404)  # POSTs without a body: 400/404 JSON
    if name != "reception":
        assert response["Content-Type"] == "application/json"


def test_reception_page_has_scanner_search_and_counter(client, organizer, event, accepted):
    accepted(2)
    response = login(client, organizer).get(url("reception", event))
    html = response.content.decode()
    assert response.status_code == 200
    assert "vendor/jsqr/jsQR.js" in html and "kaisai/reception.js" in html
    assert url("scan", event) in html and url("counter", event) in html
    assert "data-checked-in>0</span>" in html and "data-accepted>2</span>" in html
    assert 'id="reception-strings"' in html
    assert html.count("<h1") == 1


def test_event_page_links_to_reception_for_organizers_only(client, organizer, event, outsider):
    link = url("reception", event)
    assert link in login(client, organizer).get(event.get_absolute_url()).content.decode()
    reception_user = UserFactory()
    OrganizerFactory(group=event.group, user=reception_user, role=Role.RECEPTION)
    assert link in login(Client(), reception_user).get(event.get_absolute_url()).content.decode()
    assert link not in login(Client(), outsider).get(event.get_absolute_url()).content.decode()


def test_post_endpoints_need_the_csrf_token(event, accepted, reception_staff):
    ticket = issue_ticket(accepted()[0])
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(reception_staff)
    page = browser.get(url("reception", event))
    assert scan(browser, event, ticket.token).status_code == 403
    assert not CheckIn.objects.exists()
    token = page.cookies["csrftoken"].value
    response = browser.post(
        url("scan", event),
        json.dumps({"token": ticket.token}),
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )
    assert response.status_code == 200 and response.json()["result"] == "checked_in"


# --- scan ----------------------------------------------------------------------------------


def test_scan_checks_in_and_answers_with_the_person(staff_client, event, accepted, reception_staff):
    registration = accepted(2)[0]
    ticket = issue_ticket(registration)
    response = scan(staff_client, event, ticket.token, nonce="n-1")
    data = response.json()
    assert response.status_code == 200
    assert data["result"] == "checked_in" and data["reason"] == ""
    person = data["person"]
    assert person["name"] == registration.user.name
    assert person["nickname"] == registration.user.nickname
    assert person["frame"] == "General" and person["receipt_number"] == ticket.receipt_number
    checkin = CheckIn.objects.get()
    assert checkin.registration == registration and checkin.by == reception_staff
    assert checkin.method == "scan" and checkin.nonce  # stored scoped to the event
    local = timezone.localtime(checkin.checked_in_at, ZoneInfo(event.time_zone))
    assert data["checked_in_at"] == local.strftime("%H:%M")
    assert data["by"] == reception_staff.name
    assert data["counter"] == {"checked_in": 1, "accepted": 2}


def test_scan_accepts_the_whole_ticket_url(staff_client, event, accepted, settings):
    ticket = issue_ticket(accepted()[0])
    response = scan(staff_client, event, f"{settings.BASE_URL}/t/{ticket.token}/")
    assert response.json()["result"] == "checked_in"


def test_second_scan_says_already_checked_in_at_time_by_name(client, event, accepted, organizer):
    ticket = issue_ticket(accepted()[0])
    login(client, organizer)
    first = scan(client, event, ticket.token, nonce="a").json()
    second_device = login(Client(), OrganizerFactory(group=event.group).user)
    response = scan(second_device, event, ticket.token, nonce="b")
    data = response.json()
    assert response.status_code == 200 and data["result"] == "already"
    assert data["checked_in_at"] == first["checked_in_at"] and data["by"] == organizer.name
    assert data["message"] == (
        f"Already checked in at {first['checked_in_at']} by {organizer.name}."
    )
    assert CheckIn.objects.count() == 1


def test_scan_of_another_events_ticket_is_409_and_checks_in_nobody(
    staff_client, event, group, organizer
):
    other = EventFactory(group=group)
    frame = registrations.create_frame(event=other, by=organizer, capacity=5, name="General")
    stranger = registrations.register(frame=frame, user=UserFactory(display_name="Hidden Name"))
    ticket = issue_ticket(stranger)
    response = scan(staff_client, event, ticket.token)
    data = response.json()
    assert response.status_code == 409
    assert data["result"] == "error" and data["reason"] == "other_event"
    assert data["person"] is None and "Hidden Name" not in response.content.decode()
    assert data["message"] == "This ticket is for another event."
    assert not CheckIn.objects.exists()


def test_scan_of_a_cancelled_ticket_is_409_not_accepted(staff_client, event, accepted):
    registration = accepted()[0]
    ticket = issue_ticket(registration)
    registrations.cancel_registration(registration=registration, by=registration.user)
    response = scan(staff_client, event, ticket.token)
    data = response.json()
    assert response.status_code == 409 and data["reason"] == "not_accepted"
    assert data["person"]["status"] == "cancelled"
    assert data["person"]["name"] == registration.user.name
    assert not CheckIn.objects.exists()


def test_scan_of_an_unknown_token_is_404(staff_client, event, accepted):
    accepted()
    response = scan(staff_client, event, "x" * 32)
    assert response.status_code == 404
    assert response.json()["reason"] == "unknown" and response.json()["person"] is None
    assert not CheckIn.objects.exists()


@pytest.mark.parametrize("body", ["not json", json.dumps(["list"]), json.dumps({"token": 5})])
def test_scan_with_a_bad_body_is_400(staff_client, event, body):
    response = staff_client.post(url("scan", event), body, content_type="application/json")
    assert response.status_code == 400 and response.json()["reason"] == "bad_request"


def test_repeated_nonce_is_taken_once_with_its_original_time(staff_client, event, accepted):
    ticket = issue_ticket(accepted()[0])
    scanned = timezone.now() - timedelta(minutes=10)
    body = {"nonce": "offline-1", "scanned_at": scanned.isoformat()}
    first = scan(staff_client, event, ticket.token, **body)
    again = scan(staff_client, event, ticket.token, **body)
    assert (first.json()["result"], again.json()["result"]) == ("checked_in", "already")
    checkin = CheckIn.objects.get()
    assert checkin.checked_in_at == scanned and checkin.late
    assert checkin.received_at > checkin.checked_in_at


def test_offline_scan_time_is_corrected_for_the_phones_clock(staff_client, event, accepted):
    """The phone's clock is an hour ahead; it scanned 5 minutes before sending."""
    ticket = issue_ticket(accepted()[0])
    phone_now = timezone.now() + timedelta(hours=1)
    body = {
        "nonce": "skewed",
        "scanned_at": (phone_now - timedelta(minutes=5)).isoformat(),
        "sent_at": phone_now.isoformat(),
    }
    before = timezone.now()
    assert scan(staff_client, event, ticket.token, **body).json()["result"] == "checked_in"
    checkin = CheckIn.objects.get()
    expected = before - timedelta(minutes=5)
    assert abs(checkin.checked_in_at - expected) < timedelta(seconds=5)
    assert checkin.late


def test_scans_are_rate_limited_per_user(staff_client, event, accepted, organizer, settings):
    settings.KAISAI_RECEPTION_SCANS_PER_MINUTE = 3
    accepted()
    codes = [scan(staff_client, event, f"guess-{n:030d}").status_code for n in range(4)]
    assert codes == [404, 404, 404, 429]
    limited = scan(staff_client, event, "guess")
    assert limited.json()["reason"] == "rate_limited" and limited.json()["result"] == "error"
    assert scan(login(Client(), organizer), event, "guess").status_code == 404


# --- search --------------------------------------------------------------------------------


@pytest.fixture
def big_frame(event, organizer):
    return registrations.create_frame(event=event, by=organizer, capacity=50, name="Big")


def person(frame, nickname, display_name="", **kwargs):
    user = UserFactory(nickname=nickname, display_name=display_name or nickname.title())
    return registrations.register(frame=frame, user=user, **kwargs)


def search(client, event, query):
    response = client.get(url("search", event), {"q": query})
    assert response.status_code == 200
    return response.json()["results"]


def test_search_by_name_nickname_and_receipt_number(staff_client, event, big_frame):
    hanako = person(big_frame, "hanako", "Yamada Hanako")
    taro = person(big_frame, "taro_s", "Suzuki Taro")
    issue_ticket(hanako)
    ticket = issue_ticket(taro)
    assert [r["person"]["nickname"] for r in search(staff_client, event, "yamada")] == ["hanako"]
    assert [r["person"]["nickname"] for r in search(staff_client, event, "TARO")] == ["taro_s"]
    number = ticket.receipt_number
    for query in (str(number), f"#{number}", chr(0xFF10 + number)):  # full-width digit too
        results = search(staff_client, event, query)
        assert [r["person"]["receipt_number"] for r in results] == [number], query
    assert search(staff_client, event, "") == []


def test_search_shows_only_accepted_people_of_this_event(
    staff_client, event, group, organizer, big_frame
):
    kept = person(big_frame, "kept-sato")
    gone = person(big_frame, "gone-sato")
    registrations.cancel_registration(registration=gone, by=gone.user)
    other = EventFactory(group=group)
    other_frame = registrations.create_frame(event=other, by=organizer, capacity=5, name="G")
    person(other_frame, "other-sato")
    results = search(staff_client, event, "sato")
    assert [r["person"]["registration"] for r in results] == [kept.pk]


def test_search_result_says_who_checked_in_and_when(staff_client, event, big_frame, organizer):
    registration = person(big_frame, "came")
    services.check_in(event=event, registration=registration, by=organizer, method="search")
    [row] = search(staff_client, event, "came")
    assert row["checked_in"] and row["by"] == organizer.name and row["checked_in_at"]


def test_search_is_limited_to_20_and_query_count_does_not_grow(
    staff_client, event, big_frame, organizer
):
    def count_queries():
        with CaptureQueriesContext(connection) as queries:
            results = search(staff_client, event, "guest")
        return len(queries), len(results)

    for n in range(2):
        registration = person(big_frame, f"guest{n}")
        issue_ticket(registration)
        services.check_in(event=event, registration=registration, by=organizer, method="scan")
    few, rows = count_queries()
    assert rows == 2
    for n in range(2, 25):
        registration = person(big_frame, f"guest{n}")
        issue_ticket(registration)
        if n % 2:
            services.check_in(event=event, registration=registration, by=organizer, method="scan")
    many, rows = count_queries()
    assert rows == 20
    assert many == few


# --- check in by tap, undo, counter ---------------------------------------------------------


def test_check_in_by_registration_id(staff_client, event, accepted, reception_staff):
    registration = accepted()[0]
    response = post_json(
        staff_client, url("check_in", event), {"registration": registration.pk, "nonce": "t-1"}
    )
    data = response.json()
    assert response.status_code == 200 and data["result"] == "checked_in"
    assert data["person"]["registration"] == registration.pk
    again = post_json(
        staff_client, url("check_in", event), {"registration": registration.pk, "nonce": "t-1"}
    )
    assert again.json()["result"] == "already"
    checkin = CheckIn.objects.get()
    assert checkin.method == "search" and checkin.by == reception_staff


def test_check_in_of_another_events_registration_is_404(staff_client, event, group, organizer):
    other = EventFactory(group=group)
    frame = registrations.create_frame(event=other, by=organizer, capacity=5, name="G")
    stranger = registrations.register(frame=frame, user=UserFactory())
    response = post_json(staff_client, url("check_in", event), {"registration": stranger.pk})
    assert response.status_code == 404 and response.json()["reason"] == "unknown"
    assert not CheckIn.objects.exists()


def test_check_in_of_a_waitlisted_registration_is_409(staff_client, event, frame, accepted):
    accepted(3)
    waiting = registrations.register(frame=frame, user=UserFactory())
    response = post_json(staff_client, url("check_in", event), {"registration": waiting.pk})
    assert response.status_code == 409 and response.json()["reason"] == "not_accepted"
    assert response.json()["person"]["status"] == "waitlisted"
    assert not CheckIn.objects.exists()


def test_check_in_also_takes_a_form_post(staff_client, event, accepted):
    registration = accepted()[0]
    response = staff_client.post(url("check_in", event), {"registration": registration.pk})
    assert response.json()["result"] == "checked_in"


def test_undo_takes_the_check_in_back(staff_client, event, accepted, organizer):
    registration = accepted()[0]
    services.check_in(event=event, registration=registration, by=organizer, method="scan")
    response = post_json(staff_client, url("undo", event), {"registration": registration.pk})
    data = response.json()
    assert data["result"] == "undone" and data["counter"]["checked_in"] == 0
    assert not CheckIn.objects.exists()
    again = post_json(staff_client, url("undo", event), {"registration": registration.pk})
    assert again.json()["result"] == "not_checked_in"


def test_undo_of_another_events_registration_is_404(staff_client, event, group, organizer):
    other = EventFactory(group=group)
    frame = registrations.create_frame(event=other, by=organizer, capacity=5, name="G")
    stranger = registrations.register(frame=frame, user=UserFactory())
    services.check_in(event=other, registration=stranger, by=organizer, method="scan")
    response = post_json(staff_client, url("undo", event), {"registration": stranger.pk})
    assert response.status_code == 404
    assert CheckIn.objects.count() == 1


def test_counter_is_checked_in_over_accepted(staff_client, event, accepted, organizer):
    people = accepted(3)
    services.check_in(event=event, registration=people[0], by=organizer, method="scan")
    response = staff_client.get(url("counter", event))
    assert response.json() == {"checked_in": 1, "accepted": 3}
    assert "no-cache" in response["Cache-Control"]

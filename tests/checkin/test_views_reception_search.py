"""Reception: searching a person, checking in by tap, undo and the counter."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kaisai.checkin import services
from kaisai.checkin.models import CheckIn
from kaisai.checkin.tickets import issue_ticket
from kaisai.registrations import services as registrations
from tests.checkin.reception_helpers import post_json, url
from tests.factories import EventFactory, UserFactory

pytestmark = pytest.mark.usefixtures("_fresh_rate_limits")


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

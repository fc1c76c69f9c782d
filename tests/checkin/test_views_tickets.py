"""Ticket and attendance pages: the ticket with its QR code, /t/<token>/, attendance code
and self check-in, an event's attendance, a person's attendance history."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from kaisai.checkin import services
from kaisai.checkin.models import CheckIn, Ticket
from kaisai.checkin.tickets import issue_ticket
from kaisai.events.enums import VenueKind
from kaisai.events.models import Event
from kaisai.groups.enums import Role
from kaisai.registrations import services as registrations
from kaisai.registrations.enums import Status
from tests.conftest import login
from tests.factories import EventFactory, GroupFactory, OrganizerFactory, UserFactory


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def reception_staff(group):
    return OrganizerFactory(
        group=group, role=Role.RECEPTION, user=UserFactory(nickname="door")
    ).user


def seat(event, organizer, count, *, capacity=50):
    """`count` accepted registrations in a new frame of the event."""
    frame = registrations.create_frame(
        event=event, by=organizer, capacity=capacity, name=f"Frame {capacity}"
    )
    return [registrations.register(frame=frame, user=UserFactory()) for _ in range(count)]


def move(event, *, starts_in: timedelta, hours: float = 2) -> Event:
    """Move the event in time (registrations are made before, while the window is open)."""
    starts = timezone.now() + starts_in
    Event.objects.filter(pk=event.pk).update(
        starts_at=starts, ends_at=starts + timedelta(hours=hours)
    )
    event.refresh_from_db()
    return event


def url(name, **kwargs) -> str:
    return reverse(f"checkin:{name}", kwargs=kwargs)


# --- the ticket ------------------------------------------------------------------------------


def test_ticket_page_shows_own_ticket_with_receipt_number_and_qr(client, event, accepted):
    event.afterparty_place = "Izakaya"
    event.save()
    first, registration = accepted(2)
    issue_ticket(first)
    response = login(client, registration.user).get(url("ticket", pk=event.pk))
    assert response.status_code == 200
    ticket = Ticket.objects.get(registration=registration)
    assert ticket.receipt_number == 2
    html = response.content.decode()
    assert '<strong class="receipt-number">2</strong>' in html
    assert registration.user.name in html and registration.frame.name in html
    assert "You do not join the after-party." in html
    assert "<svg" in html and 'class="ticket-qr"' in html
    assert f"http://testserver/t/{ticket.token}/" in html or f"/t/{ticket.token}/" in html
    local = event.starts_at.astimezone(event.tz).strftime("%Y-%m-%d")
    assert local in html
    assert response["Cache-Control"].count("private") == 1


def test_ticket_qr_is_an_svg_of_the_own_ticket(client, event, accepted):
    registration = accepted()[0]
    response = login(client, registration.user).get(url("ticket_qr", pk=event.pk))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    body = response.content.decode()
    assert body.startswith("<?xml") and "<svg" in body and "<path" in body


def test_ticket_of_someone_else_is_not_shown(client, event, accepted, user):
    accepted()
    login(client, user)
    response = client.get(url("ticket", pk=event.pk))
    assert response.status_code == 404
    assert "You are not registered to this event" in response.content.decode()
    assert client.get(url("ticket_qr", pk=event.pk)).status_code == 404


def test_waitlisted_and_cancelled_have_no_ticket(client, event, frame, accepted):
    first = accepted(3)[0]
    waiting = registrations.register(frame=frame, user=UserFactory())
    assert waiting.status == Status.WAITLISTED
    response = login(client, waiting.user).get(url("ticket", pk=event.pk))
    assert response.status_code == 404
    assert "waitlist" in response.content.decode()
    assert client.get(url("ticket_qr", pk=event.pk)).status_code == 404
    registrations.cancel_registration(registration=first, by=first.user)
    response = login(client, first.user).get(url("ticket", pk=event.pk))
    assert response.status_code == 404
    assert "no valid ticket" in response.content.decode()
    assert not Ticket.objects.filter(registration__in=[first, waiting]).exists()


def test_ticket_pages_need_login(client, event):
    for name in ("ticket", "ticket_qr", "self_check_in"):
        response = client.get(url(name, pk=event.pk))
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    response = client.get(url("my_attendance"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_ticket_of_a_draft_event_is_404(client, group, organizer):
    event = EventFactory(group=group)
    registration = seat(event, organizer, 1)[0]
    Event.objects.filter(pk=event.pk).update(status="draft")
    assert login(client, registration.user).get(url("ticket", pk=event.pk)).status_code == 404


# --- /t/<token>/ -----------------------------------------------------------------------------


def test_token_link_sends_owner_to_ticket_and_staff_to_reception(
    client, event, accepted, organizer, reception_staff
):
    ticket = issue_ticket(accepted()[0])
    link = url("ticket_token", token=ticket.token)
    owner = login(client, ticket.registration.user).get(link)
    assert owner.status_code == 302 and owner["Location"] == url("ticket", pk=event.pk)
    for staff in (organizer, reception_staff):
        response = login(client, staff).get(link)
        assert response.status_code == 302
        assert response["Location"] == url("reception", pk=event.pk) + f"?token={ticket.token}"


def test_token_link_shows_others_a_neutral_page(client, event, accepted, outsider):
    ticket = issue_ticket(accepted()[0])
    link = url("ticket_token", token=ticket.token)
    for person in (None, outsider):
        client.logout()
        if person:
            login(client, person)
        response = client.get(link)
        assert response.status_code == 200
        html = response.content.decode()
        assert ticket.registration.user.name not in html
        assert ticket.registration.user.nickname not in html
        assert event.title not in html
    client.logout()
    assert f"?next={link}" in client.get(link).content.decode().replace("%2F", "/")


def test_unknown_token_is_404_and_lookups_are_rate_limited(client, event, accepted):
    ticket = issue_ticket(accepted()[0])
    for n in range(30):
        assert client.get(url("ticket_token", token=f"guess-{n}")).status_code == 404
    assert client.get(url("ticket_token", token="guess-31")).status_code == 429
    # Once limited, even a real token is refused from that address: no enumeration.
    assert client.get(url("ticket_token", token=ticket.token)).status_code == 429
    other = client.get(url("ticket_token", token=ticket.token), REMOTE_ADDR="10.0.0.9")
    assert other.status_code == 200


def test_known_tokens_do_not_count_towards_the_limit(client, event, accepted):
    ticket = issue_ticket(accepted()[0])
    for _ in range(40):
        assert client.get(url("ticket_token", token=ticket.token)).status_code == 200


# --- attendance code and self check-in ------------------------------------------------------


def test_organizer_sets_and_clears_the_attendance_code(client, event, organizer):
    login(client, organizer)
    page = client.get(url("attendance_code", pk=event.pk))
    assert page.status_code == 200
    assert not Event.objects.get(pk=event.pk).attendance_code  # a suggestion is not saved
    response = client.post(url("attendance_code", pk=event.pk), {"code": "MLCT-5"})
    assert response.status_code == 302
    assert Event.objects.get(pk=event.pk).attendance_code == "MLCT-5"
    assert "MLCT-5" in client.get(url("attendance_code", pk=event.pk)).content.decode()
    client.post(url("attendance_code", pk=event.pk), {"code": "MLCT-5", "clear": "1"})
    assert Event.objects.get(pk=event.pk).attendance_code == ""


def test_attendance_code_too_short_shows_error_and_saves_nothing(client, event, organizer):
    login(client, organizer)
    response = client.post(url("attendance_code", pk=event.pk), {"code": "abc"})
    assert response.status_code == 400
    assert "Use 4 to 32 characters" in response.content.decode()
    assert Event.objects.get(pk=event.pk).attendance_code == ""


@pytest.fixture
def online_event(group, organizer):
    event = EventFactory(group=group, venue_kind=VenueKind.ONLINE)
    return event


def test_self_check_in_within_the_window(client, online_event, organizer):
    registration = seat(online_event, organizer, 1)[0]
    services.set_attendance_code(event=online_event, code="MLCT2026", by=organizer)
    move(online_event, starts_in=timedelta(minutes=30))
    login(client, registration.user)
    page = client.get(url("self_check_in", pk=online_event.pk))
    assert page.status_code == 200 and 'name="code"' in page.content.decode()
    wrong = client.post(url("self_check_in", pk=online_event.pk), {"code": "nope"})
    assert wrong.status_code == 400 and "That code is not right." in wrong.content.decode()
    assert not CheckIn.objects.exists()
    response = client.post(url("self_check_in", pk=online_event.pk), {"code": "mlct2026"})
    assert response.status_code == 302
    checkin = CheckIn.objects.get(registration=registration)
    assert checkin.method == CheckIn.Method.CODE and checkin.by == registration.user
    assert "You are checked in" in client.get(response["Location"]).content.decode()


def test_self_check_in_outside_the_window(client, online_event, organizer):
    registration = seat(online_event, organizer, 1)[0]
    services.set_attendance_code(event=online_event, code="MLCT2026", by=organizer)
    move(online_event, starts_in=timedelta(hours=3))
    login(client, registration.user)
    page = client.get(url("self_check_in", pk=online_event.pk))
    assert "Checking in opens on" in page.content.decode()
    assert 'name="code"' not in page.content.decode()
    response = client.post(url("self_check_in", pk=online_event.pk), {"code": "MLCT2026"})
    assert response.status_code == 400
    assert "from 2 hours before the start" in response.content.decode()
    move(online_event, starts_in=-timedelta(hours=3))
    response = client.post(url("self_check_in", pk=online_event.pk), {"code": "MLCT2026"})
    assert response.status_code == 400
    assert not CheckIn.objects.exists()


def test_self_check_in_error_in_the_users_language(client, online_event, organizer):
    registration = seat(online_event, organizer, 1)[0]
    services.set_attendance_code(event=online_event, code="MLCT2026", by=organizer)
    move(online_event, starts_in=timedelta(minutes=10))
    registration.user.preferred_language = "ja"
    registration.user.save()
    login(client, registration.user)
    response = client.post(url("self_check_in", pk=online_event.pk), {"code": "nope"})
    assert response.status_code == 400
    assert '<html lang="ja">' in response.content.decode()


def test_self_check_in_wrong_codes_are_rate_limited(client, online_event, organizer):
    registration = seat(online_event, organizer, 1)[0]
    services.set_attendance_code(event=online_event, code="MLCT2026", by=organizer)
    move(online_event, starts_in=timedelta(minutes=10))
    login(client, registration.user)
    for n in range(10):
        client.post(url("self_check_in", pk=online_event.pk), {"code": f"wrong{n}"})
    response = client.post(url("self_check_in", pk=online_event.pk), {"code": "MLCT2026"})
    assert response.status_code == 429
    assert not CheckIn.objects.exists()


def test_self_check_in_without_a_seat_is_refused(client, online_event, organizer, user):
    services.set_attendance_code(event=online_event, code="MLCT2026", by=organizer)
    move(online_event, starts_in=timedelta(minutes=10))
    login(client, user)
    page = client.get(url("self_check_in", pk=online_event.pk))
    assert "no accepted registration" in page.content.decode()
    response = client.post(url("self_check_in", pk=online_event.pk), {"code": "MLCT2026"})
    assert response.status_code == 400 and not CheckIn.objects.exists()


def test_event_page_links_ticket_and_self_check_in(client, online_event, organizer):
    registration = seat(online_event, organizer, 1)[0]
    login(client, registration.user)
    html = client.get(online_event.get_absolute_url()).content.decode()
    assert url("ticket", pk=online_event.pk) in html
    assert url("self_check_in", pk=online_event.pk) not in html  # no code yet
    services.set_attendance_code(event=online_event, code="MLCT2026", by=organizer)
    html = client.get(online_event.get_absolute_url()).content.decode()
    assert url("self_check_in", pk=online_event.pk) in html


# --- organizer pages: who may open them ------------------------------------------------------


def organizer_urls(event, person) -> list[str]:
    return [
        url("attendance", pk=event.pk),
        url("attendance_code", pk=event.pk),
        url("member_attendance", slug=event.group.slug, nickname=person.nickname),
    ]


def test_organizer_pages_send_anonymous_users_to_login(client, event, user):
    for address in organizer_urls(event, user):
        response = client.get(address)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    response = client.post(url("attendance_code", pk=event.pk), {"code": "abcd"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_organizer_pages_are_forbidden_to_outsiders_reception_and_participants(
    client, event, accepted, outsider, reception_staff
):
    participant = accepted()[0].user
    for person in (outsider, reception_staff, participant):
        login(client, person)
        for address in organizer_urls(event, participant):
            assert client.get(address).status_code == 403, (person, address)
        response = client.post(url("attendance_code", pk=event.pk), {"code": "abcd"})
        assert response.status_code == 403
    assert Event.objects.get(pk=event.pk).attendance_code == ""


def test_organizer_pages_of_an_unknown_event_are_404(client, organizer):
    login(client, organizer)
    assert client.get(url("attendance", pk=999999)).status_code == 404
    assert client.get(url("attendance_code", pk=999999)).status_code == 404
    missing = url("member_attendance", slug="no-such-group", nickname="organizer")
    assert client.get(missing).status_code == 404


# --- attendance ------------------------------------------------------------------------------


def test_attendance_after_the_event_counts_no_shows(client, event, frame, accepted, organizer):
    people = accepted(3)
    registrations.register(frame=frame, user=UserFactory())  # waitlisted
    ticket = issue_ticket(people[0])
    services.check_in_ticket(event=event, token=ticket.token, by=organizer,
                             scanned_at=timezone.now() - timedelta(minutes=5))  # fmt: skip
    move(event, starts_in=-timedelta(hours=3))
    response = login(client, organizer).get(url("attendance", pk=event.pk))
    assert response.status_code == 200
    numbers = response.context["numbers"]
    assert (numbers["accepted"], numbers["waitlisted"], numbers["attended"]) == (3, 1, 1)
    assert numbers["no_show"] == 2
    html = response.content.decode()
    assert "33%" in html
    assert html.count('<tr class="no-show"') == 2
    assert "sent late" in html and organizer.name in html
    no_shows = client.get(url("attendance", pk=event.pk) + "?show=not_attended")
    assert {r.pk for r in no_shows.context["rows"]} == {people[1].pk, people[2].pk}


def test_attendance_before_the_event_has_no_no_shows_yet(client, event, accepted, organizer):
    accepted(2)
    response = login(client, organizer).get(url("attendance", pk=event.pk))
    assert response.context["numbers"]["no_show"] is None
    assert "Counted once the event has ended." in response.content.decode()


def _count_queries(client, address) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(address).status_code == 200
    return len(queries)


def test_attendance_query_count_does_not_grow_with_rows(client, group, organizer):
    small, large = EventFactory(group=group), EventFactory(group=group)
    for event, count in ((small, 2), (large, 12)):
        rows = seat(event, organizer, count)
        for registration in rows[::2]:
            issue_ticket(registration)
            services.check_in(event=event, registration=registration, by=organizer,
                              method="search")  # fmt: skip
    login(client, organizer)
    _count_queries(client, url("attendance", pk=small.pk))  # warm caches
    assert _count_queries(client, url("attendance", pk=small.pk)) == _count_queries(
        client, url("attendance", pk=large.pk)
    )


# --- attendance histories --------------------------------------------------------------------


def test_member_attendance_shows_this_groups_events_to_its_organizers(
    client, group, organizer, outsider
):
    person = UserFactory(nickname="regular")
    came, missed = (
        EventFactory(group=group, title="Came"),
        EventFactory(group=group, title="Missed"),
    )
    elsewhere = EventFactory(group=GroupFactory(owner=outsider), title="Elsewhere")
    for event in (came, missed, elsewhere):
        frame = registrations.create_frame(event=event, by=organizer, capacity=5, name="G")
        registration = registrations.register(frame=frame, user=person)
        if event is not missed:
            services.check_in(event=event, registration=registration, by=None, method="search")
        move(event, starts_in=-timedelta(days=3))
    address = url("member_attendance", slug=group.slug, nickname=person.nickname)
    response = login(client, organizer).get(address)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Came" in html and "Missed" in html and "Elsewhere" not in html
    assert response.context["history"].rate == 0.5
    assert login(client, person).get(address).status_code == 403
    assert login(client, outsider).get(address).status_code == 403


def test_my_attendance_lists_my_events_across_groups_with_a_rate(client, group, organizer):
    person = UserFactory()
    events = [EventFactory(group=group), EventFactory(group=GroupFactory(owner=organizer))]
    upcoming = EventFactory(group=group, title="Next one")
    for event in [*events, upcoming]:
        frame = registrations.create_frame(event=event, by=organizer, capacity=5, name="G")
        registration = registrations.register(frame=frame, user=person)
        if event is events[0]:
            services.check_in(event=event, registration=registration, by=None, method="code")
    for event in events:
        move(event, starts_in=-timedelta(days=10))
    response = login(client, person).get(url("my_attendance"))
    assert response.status_code == 200
    history = response.context["history"]
    assert (history.attended, history.no_show, history.upcoming) == (1, 1, 1)
    assert "50%" in response.content.decode()
    assert "Next one" in response.content.decode()


def test_my_attendance_query_count_does_not_grow_with_rows(client, organizer):
    few, many = UserFactory(), UserFactory()
    group = GroupFactory(owner=organizer)
    for person, count in ((few, 2), (many, 12)):
        for _ in range(count):
            event = EventFactory(group=group)
            frame = registrations.create_frame(event=event, by=organizer, capacity=5, name="G")
            registrations.register(frame=frame, user=person)
    assert _count_queries(login(client, few), url("my_attendance")) == _count_queries(
        login(client, many), url("my_attendance")
    )


def test_ticket_ics_links_the_own_ticket_and_is_own_only(client, frame, organizer):
    import icalendar

    from kaisai.checkin.tickets import issue_ticket
    from kaisai.registrations import services as regs
    from tests.factories import UserFactory

    person, other = UserFactory(), UserFactory()
    registration = regs.register(frame=frame, user=person)
    url = f"/events/{frame.event_id}/ticket/ticket.ics"
    assert client.get(url).status_code == 302  # anonymous → login
    client.force_login(other)
    assert client.get(url).status_code == 404
    client.force_login(person)
    response = client.get(url)
    assert response["Content-Type"].startswith("text/calendar")
    vevent = icalendar.Calendar.from_ical(response.content).walk("VEVENT")[0]
    ticket = issue_ticket(registration)
    assert ticket.token in str(vevent["url"])
    assert f"{ticket.receipt_number}" in str(vevent["description"])

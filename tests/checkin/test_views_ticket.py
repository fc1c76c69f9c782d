"""Ticket pages: the ticket with its QR code, /t/<token>/ and the ticket in the calendar."""

from __future__ import annotations

import pytest

from kaisai.checkin.models import Ticket
from kaisai.checkin.tickets import issue_ticket, ticket_of
from kaisai.events.models import Event
from kaisai.registrations import services as registrations
from kaisai.registrations.enums import Status
from kaisai.registrations.models import Registration
from tests.checkin.ticket_helpers import seat, url
from tests.conftest import login
from tests.factories import EventFactory, UserFactory

pytestmark = pytest.mark.usefixtures("_fresh_rate_limits")


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
    # The cancelled one's ticket is no longer valid; the waitlisted one, promoted into the freed
    # seat, got the next receipt number at that moment.
    assert ticket_of(Registration.objects.get(pk=first.pk)) is None
    promoted = ticket_of(Registration.objects.get(pk=waiting.pk))
    assert promoted is not None and promoted.receipt_number == 4


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

"""Tickets and attendance where other apps show them: acceptance mails, My registration,
My events, the organizers' registrations page and CSV, the public profile."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from kaisai.accounts.models import User
from kaisai.checkin import services
from kaisai.checkin.models import Ticket
from kaisai.checkin.tickets import issue_ticket, ticket_of
from kaisai.core import outbox
from kaisai.core.models import OutboxMail
from kaisai.events.models import Event
from kaisai.registrations import services as registrations
from kaisai.registrations.enums import Method
from kaisai.registrations.models import Registration
from kaisai.site import selectors_profile as accounts_selectors
from tests.conftest import login
from tests.factories import EventFactory, UserFactory


def mail_body(registration, template: str) -> str:
    mail = outbox.queue_mail(
        key=f"test-{template}-{registration.pk}", user=registration.user, template=template,
        context={"registration": registration},
    )  # fmt: skip
    return outbox.render(mail)[1]


@pytest.mark.parametrize(
    "template", ["registration_accepted", "registration_promoted", "lottery_won"]
)
def test_acceptance_mails_carry_ticket_link_and_receipt_number(accepted, event, template):
    registration = accepted(2)[1]
    body = mail_body(registration, template)
    ticket = Ticket.objects.get(registration=registration)
    assert f"Receipt number: {ticket.receipt_number}" in body
    assert settings.BASE_URL + reverse("checkin:ticket", kwargs={"pk": event.pk}) in body
    assert "\n\n-- \n" in body


def test_mail_of_a_registration_cancelled_before_sending_has_no_ticket(accepted):
    registration = accepted()[0]
    registrations.cancel_registration(registration=registration, by=registration.user)
    body = mail_body(registration, "registration_accepted")
    assert "Receipt number" not in body and "/ticket/" not in body
    # Issued at acceptance, the ticket is no longer valid once cancelled.
    assert ticket_of(Registration.objects.get(pk=registration.pk)) is None


def test_queued_acceptance_mail_is_rendered_with_the_ticket(frame, event):
    person = UserFactory()
    registration = registrations.register(frame=frame, user=person)
    mail = OutboxMail.objects.get(recipient=person, template="registration_accepted")
    _subject, body = outbox.render(mail)
    assert f"Receipt number: {Ticket.objects.get(registration=registration).receipt_number}" in body


def test_my_registration_shows_the_ticket_link_when_accepted(client, frame, event, accepted):
    registration = accepted()[0]
    login(client, registration.user)
    html = client.get(reverse("registrations:mine", kwargs={"pk": event.pk})).content.decode()
    assert reverse("checkin:ticket", kwargs={"pk": event.pk}) in html
    assert "Receipt number" in html
    assert (
        reverse("checkin:ticket", kwargs={"pk": event.pk})
        in client.get(reverse("registrations:my_events")).content.decode()
    )
    accepted(2)
    waiting = registrations.register(frame=frame, user=UserFactory())
    login(client, waiting.user)
    html = client.get(reverse("registrations:mine", kwargs={"pk": event.pk})).content.decode()
    assert reverse("checkin:ticket", kwargs={"pk": event.pk}) not in html


def test_registrations_page_shows_attendance_numbers(client, event, accepted, organizer):
    people = accepted(3)
    services.check_in(event=event, registration=people[0], by=organizer, method="search")
    Event.objects.filter(pk=event.pk).update(
        starts_at=timezone.now() - timedelta(hours=3), ends_at=timezone.now() - timedelta(hours=1)
    )
    login(client, organizer)
    html = client.get(reverse("registrations:registrations", kwargs={"pk": event.pk})).content
    html = html.decode()
    assert 'class="attended">1<' in html and 'class="no-show">2<' in html
    assert 'class="rate">33%<' in html
    assert reverse("checkin:attendance", kwargs={"pk": event.pk}) in html


def test_csv_has_check_in_columns_in_the_event_zone(client, event, accepted, organizer):
    first, second = accepted(2)
    ticket = issue_ticket(second)
    at = timezone.now().replace(second=0, microsecond=0) - timedelta(minutes=3)
    services.check_in_ticket(event=event, token=ticket.token, by=organizer, scanned_at=at)
    response = login(client, organizer).get(reverse("registrations:csv", kwargs={"pk": event.pk}))
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    header = rows[0]
    columns = [header.index(name) for name in ("Checked in", "Checked in at", "Receipt number")]
    by_id = {row[0]: [row[i] for i in columns] for row in rows[1:]}
    # Tickets are issued at acceptance: the first has its receipt number, unchecked.
    assert by_id[str(first.pk)] == [
        "no",
        "",
        str(Ticket.objects.get(registration=first).receipt_number),
    ]
    local = at.astimezone(event.tz).strftime("%Y-%m-%d %H:%M")
    assert by_id[str(second.pk)] == ["yes", local, str(ticket.receipt_number)]


def test_profile_lists_events_attended(client, event, accepted, organizer):
    """Only where the person chose to appear (docs/participants.md): hidden by default."""
    registration = accepted()[0]
    person = registration.user
    assert list(accounts_selectors.events_attended_by(person)) == []
    services.check_in(event=event, registration=registration, by=organizer, method="search")
    assert list(accounts_selectors.events_attended_by(person)) == []  # not chosen to appear
    assert event.title not in client.get(person.get_absolute_url()).content.decode()
    User.objects.filter(pk=person.pk).update(show_in_lists=True)
    assert list(accounts_selectors.events_attended_by(person)) == [event]
    html = client.get(person.get_absolute_url()).content.decode()
    assert event.title in html


def test_profile_hides_attended_drafts(group, organizer):
    event = EventFactory(group=group)
    frame = registrations.create_frame(event=event, by=organizer, capacity=2, name="G",
                                       method=Method.FIRST_COME)  # fmt: skip
    registration = registrations.register(frame=frame, user=UserFactory(show_in_lists=True))
    services.check_in(event=event, registration=registration, by=organizer, method="search")
    assert list(accounts_selectors.events_attended_by(registration.user)) == [event]
    Event.objects.filter(pk=event.pk).update(status="draft")
    assert list(accounts_selectors.events_attended_by(registration.user)) == []


def test_registrations_page_status_line_and_card_agree(client, event, make_frame, organizer):
    """The status line's "Applied" and the card's are one number (status applied); the card's
    total counts every registration."""
    lottery = make_frame(capacity=2, method="lottery", name="Lottery")
    for _ in range(3):
        registrations.register(frame=lottery, user=UserFactory())
    first_come = make_frame(capacity=5, name="First come")
    cancelled = registrations.register(frame=first_come, user=UserFactory())
    registrations.register(frame=first_come, user=UserFactory())
    registrations.cancel_registration(registration=cancelled, by=cancelled.user)
    login(client, organizer)
    html = client.get(reverse("registrations:registrations", kwargs={"pk": event.pk})).content
    html = html.decode()
    assert '?status=applied">Applied</a> <strong>3</strong>' in html
    assert "<dt>Applied</dt><dd>3</dd>" in html
    assert "<dt>Total</dt><dd>5</dd>" in html

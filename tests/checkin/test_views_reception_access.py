"""Reception: who may open its URLs, the reception page, CSRF on its POST endpoints."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse

from kaisai.checkin.models import CheckIn
from kaisai.checkin.tickets import issue_ticket
from kaisai.groups.enums import Role
from tests.checkin.reception_helpers import URLS, scan, url
from tests.conftest import login
from tests.factories import OrganizerFactory, UserFactory

pytestmark = pytest.mark.usefixtures("_fresh_rate_limits")


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


# --- not the event's day ---------------------------------------------------------------


def test_reception_warns_when_it_is_not_the_events_day(client, event, organizer):
    from datetime import timedelta

    from django.utils import timezone

    from kaisai.events.models import Event

    login(client, organizer)
    reception = url("reception", event)
    start = timezone.now() + timedelta(days=19)
    Event.objects.filter(pk=event.pk).update(starts_at=start, ends_at=start + timedelta(hours=2))
    html = client.get(reception).content.decode()
    assert "Today is not the event's day" in html and "in 19 days" in html
    assert f'data-time-zone="{event.time_zone}"' in html  # the log shows the event's times

    start = timezone.now() - timedelta(days=3)
    Event.objects.filter(pk=event.pk).update(starts_at=start, ends_at=start + timedelta(hours=2))
    assert "The event is over" in client.get(reception).content.decode()

    start = timezone.now()
    Event.objects.filter(pk=event.pk).update(starts_at=start, ends_at=start + timedelta(hours=2))
    html = client.get(reception).content.decode()
    assert "reception-not-today" not in html

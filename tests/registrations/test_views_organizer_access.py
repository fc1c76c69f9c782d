"""Organizer pages: who may open them, and the links to them from the event page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kaisai.groups.enums import Role
from tests.conftest import login
from tests.factories import OrganizerFactory
from tests.registrations.manage_helpers import (
    ORGANIZER_URLS,
    RECEPTION_READABLE,
    detail_url,
    list_url,
    post_data_for,
    request,
    snapshot,
    url_of,
)

# --- who may ------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "method"), ORGANIZER_URLS)
def test_organizer_url_anonymous_redirected_to_login(client, world, name, method):
    before = snapshot()
    response = request(client, method, url_of(name, world), post_data_for(name, world))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert snapshot() == before


@pytest.mark.parametrize(("name", "method"), ORGANIZER_URLS)
def test_organizer_url_outsider_forbidden(client, world, outsider, name, method):
    login(client, outsider)
    before = snapshot()
    response = request(client, method, url_of(name, world), post_data_for(name, world))
    assert response.status_code == 403
    assert snapshot() == before


@pytest.mark.parametrize(("name", "method"), ORGANIZER_URLS)
def test_organizer_url_participant_forbidden(client, world, name, method):
    login(client, world.participant)
    before = snapshot()
    response = request(client, method, url_of(name, world), post_data_for(name, world))
    assert response.status_code == 403
    assert snapshot() == before


@pytest.mark.parametrize(("name", "method"), ORGANIZER_URLS)
def test_organizer_url_reception_reads_list_only(client, world, group, name, method):
    login(client, OrganizerFactory(group=group, role=Role.RECEPTION).user)
    before = snapshot()
    response = request(client, method, url_of(name, world), post_data_for(name, world))
    assert response.status_code == (200 if (name, method) in RECEPTION_READABLE else 403)
    assert snapshot() == before


@pytest.mark.parametrize(("name", "method"), ORGANIZER_URLS)
def test_organizer_url_co_organizer_allowed(client, world, group, name, method):
    login(client, OrganizerFactory(group=group, role=Role.ORGANIZER).user)
    response = request(client, method, url_of(name, world), post_data_for(name, world))
    assert response.status_code in (200, 302)


@pytest.mark.parametrize(("name", "method"), ORGANIZER_URLS)
def test_organizer_url_unknown_event_404(client, world, organizer, name, method):
    login(client, organizer)
    url = url_of(name, world).replace(f"/events/{world.event.pk}/", "/events/999999/", 1)
    assert request(client, method, url, post_data_for(name, world)).status_code == 404


@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("frame_edit", "get"),
        ("frame_edit", "post"),
        ("question_delete", "post"),
        ("registration_detail", "get"),
        ("registration_action", "post"),
    ],
)
def test_organizer_url_ids_of_another_event_404(client, world, other, organizer, name, method):
    """The event's URL with the other event's frame, question or registration id."""
    login(client, organizer)
    mixed = type(world)(**{**vars(other), "event": world.event})
    before = snapshot()
    response = request(client, method, url_of(name, mixed), post_data_for(name, mixed))
    assert response.status_code == 404
    assert snapshot() == before


def test_reception_sees_no_actions_nor_email(client, world, group):
    login(client, OrganizerFactory(group=group, role=Role.RECEPTION).user)
    response = client.get(detail_url(world.registration))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'name="action"' not in body
    assert world.participant.email not in body
    assert "To learn" in body
    listing = client.get(list_url(world.event)).content.decode()
    assert reverse("registrations:csv", kwargs={"pk": world.event.pk}) not in listing


# --- links from the event page ------------------------------------------------------------


def test_event_page_links_organizers_to_the_registration_pages(client, world, organizer, group):
    urls = [url_of(name, world) for name in ("frames", "questions", "registrations")]
    login(client, organizer)
    body = client.get(world.event.get_absolute_url()).content.decode()
    assert all(url in body for url in urls)
    login(client, OrganizerFactory(group=group, role=Role.RECEPTION).user)
    body = client.get(world.event.get_absolute_url()).content.decode()
    assert [url in body for url in urls] == [False, False, True]
    login(client, world.participant)
    body = client.get(world.event.get_absolute_url()).content.decode()
    assert not any(url in body for url in urls)

"""Control characters (kaisai.core.controls, docs/security.md): removed from every POSTed form
and from API v1 JSON before anything stores them, and every feed answers valid XML for text
stored with them before."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from kaisai.accounts.services import create_api_token
from kaisai.core.controls import strip_controls
from kaisai.events.models import Event
from kaisai.groups.models import Group
from tests.api.conftest import ApiClient
from tests.conftest import login
from tests.events.test_views_organizer import post_data
from tests.factories import EventFactory

pytestmark = pytest.mark.django_db

NASTY = "A\x00B\x08C\x0bD\x0cE\x1bF\x7fG\ud800H\tI\nJ"
CLEAN = "ABCDEFGH\tI\nJ"


def test_strip_controls_keeps_tab_and_newlines():
    assert strip_controls(NASTY) == CLEAN
    assert strip_controls("日本語\r\n") == "日本語\r\n"


def test_a_posted_form_never_stores_control_characters(client, organizer, group):
    login(client, organizer)
    data = post_data(title="MLCT\x0b #5", description="Talks\x08 and\x00 more")
    response = client.post(reverse("events:create", kwargs={"group_slug": group.slug}), data)
    assert response.status_code == 302
    event = Event.objects.get()
    assert (event.title, event.description) == ("MLCT #5", "Talks and more")


def test_api_v1_json_never_stores_control_characters(organizer, group):
    api = ApiClient(create_api_token(user=organizer, name="tests")[1])
    start = timezone.now() + timedelta(days=30)
    response = api.post(
        f"/api/v1/groups/{group.slug}/events/",
        {"title": "Null\x00 byte\x0b", "description": NASTY,
         "starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=2)).isoformat()},
    )  # fmt: skip
    assert response.status_code == 201, response.content
    event = Event.objects.get()
    assert (event.title, event.description) == ("Null byte", CLEAN)


def feeds_of(group, event) -> list[str]:
    return [
        reverse("events:search_atom"),
        reverse("events:search_atom") + "?q=%0BTitle",
        reverse("groups:feed_atom", kwargs={"slug": group.slug}),
        reverse("groups:events_ics", kwargs={"slug": group.slug}),
        reverse("events:ics", kwargs={"pk": event.pk}),
        reverse("talks:frab_xml", kwargs={"pk": event.pk}),
        reverse("talks:frab_json", kwargs={"pk": event.pk}),
    ]


def test_every_feed_answers_for_text_stored_with_control_characters(client, group):
    event = EventFactory(group=group, title="Title", published_at=timezone.now())
    # as rows written before the boundary cleaned them (SQLite stores even NUL)
    Event.objects.filter(pk=event.pk).update(
        title="Title\x0b with\x1b", description="Desc\x08 ription", catch="C\x0catch",
        place="Pl\x7face", hashtag="tag\x01",
    )  # fmt: skip
    Group.objects.filter(pk=group.pk).update(title="Gro\x0bup")
    for url in feeds_of(group, event):
        response = client.get(url)
        assert response.status_code == 200, url
        if url.endswith((".atom", ".xml")) or "feed.atom" in url:
            ET.fromstring(response.content)  # noqa: S314 - our own answer, well-formed XML 1.0

"""Participants link their own posts (external recaps): who may add and remove, URL checks."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from kaisai.events.models import Event
from kaisai.recaps.models import ExternalRecap
from kaisai.recaps.services import (
    RecapError,
    do_add_external_recap,
    do_draft_recap,
    do_publish_recap,
    do_remove_external_recap,
)
from tests.conftest import login
from tests.factories import UserFactory

POST = "https://blog.example/att0/ml-night"


def test_a_participant_links_a_post_shown_on_the_event_page(client, past_event, attendees):
    login(client, attendees[0])
    response = client.post(
        f"/events/{past_event.pk}/recap/posts/", {"url": POST, "title": "I went to ML Night"}
    )
    assert response.status_code == 302
    external = ExternalRecap.objects.get()
    assert external.user == attendees[0] and external.url == POST
    page = client.get(f"/events/{past_event.pk}/").content.decode()
    assert f'href="{POST}"' in page and "I went to ML Night" in page


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "data:text/html,x", "ftp://files.example/x", "not a url", ""]
)
def test_only_http_links_are_accepted(past_event, attendees, url):
    with pytest.raises(RecapError) as error:
        do_add_external_recap(event=past_event, by=attendees[0], url=url, title="Post")
    assert "url" in error.value.message_dict
    assert not ExternalRecap.objects.exists()


def test_a_title_is_needed_and_a_link_is_listed_once(past_event, attendees):
    with pytest.raises(RecapError):
        do_add_external_recap(event=past_event, by=attendees[0], url=POST, title="  ")
    do_add_external_recap(event=past_event, by=attendees[0], url=POST, title="Post")
    with pytest.raises(RecapError) as error:
        do_add_external_recap(event=past_event, by=attendees[1], url=POST, title="Again")
    assert error.value.reason == "exists"
    assert ExternalRecap.objects.count() == 1


def test_a_non_participant_may_not_link(client, past_event, outsider):
    stranger = UserFactory(nickname="stranger")
    for person in (stranger, outsider):
        with pytest.raises(PermissionDenied):
            do_add_external_recap(event=past_event, by=person, url=POST, title="Post")
    login(client, stranger)
    response = client.post(f"/events/{past_event.pk}/recap/posts/", {"url": POST, "title": "P"})
    assert response.status_code == 403
    assert "Link your own post" not in client.get(f"/events/{past_event.pk}/").content.decode()
    assert not ExternalRecap.objects.exists()


def test_no_link_before_the_event_has_started(past_event, attendees):
    start = timezone.now() + timedelta(days=1)
    Event.objects.filter(pk=past_event.pk).update(starts_at=start, ends_at=start)
    past_event.refresh_from_db()
    with pytest.raises(PermissionDenied):
        do_add_external_recap(event=past_event, by=attendees[0], url=POST, title="Post")


def test_the_organizer_and_the_author_remove_others_may_not(
    client, past_event, attendees, organizer, outsider
):
    external = do_add_external_recap(event=past_event, by=attendees[0], url=POST, title="Post")
    for person in (outsider, attendees[1]):
        with pytest.raises(PermissionDenied):
            do_remove_external_recap(external=external, by=person)
        login(client, person)
        assert client.post(f"/recap-posts/{external.pk}/remove/").status_code == 403
    assert ExternalRecap.objects.exists()
    login(client, organizer)
    assert "recap-posts/" in client.get(f"/events/{past_event.pk}/").content.decode()
    assert client.post(f"/recap-posts/{external.pk}/remove/").status_code == 302
    assert not ExternalRecap.objects.exists()
    own = do_add_external_recap(event=past_event, by=attendees[0], url=POST, title="Post")
    do_remove_external_recap(external=own, by=attendees[0])
    assert not ExternalRecap.objects.exists()


def test_api_v1_lists_the_posts_with_the_recap(client, past_event, attendees, organizer):
    do_add_external_recap(event=past_event, by=attendees[0], url=POST, title="Post")
    do_publish_recap(recap=do_draft_recap(event=past_event, by=organizer), by=organizer)
    body = client.get(f"/api/v1/events/{past_event.pk}/recap/").json()
    assert body["external_recaps"][0]["url"] == POST
    assert body["external_recaps"][0]["nickname"] == "att0"

"""Materials (資料), the pages: the per-talk flags, the materials page, adding from it and the
event page's link."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from kaisai.events.enums import EventStatus
from kaisai.talks.enums import EntryKind, MaterialKind, TalkState
from kaisai.talks.models import Material
from kaisai.talks.selectors_materials import material_flags
from tests.conftest import login
from tests.factories import EventFactory, UserFactory
from tests.talks import materials_helpers
from tests.talks.factories import MaterialFactory, TalkFactory, TimetableEntryFactory

# The materials fixtures, bound by name so that pytest finds them in this module.
event = materials_helpers.event
speaker = materials_helpers.speaker
talk = materials_helpers.talk


# --- flags --------------------------------------------------------------------------------


def test_material_flags_in_one_query(event, django_assert_num_queries):
    with_slides, with_video, with_both, bare = (TalkFactory(event=event) for _ in range(4))
    MaterialFactory(talk=with_slides, kind=MaterialKind.SLIDE)
    MaterialFactory(talk=with_slides, kind=MaterialKind.BLOG)
    MaterialFactory(talk=with_video, kind=MaterialKind.MOVIE)
    MaterialFactory(talk=with_both, kind=MaterialKind.SLIDE)
    MaterialFactory(talk=with_both, kind=MaterialKind.MOVIE)
    ids = [with_slides.pk, with_video.pk, with_both.pk, bare.pk]
    with django_assert_num_queries(1):
        flags = material_flags(ids)
    assert flags == {
        with_slides.pk: {"slides": True, "video": False},
        with_video.pk: {"slides": False, "video": True},
        with_both.pk: {"slides": True, "video": True},
        bare.pk: {"slides": False, "video": False},
    }
    with django_assert_num_queries(0):
        assert material_flags([]) == {}


# --- pages --------------------------------------------------------------------------------


def _page(event):
    return reverse("talks:materials", kwargs={"pk": event.pk})


def _add_url(event):
    return reverse("talks:material_add", kwargs={"pk": event.pk})


def test_materials_page_shows_talks_in_timetable_order_with_embeds(client, event, speaker):
    later = TalkFactory(event=event, title="Later talk", speaker=speaker)
    earlier = TalkFactory(event=event, title="Earlier talk")
    unscheduled = TalkFactory(event=event, title="Unscheduled talk")
    TalkFactory(event=event, title="Rejected talk", state=TalkState.REJECTED)
    TimetableEntryFactory(
        event=event,
        kind=EntryKind.TALK,
        talk=later,
        title="",
        starts_at=event.starts_at + timedelta(minutes=40),
    )
    TimetableEntryFactory(
        event=event,
        kind=EntryKind.TALK,
        talk=earlier,
        title="",
        starts_at=event.starts_at + timedelta(minutes=10),
    )
    MaterialFactory(
        talk=later,
        url="https://youtu.be/dQw4w9WgXcQ",
        kind=MaterialKind.MOVIE,
        title="The video",
        provider="YouTube",
        embed_url="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ",
    )
    MaterialFactory(talk=None, event=event, url="https://blog.example.com/recap", title="Recap")
    # A stored embed on a host off the allow-list is never rendered.
    MaterialFactory(talk=earlier, url="https://example.com/x", embed_url="https://evil.example/x")

    response = client.get(_page(event))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.index("Earlier talk") < html.index("Later talk") < html.index("Unscheduled talk")
    assert "Rejected talk" not in html
    assert unscheduled.title in html
    assert 'src="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"' in html
    assert 'sandbox="allow-scripts allow-same-origin allow-popups allow-presentation"' in html
    assert 'loading="lazy"' in html and "referrerpolicy=" in html
    assert 'evil.example/x"></iframe>' not in html and 'src="https://evil.example' not in html
    assert '<script src="https://www.youtube' not in html
    assert "Recap" in html
    assert 'action="' + _add_url(event) not in html  # anonymous: no form


def test_materials_page_query_count_does_not_grow(client, event, django_assert_max_num_queries):
    def add_talks(n):
        for _ in range(n):
            talk = TalkFactory(event=event, speaker=UserFactory())
            TimetableEntryFactory(event=event, kind=EntryKind.TALK, talk=talk, title="")
            MaterialFactory(talk=talk)
            MaterialFactory(talk=talk, kind=MaterialKind.MOVIE)

    add_talks(2)
    client.get(_page(event))  # warm up caches (sessions, content types)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as two:
        assert client.get(_page(event)).status_code == 200
    add_talks(10)
    with django_assert_max_num_queries(len(two.captured_queries)):
        response = client.get(_page(event))
    assert response.content.decode().count('class="card talk-materials"') == 12


def test_materials_page_of_a_draft_is_404_for_others(client, group, outsider, organizer):
    draft = EventFactory(group=group, status=EventStatus.DRAFT)
    assert client.get(_page(draft)).status_code == 404
    assert login(client, outsider).get(_page(draft)).status_code == 404
    assert login(client, organizer).get(_page(draft)).status_code == 200


def test_form_shown_to_speakers_and_organizers_only(client, talk, speaker, organizer, user):
    html = login(client, speaker).get(_page(talk.event) + f"?talk={talk.pk}").content.decode()
    assert 'action="' + _add_url(talk.event) in html
    assert "The whole event" not in html  # speakers add to their talks only
    html = login(client, organizer).get(_page(talk.event)).content.decode()
    assert "The whole event" in html
    html = login(client, user).get(_page(talk.event)).content.decode()
    assert 'action="' + _add_url(talk.event) not in html


def test_add_by_speaker(client, talk, speaker):
    response = login(client, speaker).post(
        _add_url(talk.event),
        {
            "material-talk": talk.pk,
            "material-kind": "slide",
            "material-url": "https://example.com/s",
        },
    )
    assert response.status_code == 302
    assert response["Location"].endswith(f"#talk-{talk.pk}")
    assert talk.materials.get().url == "https://example.com/s"


def test_add_event_level_by_organizer(client, talk, organizer):
    response = login(client, organizer).post(
        _add_url(talk.event),
        {
            "material-talk": "",
            "material-kind": "blog",
            "material-url": "https://blog.example.com/r",
        },
    )
    assert response.status_code == 302
    assert Material.objects.get().talk is None


@pytest.mark.parametrize("url", ["javascript:alert(1)", "data:text/html,<script>alert(1)</script>"])
def test_add_bad_url_shows_field_error_and_saves_nothing(client, talk, speaker, url):
    response = login(client, speaker).post(
        _add_url(talk.event),
        {"material-talk": talk.pk, "material-kind": "slide", "material-url": url},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Only web links are allowed" in html
    assert "Nothing has been saved" in html
    assert not Material.objects.exists()


def test_speaker_cannot_pick_another_talk(client, talk, speaker):
    other = TalkFactory(event=talk.event)
    response = login(client, speaker).post(
        _add_url(talk.event),
        {"material-talk": other.pk, "material-kind": "slide", "material-url": "https://e.com/x"},
    )
    assert response.status_code == 400
    assert not Material.objects.exists()


def test_add_permissions(client, talk, outsider, user):
    url = _add_url(talk.event)
    data = {"material-talk": "", "material-kind": "slide", "material-url": "https://e.com/x"}
    response = client.post(url, data)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert login(client, outsider).post(url, data).status_code == 403
    assert login(client, user).post(url, data).status_code == 403
    assert login(client, user).get(url).status_code == 405  # POST only
    assert not Material.objects.exists()


def test_add_to_a_draft_is_404_for_outsiders(client, group, outsider):
    draft = EventFactory(group=group, status=EventStatus.DRAFT)
    data = {"material-talk": "", "material-kind": "slide", "material-url": "https://e.com/x"}
    assert login(client, outsider).post(_add_url(draft), data).status_code == 404


def test_event_page_links_to_materials_with_the_count(client, talk):
    MaterialFactory(talk=talk)
    MaterialFactory(talk=None, event=talk.event)
    html = client.get(talk.event.get_absolute_url()).content.decode()
    assert _page(talk.event) in html
    assert "2 links" in html


def test_event_page_without_materials_before_the_event_has_no_section(client, group):
    upcoming = EventFactory(group=group)
    html = client.get(upcoming.get_absolute_url()).content.decode()
    assert _page(upcoming) not in html


def test_materials_form_says_who_is_told(client, event, organizer):
    """Every member is told by default (MATERIALS_ADDED is on until switched off): the form
    must not say only those who asked for it are."""
    html = login(client, organizer).get(_page(event)).content.decode()
    assert "who asked for it" not in html
    assert "except those who switched these mails off" in html

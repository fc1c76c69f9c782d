"""Materials (資料): the services (who may add and delete, http(s) links only, member notices)
and the pages (materials page, add, delete, the event page's link)."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
import respx
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from kaisai.core.models import OutboxMail
from kaisai.core.outbox import render
from kaisai.events.enums import EventStatus
from kaisai.groups.enums import Role
from kaisai.notices.enums import MailKind
from kaisai.notices.models import MailOptOut
from kaisai.talks.enums import EntryKind, MaterialKind, TalkState
from kaisai.talks.models import Material
from kaisai.talks.selectors_materials import material_flags
from kaisai.talks.services.materials import MaterialError, add_material, delete_material
from tests.conftest import login
from tests.factories import EventFactory, MemberFactory, OrganizerFactory, UserFactory
from tests.talks.factories import MaterialFactory, TalkFactory, TimetableEntryFactory


@pytest.fixture
def http():
    """HTTP to the oEmbed hosts is mocked; an unmocked request fails the test."""
    with respx.mock(assert_all_called=False, assert_all_mocked=True) as router:
        yield router


@pytest.fixture
def event(group):
    return EventFactory(
        group=group,
        starts_at=timezone.now() - timedelta(days=2),
        ends_at=timezone.now() - timedelta(days=2) + timedelta(hours=2),
    )


@pytest.fixture
def speaker(db):
    return UserFactory(nickname="speaker")


@pytest.fixture
def talk(event, speaker):
    return TalkFactory(event=event, speaker=speaker, title="Drift monitoring")


# --- services: who ------------------------------------------------------------------------


def test_speaker_adds_slides_to_own_talk(talk, speaker):
    material = add_material(
        by=speaker, event=talk.event, talk=talk, url="https://example.com/slides.pdf"
    )
    assert material.talk == talk
    assert material.kind == MaterialKind.SLIDE
    assert material.added_by == speaker
    assert material.provider == "" and material.embed_url == ""  # unknown host: a plain link


def test_organizer_adds_to_any_talk_and_to_the_event(talk, organizer):
    co = OrganizerFactory(group=talk.event.group, role=Role.ORGANIZER).user
    add_material(by=organizer, event=talk.event, talk=talk, url="https://example.com/a")
    material = add_material(
        by=co, event=talk.event, url="https://example.com/photos", kind=MaterialKind.OTHER
    )
    assert material.talk is None
    assert Material.objects.filter(event=talk.event).count() == 2


def test_before_the_event_too(group, speaker):
    upcoming = TalkFactory(event=EventFactory(group=group), speaker=speaker)
    add_material(by=speaker, event=upcoming.event, talk=upcoming, url="https://example.com/x")
    assert upcoming.materials.count() == 1


@pytest.mark.parametrize("who", ["other_speaker", "outsider", "plain", "reception"])
def test_others_may_not_add(who, talk, outsider, user):
    people = {
        "other_speaker": lambda: (
            TalkFactory(event=talk.event, speaker=UserFactory()).speakers.get().user
        ),
        "outsider": lambda: outsider,
        "plain": lambda: user,
        "reception": lambda: OrganizerFactory(group=talk.event.group, role=Role.RECEPTION).user,
    }
    person = people[who]()
    with pytest.raises(PermissionDenied):
        add_material(by=person, event=talk.event, talk=talk, url="https://example.com/x")
    assert not Material.objects.exists()


def test_speaker_may_not_add_to_the_whole_event(talk, speaker):
    with pytest.raises(PermissionDenied):
        add_material(by=speaker, event=talk.event, url="https://example.com/x")


def test_talk_of_another_event_is_refused(talk, organizer, group):
    other_event = EventFactory(group=group)
    with pytest.raises(MaterialError) as error:
        add_material(by=organizer, event=other_event, talk=talk, url="https://example.com/x")
    assert "talk" in error.value.error_dict


def test_only_accepted_talks_get_materials(event, speaker):
    proposed = TalkFactory(event=event, speaker=speaker, state=TalkState.PROPOSED)
    with pytest.raises(MaterialError) as error:
        add_material(by=speaker, event=event, talk=proposed, url="https://example.com/x")
    assert "talk" in error.value.error_dict


# --- services: URLs -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(document.cookie)",
        "JaVaScRiPt:alert(1)",
        "  javascript:alert(1)",
        "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
        "ftp://files.example.com/slides.pdf",
        "file:///etc/passwd",
        "vbscript:msgbox(1)",
        "//evil.example/x",
        "speakerdeck.com/someone/talk",
    ],
)
def test_only_http_and_https_links(talk, speaker, url):
    with pytest.raises(MaterialError) as error:
        add_material(by=speaker, event=talk.event, talk=talk, url=url)
    assert "https://" in " ".join(error.value.error_dict["url"][0].messages)
    assert not Material.objects.exists()
    assert not OutboxMail.objects.exists()


@pytest.mark.parametrize(
    "url", ["", "   ", "http://", "https://exa mple.com/x", "https://" + "a" * 1001]
)
def test_malformed_links(talk, speaker, url):
    with pytest.raises(MaterialError) as error:
        add_material(by=speaker, event=talk.event, talk=talk, url=url)
    assert "url" in error.value.error_dict
    assert not Material.objects.exists()


def test_the_same_link_twice_is_refused(talk, speaker):
    add_material(by=speaker, event=talk.event, talk=talk, url="https://example.com/x")
    with pytest.raises(MaterialError):
        add_material(by=speaker, event=talk.event, talk=talk, url=" https://example.com/x ")
    assert Material.objects.count() == 1


def test_known_hosts_get_their_embed_at_once(talk, speaker):
    material = add_material(
        by=speaker,
        event=talk.event,
        talk=talk,
        kind=MaterialKind.MOVIE,
        url="https://youtu.be/dQw4w9WgXcQ",
    )
    assert material.provider == "YouTube"
    assert material.embed_url == "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"


def test_adding_queues_the_oembed_fetch(talk, speaker, http, django_capture_on_commit_callbacks):
    route = http.get("https://speakerdeck.com/oembed.json").mock(
        return_value=httpx.Response(
            200,
            json={
                "title": "Drift, explained",
                "html": '<iframe src="https://speakerdeck.com/player/abc"></iframe>',
            },
        )
    )
    with django_capture_on_commit_callbacks(execute=True):
        material = add_material(
            by=speaker, event=talk.event, talk=talk, url="https://speakerdeck.com/speaker/drift"
        )
    assert route.call_count == 1
    material.refresh_from_db()
    assert material.title == "Drift, explained"
    assert material.embed_url == "https://speakerdeck.com/player/abc"


def test_unknown_hosts_queue_no_fetch(talk, speaker, http, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        add_material(by=speaker, event=talk.event, talk=talk, url="https://blog.example.com/p")
    assert callbacks == []
    assert not http.calls


# --- services: member notices ---------------------------------------------------------------


def test_members_are_told_except_the_adder_and_opt_outs(talk, speaker, organizer):
    group = talk.event.group
    fan, quiet, quiet_everywhere = UserFactory(), UserFactory(), UserFactory()
    for person in (fan, quiet, quiet_everywhere, speaker, organizer):
        MemberFactory(group=group, user=person)
    MailOptOut.objects.create(user=quiet, group=group, kind=MailKind.MATERIALS_ADDED)
    MailOptOut.objects.create(user=quiet_everywhere, kind=MailKind.MATERIALS_ADDED)
    MemberFactory(user=UserFactory())  # a member of another group

    material = add_material(
        by=speaker, event=talk.event, talk=talk, url="https://example.com/s", title="Slides"
    )

    mails = OutboxMail.objects.order_by("recipient_id")
    assert {mail.recipient for mail in mails} == {fan, organizer}
    for mail in mails:
        assert mail.key == f"materials-{material.pk}-{mail.recipient_id}"
        assert mail.kind == MailKind.MATERIALS_ADDED
        assert mail.group == group
        assert mail.template == "materials_added"
    subject, body = render(mails.get(recipient=fan))
    assert talk.event.title in subject
    assert "https://example.com/s" in body
    assert "Drift monitoring" in body
    assert reverse("talks:materials", kwargs={"pk": talk.event.pk}) in body


def test_no_notice_for_a_draft_event(group, organizer):
    draft = EventFactory(group=group, status=EventStatus.DRAFT)
    MemberFactory(group=group)
    add_material(by=organizer, event=draft, url="https://example.com/x")
    assert not OutboxMail.objects.exists()


def test_a_refused_material_tells_nobody(talk, speaker):
    MemberFactory(group=talk.event.group)
    with pytest.raises(MaterialError):
        add_material(by=speaker, event=talk.event, talk=talk, url="javascript:alert(1)")
    assert not OutboxMail.objects.exists()


# --- services: delete ---------------------------------------------------------------------


def test_delete_by_speaker_and_organizer(talk, speaker, organizer):
    first = MaterialFactory(talk=talk)
    second = MaterialFactory(talk=talk)
    delete_material(by=speaker, material=first)
    delete_material(by=organizer, material=second)
    assert not Material.objects.exists()


def test_delete_refused_for_others(talk, outsider, user):
    material = MaterialFactory(talk=talk)
    other_speaker = UserFactory()
    TalkFactory(event=talk.event, speaker=other_speaker)
    event_level = MaterialFactory(talk=None, event=talk.event)
    for person in (outsider, user, other_speaker):
        with pytest.raises(PermissionDenied):
            delete_material(by=person, material=material)
    speaker = talk.speakers.get().user
    with pytest.raises(PermissionDenied):
        delete_material(by=speaker, material=event_level)
    assert Material.objects.count() == 2


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


def test_delete_views(client, talk, speaker, outsider, user, organizer):
    material = MaterialFactory(talk=talk)
    url = reverse("talks:material_delete", kwargs={"material_id": material.pk})
    response = client.post(url)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert login(client, outsider).post(url).status_code == 403
    assert login(client, user).post(url).status_code == 403
    assert login(client, speaker).get(url).status_code == 405
    assert Material.objects.exists()
    response = login(client, speaker).post(url)
    assert response.status_code == 302
    assert not Material.objects.exists()
    event_level = MaterialFactory(talk=None, event=talk.event)
    url = reverse("talks:material_delete", kwargs={"material_id": event_level.pk})
    assert login(client, speaker).post(url).status_code == 403
    assert login(client, organizer).post(url).status_code == 302
    assert login(client, organizer).post(url).status_code == 404


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

"""Materials (資料), adding: who may add, http(s) links only, embeds and the oEmbed fetch, and
the notices to the group's members."""

from __future__ import annotations

import httpx
import pytest
import respx
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from kaisai.core.models import OutboxMail
from kaisai.core.outbox import render
from kaisai.events.enums import EventStatus
from kaisai.groups.enums import Role
from kaisai.notices.enums import MailKind
from kaisai.notices.models import MailOptOut
from kaisai.talks.enums import MaterialKind, TalkState
from kaisai.talks.models import Material
from kaisai.talks.services.materials import MaterialError, add_material
from tests.factories import EventFactory, MemberFactory, OrganizerFactory, UserFactory
from tests.talks import materials_helpers
from tests.talks.factories import TalkFactory

# The materials fixtures, bound by name so that pytest finds them in this module.
event = materials_helpers.event
speaker = materials_helpers.speaker
talk = materials_helpers.talk


@pytest.fixture
def http():
    """HTTP to the oEmbed hosts is mocked; an unmocked request fails the test."""
    with respx.mock(assert_all_called=False, assert_all_mocked=True) as router:
        yield router


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

"""The demo's talks, timetables and materials (kaisai.site.demo.talks)."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from kaisai.core.models import OutboxMail
from kaisai.events.models import Event
from kaisai.registrations.enums import Method, Status
from kaisai.site.demo import generate
from kaisai.talks import embeds
from kaisai.talks.enums import EntryKind, MaterialKind, TalkKind, TalkState
from kaisai.talks.models import Material, Speaker, Talk, TimetableEntry


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo loaded once for this module (and removed afterwards)."""
    with django_db_blocker.unblock():
        generate.load_demo(password="pw-for-tests", today=date(2026, 3, 2))
        yield
        generate.delete_demo()


@pytest.fixture
def mlct(demo, db):
    return list(Event.objects.filter(group__slug="mlct").order_by("number"))


def test_past_events_have_two_talks_and_three_to_five_lts(mlct):
    for event in mlct[:4]:
        talks = Talk.objects.filter(event=event, state=TalkState.ACCEPTED)
        assert talks.filter(kind=TalkKind.TALK).count() == 2
        assert 3 <= talks.filter(kind=TalkKind.LT).count() <= 5
        for talk in talks:
            speaker = Speaker.objects.get(talk=talk)
            assert speaker.user is not None and speaker.user.email.endswith("@example.com")
            assert speaker.is_confirmed


def test_past_timetables_from_doors_to_after_party(mlct):
    for event in mlct[:4]:
        entries = list(TimetableEntry.objects.filter(event=event))
        kinds = [entry.kind for entry in entries]
        assert kinds[0] == EntryKind.DOORS
        assert kinds[-1] == EntryKind.AFTERPARTY
        assert EntryKind.BREAK in kinds
        local = entries[0].starts_at.astimezone(event.tz)
        assert (local.hour, local.minute) == (19, 0)
        talks = [entry.talk for entry in entries if entry.kind == EntryKind.TALK]
        assert len(talks) == Talk.objects.filter(event=event).count()
        # talks, then the break, then the lightning talks
        break_at = kinds.index(EntryKind.BREAK)
        assert all(entry.talk.kind == TalkKind.TALK for entry in entries[:break_at] if entry.talk)
        assert all(entry.talk.kind == TalkKind.LT for entry in entries[break_at:] if entry.talk)
        for earlier, later in zip(entries, entries[1:], strict=False):
            assert earlier.starts_at < later.starts_at


def test_past_events_have_slides_and_a_youtube_video(mlct):
    providers = set()
    for event in mlct[:4]:
        slides = Material.objects.filter(event=event, kind=MaterialKind.SLIDE)
        talks = Talk.objects.filter(event=event).count()
        assert slides.count() == talks - 1  # one speaker never shared slides
        video = Material.objects.get(event=event, kind=MaterialKind.MOVIE, talk=None)
        assert video.provider == "YouTube"
        assert video.embed_url.startswith("https://www.youtube-nocookie.com/embed/")
        for material in slides:
            providers.add(material.provider)
            assert material.url.startswith("https://")
            assert material.title
            assert embeds.is_allowed_embed(material.embed_url)
            assert embeds.provider_of(material.url)
    assert providers == {"Speaker Deck", "Docswell", "Google Slides"}
    assert Material.objects.filter(kind=MaterialKind.BLOG, embed_url="").exists()  # a plain link


def test_upcoming_event_has_lt_frame_proposals_invited_talks_and_timetable(mlct):
    upcoming = mlct[4]
    frame = upcoming.frames.get(requires_talk=True)
    assert frame.method == Method.APPROVAL
    assert frame.capacity == 5
    accepted = Talk.objects.filter(event=upcoming, kind=TalkKind.LT, state=TalkState.ACCEPTED)
    proposed = Talk.objects.filter(event=upcoming, kind=TalkKind.LT, state=TalkState.PROPOSED)
    assert accepted.count() == frame.accepted_count == 3
    assert proposed.count() == 2
    for talk in accepted:
        assert talk.registration.frame == frame
        assert talk.registration.status == Status.ACCEPTED
        assert talk.speakers.get().user == talk.registration.user
    for talk in proposed:
        assert talk.registration.status == Status.APPLIED
    invited = Talk.objects.filter(event=upcoming, kind=TalkKind.TALK, registration=None)
    assert invited.count() == 2
    assert set(invited.values_list("state", flat=True)) == {TalkState.ACCEPTED}
    entries = TimetableEntry.objects.filter(event=upcoming)
    assert entries.filter(kind=EntryKind.TALK).count() == 5  # proposals are not scheduled
    assert not entries.filter(talk__state=TalkState.PROPOSED).exists()
    assert entries.filter(kind=EntryKind.AFTERPARTY).exists()
    assert not Material.objects.filter(event=upcoming).exists()


def test_demo_talks_send_no_mail(demo, db):
    assert not OutboxMail.objects.exists()


def test_demo_materials_page_renders(client, mlct):
    event = mlct[3]
    response = client.get(reverse("talks:materials", kwargs={"pk": event.pk}))
    assert response.status_code == 200
    html = response.content.decode()
    for talk in Talk.objects.filter(event=event):
        assert talk.title in html
    assert (
        html.count("<iframe") == Material.objects.filter(event=event).exclude(embed_url="").count()
    )


def test_past_events_have_published_recaps_and_the_last_two_posts(mlct):
    from kaisai.recaps.models import ExternalRecap, Recap

    for event in mlct[:4]:
        recap = Recap.objects.get(event=event)
        assert recap.is_published and recap.notified_count == 0
        talk = Talk.objects.filter(event=event, state=TalkState.ACCEPTED).first()
        assert talk is not None and talk.title.split()[0] in recap.body
        assert Material.objects.filter(event=event, kind=MaterialKind.BLOG).exists()
    assert not Recap.objects.filter(event=mlct[4]).exists()
    assert ExternalRecap.objects.filter(event=mlct[3]).count() == 2

"""The recap's draft (kaisai.recaps.drafting, services.do_draft_recap): what it says, and the
error before the event has ended."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from kaisai.events.models import Event
from kaisai.recaps import drafting
from kaisai.recaps.models import Recap
from kaisai.recaps.services import RecapError, do_draft_recap


def test_draft_holds_what_kaisai_knows(past_event, next_event, organizer, settings):
    settings.BASE_URL = "https://kaisai.example.org"
    body = do_draft_recap(event=past_event, by=organizer).body
    local = past_event.starts_at.astimezone(past_event.tz)
    assert body.startswith(f"Thank you for coming to {past_event.numbered_title}!")
    assert local.strftime("%Y-%m-%d") in body and local.strftime("%H:%M") in body
    assert "Hall A Shibuya 1-2-3" in body
    assert "Applicants: 3 / Seats: 13 / Came: 2" in body
    talks, lts = body.index("## Talks"), body.index("## Lightning talks")
    assert talks < body.index("**Drift monitoring** — Sato Speaker") < lts
    assert "[Drift slides](https://slides.example/drift)" in body
    assert lts < body.index("**Tiny LLMs** — Attendee 0")
    assert "Video: [https://video.example/tiny](https://video.example/tiny)" in body
    assert "## Thanks" in body and "Hoshizora AI\\]" not in body
    assert "[Hoshizora AI](https://sponsor.example.com/) (Pizza)" in body
    next_url = f"https://kaisai.example.org/events/{next_event.pk}/"
    assert f"[{next_event.numbered_title}]({next_url})" in body
    assert "We are looking for speakers (Lightning talks)" in body
    assert f"/events/{next_event.pk}/register/?frame={next_event.lt_frame.pk}" in body
    assert "Survey" not in body  # no function giving survey highlights: no section


def test_survey_highlights_fill_their_section_when_given(past_event):
    body = drafting.draft_markdown(past_event, survey_highlights=lambda event: "- 4.6 / 5\n")
    assert "## Survey highlights\n\n- 4.6 / 5" in body
    assert body.index("## Thanks") < body.index("## Survey highlights")


def test_a_section_is_one_builder(past_event, monkeypatch):
    monkeypatch.setattr(drafting, "SECTIONS", [*drafting.SECTIONS, lambda facts: "## Photos"])
    assert drafting.draft_markdown(past_event).rstrip().endswith("## Photos")


def test_no_next_event_no_talks_no_sponsors_leave_their_sections_out(group, organizer):
    from tests.factories import EventFactory

    start = timezone.now() - timedelta(days=3)
    bare = EventFactory(group=group, starts_at=start, ends_at=start + timedelta(hours=1))
    body = do_draft_recap(event=bare, by=organizer).body
    assert "Applicants: 0 / Seats: 0 / Came: 0" in body
    for heading in ("## Talks", "## Lightning talks", "## Thanks", "## Next time"):
        assert heading not in body


def test_user_text_cannot_open_links_or_html(group, organizer):
    from tests.factories import EventFactory

    start = timezone.now() - timedelta(days=3)
    event = EventFactory(
        group=group, title="[x](javascript:alert(1)) <b>", starts_at=start,
        ends_at=start + timedelta(hours=1),
    )  # fmt: skip
    body = do_draft_recap(event=event, by=organizer).body
    assert "\\[x\\](javascript:alert(1)) \\<b\\>" in body


def test_before_the_end_is_a_clear_error_and_nothing_is_written(past_event, organizer):
    Event.objects.filter(pk=past_event.pk).update(ends_at=timezone.now() + timedelta(minutes=5))
    past_event.refresh_from_db()
    with pytest.raises(RecapError) as error:
        do_draft_recap(event=past_event, by=organizer)
    assert error.value.reason == "not_ended"
    assert "once the event has ended" in error.value.messages[0]
    assert not Recap.objects.exists()


def test_a_draft_event_has_no_recap(past_event, organizer):
    Event.objects.filter(pk=past_event.pk).update(status="draft")
    past_event.refresh_from_db()
    with pytest.raises(RecapError):
        do_draft_recap(event=past_event, by=organizer)


def test_drafting_again_replaces_a_draft_but_not_a_published_recap(past_event, organizer):
    from kaisai.recaps.services import do_edit_recap, do_publish_recap

    recap = do_draft_recap(event=past_event, by=organizer)
    do_edit_recap(recap=recap, by=organizer, body="mine")
    assert do_draft_recap(event=past_event, by=organizer).body.startswith("Thank you")
    do_publish_recap(recap=recap, by=organizer)
    with pytest.raises(RecapError) as error:
        do_draft_recap(event=past_event, by=organizer)
    assert error.value.reason == "published"


def test_only_the_events_organizers_draft(past_event, outsider, attendees):
    for person in (outsider, attendees[0]):
        with pytest.raises(PermissionDenied):
            do_draft_recap(event=past_event, by=person)
    assert not Recap.objects.exists()


def test_the_draft_button_before_the_end_says_why_and_writes_nothing(client, past_event, organizer):
    from tests.conftest import login

    Event.objects.filter(pk=past_event.pk).update(ends_at=timezone.now() + timedelta(hours=1))
    login(client, organizer)
    response = client.post(f"/events/{past_event.pk}/recap/draft/", follow=True)
    assert "The recap can be drafted once the event has ended." in response.content.decode()
    assert not Recap.objects.exists()


def test_drafting_takes_the_same_queries_for_more_talks(past_event, next_event):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import UserFactory
    from tests.talks.factories import MaterialFactory, TalkFactory

    drafting.draft_markdown(past_event)  # the event's group is loaded once, then cached
    with CaptureQueriesContext(connection) as few:
        drafting.draft_markdown(past_event)
    for i in range(5):
        talk = TalkFactory(event=past_event, speaker=UserFactory(nickname=f"more{i}"))
        MaterialFactory(event=past_event, talk=talk, url=f"https://slides.example/{i}")
    with CaptureQueriesContext(connection) as many:
        body = drafting.draft_markdown(past_event)
    assert "https://slides.example/4" in body
    assert len(many.captured_queries) == len(few.captured_queries) <= 11

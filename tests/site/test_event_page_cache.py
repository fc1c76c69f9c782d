"""The anonymous event page from the shared cache (site/event_page_cache.py): served in one
query, and following every kind of change to what it shows — without any invalidation."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from kaisai.events.enums import EventStatus
from kaisai.events.models import Event
from kaisai.groups.models import Organizer
from kaisai.recaps.models import ExternalRecap, Recap
from kaisai.registrations import services
from kaisai.registrations.enums import Status
from kaisai.site import event_page_cache
from tests.factories import OrganizerFactory, SponsorFactory, UserFactory
from tests.talks.factories import MaterialFactory, TalkFactory, TimetableEntryFactory


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def page(event: Event, client: Client | None = None, **headers) -> tuple[str, int]:
    """The page's HTML and its number of queries."""
    client = client or Client()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("events:detail", kwargs={"pk": event.pk}), **headers)
    assert response.status_code == 200
    return response.content.decode(), len(queries)


def cached(event: Event, client: Client | None = None, **headers) -> str:
    """The page twice: the second answer comes from the cache (one query, the fingerprint)
    and is the same page."""
    first, _ = page(event, client, **headers)
    second, queries = page(event, client, **headers)
    assert queries == 1
    assert second == first
    return second


def register(frame, user=None):
    return services.register(frame=frame, user=user or UserFactory())


def test_a_second_visit_is_served_from_the_cache_in_one_query(event, make_frame):
    make_frame(capacity=3)
    html = cached(event)
    assert "0/3" in html


def test_the_counts_follow_registrations_and_cancellations(event, make_frame):
    frame = make_frame(capacity=2)
    assert "0/2" in cached(event)
    first = register(frame)
    assert "1/2" in cached(event)
    register(frame)
    register(frame)
    html = cached(event)
    assert "2/2 (waitlist 1)" in html
    assert "Full: you will be put on the waitlist." in html
    services.cancel_registration(registration=first, by=None)  # the waitlisted one moves up
    html = cached(event)
    assert "2/2" in html and "(waitlist" not in html
    assert "Full: you will be put on the waitlist." in html


def test_register_then_cancel_shows_the_counts_of_before(event, make_frame):
    """The same state again gives the same key, and that page is the page of this state."""
    frame = make_frame(capacity=5)
    register(frame)
    assert "1/5" in cached(event)
    services.cancel_registration(registration=register(frame), by=None)
    assert "1/5" in cached(event)


def test_the_apply_button_follows_the_frame_filling_and_the_event_status(event, make_frame):
    make_frame(capacity=1)
    assert "apply-button" in cached(event)
    Event.objects.filter(pk=event.pk).update(status=EventStatus.CANCELLED)  # no updated_at
    html = cached(event)
    assert "apply-button" not in html
    assert "This event has been cancelled." in html


def test_frame_edits_show(event, make_frame, organizer):
    frame = make_frame(capacity=3, name="General")
    assert "General" in cached(event)
    services.update_frame(frame=frame, by=organizer, capacity=4, name="Everyone")
    html = cached(event)
    assert "Everyone" in html and "0/4" in html


def test_event_edits_show_even_without_save(event, make_frame):
    make_frame()
    assert event.title in cached(event)
    event.title = "Renamed"
    event.save()
    assert "Renamed" in cached(event)
    Event.objects.filter(pk=event.pk).update(description="Now with **pizza**.")
    assert "<strong>pizza</strong>" in cached(event)


def test_talks_timetable_and_materials_show(event, make_frame, organizer):
    make_frame()
    cached(event)
    talk = TalkFactory(event=event, title="Unscheduled talk", speaker=UserFactory())
    assert "Unscheduled talk" in cached(event)
    talk.title = "Retitled talk"
    talk.save()
    assert "Retitled talk" in cached(event)
    TimetableEntryFactory(event=event, title="Pizza break")
    assert "Pizza break" in cached(event)
    MaterialFactory(talk=talk)
    assert "1 link" in cached(event)
    talk.speakers.update(name="x")  # a speaker row changed
    speaker = talk.speakers.get().user
    speaker.display_name = "Ada Speaker"
    speaker.save()
    assert "Ada Speaker" in cached(event)


def test_sponsors_show(event, make_frame):
    make_frame()
    cached(event)
    sponsor = SponsorFactory(event=event, name="Acme")
    assert "Acme" in cached(event)
    sponsor.provides = "drinks and pizza"
    sponsor.save()
    assert "drinks and pizza" in cached(event)


def test_organizer_changes_show(event, make_frame, organizer):
    make_frame()
    cached(event)
    OrganizerFactory(group=event.group, user=UserFactory(display_name="New Organizer"))
    assert "New Organizer" in cached(event)
    organizer.display_name = "Renamed Owner"
    organizer.save()
    assert "Renamed Owner" in cached(event)
    Organizer.objects.filter(user__display_name="New Organizer").delete()
    assert "New Organizer" not in cached(event)


def test_the_people_shown_follow_their_choices_and_names(event, make_frame):
    frame = make_frame(capacity=5)
    person = UserFactory(display_name="Listed Person", show_in_lists=True)
    register(frame, person)
    assert "Listed Person" in cached(event)
    person.display_name = "Renamed Person"
    person.save()
    assert "Renamed Person" in cached(event)
    registration = person.registrations.get()
    registration.listed = False
    registration.save()
    html = cached(event)
    assert "Renamed Person" not in html and "1 person (not shown)" in html


def test_the_recap_shows_when_published(event, make_frame, organizer):
    make_frame()
    Event.objects.filter(pk=event.pk).update(
        starts_at=timezone.now() - timedelta(days=2), ends_at=timezone.now() - timedelta(days=1)
    )
    assert "This event has been held." in cached(event)
    recap = Recap.objects.create(event=event, body="It was **great**.", drafted_by=organizer)
    assert "It was" not in cached(event)  # a draft
    recap.published_at = timezone.now()
    recap.save()
    assert "<strong>great</strong>" in cached(event)
    ExternalRecap.objects.create(event=event, url="https://blog.example/p", title="My post")
    assert "My post" in cached(event)


def test_a_window_opening_and_closing_by_time_alone_shows(event, make_frame):
    opens = timezone.now() + timedelta(days=1)
    make_frame(capacity=3, opens_at=opens, closes_at=opens + timedelta(days=1))
    html = cached(event)
    assert "Not open yet" in html and "apply-button" not in html
    with time_machine.travel(opens + timedelta(minutes=1)):
        html = cached(event)
        assert "window-open" in html and "apply-button" in html
    with time_machine.travel(opens + timedelta(days=2)):
        html = cached(event)
        assert "Closed" in html and "apply-button" not in html
    with time_machine.travel(event.ends_at + timedelta(minutes=1)):
        assert "This event has been held." in cached(event)


def test_each_language_has_its_own_page(event, make_frame):
    make_frame()
    assert "Seats" in cached(event, HTTP_ACCEPT_LANGUAGE="en")
    assert "Seats" not in cached(event, HTTP_ACCEPT_LANGUAGE="ja")
    assert "Seats" in cached(event, HTTP_ACCEPT_LANGUAGE="en")


def test_a_draft_is_never_served_from_the_cache(event, make_frame, organizer):
    make_frame()
    cached(event)
    Event.objects.filter(pk=event.pk).update(status=EventStatus.DRAFT)
    url = reverse("events:detail", kwargs={"pk": event.pk})
    assert Client().get(url).status_code == 404
    organizers = Client()
    organizers.force_login(organizer)
    assert "This is a draft" in organizers.get(url).content.decode()
    assert Client().get(url).status_code == 404  # the organizer's page was not stored
    assert Client().get("/events/999999/").status_code == 404


def test_logged_in_visitors_and_query_strings_get_their_own_page(event, make_frame):
    frame = make_frame()
    cached(event)
    person = UserFactory()
    register(frame, person)
    client = Client()
    client.force_login(person)
    html, queries = page(event, client)
    assert "My registration" in html and queries > 1
    response = Client().get(reverse("events:detail", kwargs={"pk": event.pk}) + "?next=/x/")
    assert "next=/x/" in response.content.decode()


def test_a_visitor_with_messages_waiting_sees_them(event, make_frame):
    make_frame()
    cached(event)
    client = Client()
    url = reverse("events:detail", kwargs={"pk": event.pk})
    session_client = Client()
    session = session_client.session
    session["_messages"] = "[]"
    session.save()
    session_client.cookies["sessionid"] = session.session_key
    _, queries = page(event, session_client)
    assert queries > 2  # rendered for this visitor
    client.cookies["messages"] = "anything"
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    assert len(captured) > 1


def test_an_anonymous_visitor_with_a_session_gets_the_cached_page(event, make_frame):
    make_frame()
    cached(event)
    client = Client()
    session = client.session
    session["seen"] = True
    session.save()
    client.cookies["sessionid"] = session.session_key
    _, queries = page(event, client)
    assert queries == 2  # the session, the fingerprint


def test_the_page_holds_no_csrf_token_and_keeps_the_headers(event, make_frame):
    """The same bytes for every anonymous visitor: the language switch needs no token
    (site/views_language.py), and the answer still has every header."""
    make_frame()
    url = reverse("events:detail", kwargs={"pk": event.pk})
    Client().get(url)  # stored
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    answers = [first.get(url), second.get(url)]
    for answer in answers:
        assert b"csrfmiddlewaretoken" not in answer.content
        assert "frame-ancestors 'none'" in answer["Content-Security-Policy"]
        assert answer["X-Frame-Options"] == "DENY"
        assert "camera=()" in answer["Permissions-Policy"]
        assert "Accept-Language" in answer["Vary"] and "Cookie" in answer["Vary"]
        assert not answer.cookies  # no CSRF cookie, no session
    assert answers[0].content == answers[1].content
    response = first.post(reverse("set_language"), {"language": "en", "next": url})
    assert response.status_code == 302 and response["Location"] == url
    assert first.cookies["django_language"].value == "en"


def test_a_stored_csrf_placeholder_becomes_each_visitors_token(event, make_frame):
    """Should a token ever be rendered into the page, the cache holds a placeholder, each
    answer has the visitor's own token, and the early path leaves such a page to the view."""
    make_frame()
    url = reverse("events:detail", kwargs={"pk": event.pk})
    Client().get(url)  # stored, without a token
    (key,) = [k for k in cache._cache if "event-page:" in k]  # type: ignore[attr-defined]
    content, has_token = cache.get(key.split(":", 2)[2])
    assert has_token is False
    marked = content.replace(b"</main>", event_page_cache.csrf_placeholder().encode() + b"</main>")
    cache.set(key.split(":", 2)[2], (marked, True))
    tokens = []
    for client in (Client(), Client()):
        html, queries = page(event, client)
        assert event_page_cache.csrf_placeholder() not in html
        tokens.append(html[html.rindex("</main>") - 64 : html.rindex("</main>")])
        assert queries == 1  # the view's path, reusing the early path's fingerprint
    assert tokens[0] != tokens[1]


def test_a_registration_while_the_page_is_stored_is_never_hidden(event, make_frame):
    """The waitlist number and the counts are those of the state the key describes: a page
    stored under the old key is not served once the counts change."""
    frame = make_frame(capacity=1)
    register(frame)
    assert "1/1" in cached(event)
    waiting = register(frame)
    assert waiting.status == Status.WAITLISTED
    assert "1/1 (waitlist 1)" in cached(event)


def test_head_is_answered_from_the_cache(event, make_frame):
    make_frame()
    cached(event)
    with CaptureQueriesContext(connection) as queries:
        response = Client().head(reverse("events:detail", kwargs={"pk": event.pk}))
    assert response.status_code == 200 and len(queries) == 1


def test_behind_pgbouncer_the_fingerprint_is_not_prepared(event, make_frame, settings):
    """KAISAI_PGBOUNCER: Django's own cursor (no prepared statement); the page the same."""
    frame = make_frame(capacity=2)
    settings.KAISAI_PGBOUNCER = True
    assert "0/2" in cached(event)
    register(frame)
    assert "1/2" in cached(event)


def test_the_fingerprint_is_planned_once_generically_on_postgresql(event, make_frame):
    """PostgreSQL would plan the prepared fingerprint anew for each event id (a custom plan);
    the connection that prepares it plans it once (event_page_fingerprint._prepared)."""
    if connection.vendor != "postgresql":
        pytest.skip("a prepared statement of PostgreSQL's")
    make_frame()
    cached(event)
    with connection.cursor() as cursor:
        cursor.execute("SHOW plan_cache_mode")
        assert cursor.fetchone() == ("force_generic_plan",)
        cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE generic_plans > 0")
        assert cursor.fetchone()[0] >= 1

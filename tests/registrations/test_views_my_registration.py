"""A participant's own registration: cancel, change frame, participant-only information,
the "my events" page, and the login these pages need."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from kaisai.registrations import services
from kaisai.registrations.enums import Method, Status
from kaisai.registrations.models import Registration
from tests.conftest import login
from tests.factories import EventFactory, OrganizerFactory
from tests.registrations.participant_helpers import _page_queries, event_page, messages_of, url

# --- my registration: cancel and change frame -------------------------------------------------


def test_cancel_promotes_the_waitlisted_person(client, event, make_frame, people):
    frame = make_frame(capacity=1)
    first, second = people(2)
    services.register(frame=frame, user=first)
    waiting = services.register(frame=frame, user=second)
    login(client, first)
    page = client.get(url("mine", event)).content.decode()
    assert url("cancel", event) in page and "<details" in page
    response = client.post(url("cancel", event), follow=True)
    assert Registration.objects.get(user=first).status == Status.CANCELLED
    waiting.refresh_from_db()
    assert waiting.status == Status.ACCEPTED
    html = response.content.decode()
    assert "badge status-cancelled" in html and "Register again" in html
    log = Registration.objects.get(user=first).log.last()
    assert log.reason == "cancelled by the participant" and log.actor == first


def test_cancel_is_post_only(client, event, make_frame, user):
    services.register(frame=make_frame(capacity=1), user=user)
    login(client, user)
    assert client.get(url("cancel", event)).status_code == 405
    assert Registration.objects.get(user=user).status == Status.ACCEPTED


def test_change_frame_moves_and_warns_about_full_frames(client, event, make_frame, people):
    general = make_frame(capacity=5, name="General")
    students = make_frame(capacity=1, name="Students")
    taken, me = people(2)
    services.register(frame=students, user=taken)
    mine = services.register(frame=general, user=me)
    login(client, me)
    page = client.get(url("mine", event)).content.decode()
    assert url("change_frame", event) in page
    assert "Full: you will be put on the waitlist." in page
    response = client.post(url("change_frame", event), {"frame": students.pk}, follow=True)
    mine.refresh_from_db()
    assert (mine.frame_id, mine.status) == (students.pk, Status.WAITLISTED)
    assert any("number 1 on its waitlist" in m for m in messages_of(response))


def test_change_frame_to_another_events_frame_is_404(client, event, group, make_frame, user):
    mine = services.register(frame=make_frame(capacity=5), user=user)
    other = make_frame(capacity=5, target=EventFactory(group=group))
    login(client, user)
    assert client.post(url("change_frame", event), {"frame": other.pk}).status_code == 404
    mine.refresh_from_db()
    assert mine.frame.event_id == event.pk


def test_change_frame_to_closed_frame_says_why(client, event, make_frame, user):
    mine = services.register(frame=make_frame(capacity=5), user=user)
    closed = make_frame(capacity=5, name="Late", closes_at=timezone.now() - timedelta(hours=1))
    login(client, user)
    response = client.post(url("change_frame", event), {"frame": closed.pk}, follow=True)
    assert "Registration has closed." in messages_of(response)
    mine.refresh_from_db()
    assert mine.frame_id != closed.pk


def test_my_registration_without_any_is_404(client, event, make_frame, user):
    make_frame(capacity=5)
    login(client, user)
    assert client.get(url("mine", event)).status_code == 404


def test_my_registration_shows_latest_rejected(client, event, make_frame, user, organizer):
    registration = services.register(frame=make_frame(method=Method.APPROVAL), user=user)
    services.decide_application(registration=registration, by=organizer, accept=False)
    login(client, user)
    html = client.get(url("mine", event)).content.decode()
    assert "badge status-rejected" in html
    assert url("cancel", event) not in html


# --- participant-only information ---------------------------------------------------------


def test_participant_info_only_for_accepted_and_organizers(
    client, event, make_frame, people, organizer
):
    event.participant_info = "Door code **door-4321**"
    event.save()
    frame = make_frame(capacity=1)
    accepted, waitlisted, stranger = people(3)
    services.register(frame=frame, user=accepted)
    services.register(frame=frame, user=waitlisted)
    reception = OrganizerFactory(group=event.group, role="reception").user

    assert "door-4321" not in event_page(client, event)  # anonymous
    for person in (waitlisted, stranger):
        login(client, person)
        assert "door-4321" not in event_page(client, event)
    login(client, waitlisted)
    assert "door-4321" not in client.get(url("mine", event)).content.decode()
    for person in (accepted, organizer, reception):
        login(client, person)
        assert "<strong>door-4321</strong>" in event_page(client, event)
    login(client, accepted)
    assert "<strong>door-4321</strong>" in client.get(url("mine", event)).content.decode()


# --- my events ----------------------------------------------------------------------------


def test_my_events_lists_upcoming_first_then_past(client, group, user, organizer):
    def registered(title, days, **frame_fields):
        start = timezone.now() + timedelta(days=days)
        event = EventFactory(
            group=group, title=title, starts_at=start, ends_at=start + timedelta(hours=2)
        )
        frame = services.create_frame(
            event=event, by=organizer, capacity=5, name=f"{title} frame", **frame_fields
        )
        return services.register(frame=frame, user=user), event

    later, _ = registered("Later meetup", 20)
    sooner, _ = registered("Sooner meetup", 3)
    past_reg, past_event = registered("Sooner meetup", 3)
    past_event.title = "Old meetup"
    past_event.starts_at = timezone.now() - timedelta(days=30)
    past_event.ends_at = past_event.starts_at + timedelta(hours=2)
    past_event.save()
    cancelled, _ = registered("Dropped meetup", 10)
    services.cancel_registration(registration=cancelled, by=user)
    login(client, user)
    html = client.get(reverse("registrations:my_events")).content.decode()
    upcoming, past = html.split('id="past-heading"')
    assert upcoming.index("Sooner meetup") < upcoming.index("Dropped meetup")
    assert upcoming.index("Dropped meetup") < upcoming.index("Later meetup")
    assert "badge status-cancelled" in upcoming
    assert "Old meetup" in past and "Old meetup" not in upcoming
    assert reverse("registrations:my_events") in html  # the header link


def test_my_events_query_count_does_not_grow(client, group, user, organizer, people):
    login(client, user)

    def add(count):
        for _ in range(count):
            event = EventFactory(group=group)
            frame = services.create_frame(event=event, by=organizer, capacity=1, name="G")
            services.register(frame=frame, user=people(1, prefix=f"x{event.pk}-")[0])
            services.register(frame=frame, user=user)  # waitlisted

    add(2)
    few = _page_queries(client, reverse("registrations:my_events"))
    add(10)
    assert _page_queries(client, reverse("registrations:my_events")) == few


# --- login required -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "name,method",
    [("register", "get"), ("mine", "get"), ("cancel", "post"), ("change_frame", "post")],
)
def test_participant_pages_send_anonymous_users_to_login(client, event, make_frame, name, method):
    frame = make_frame(capacity=5)
    target = url(name, event)
    response = getattr(client, method)(target, {"frame": frame.pk})
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))
    assert "next=" in response.url
    assert not Registration.objects.exists()


def test_my_events_sends_anonymous_users_to_login(client):
    response = client.get(reverse("registrations:my_events"))
    assert response.status_code == 302 and response.url.startswith(reverse("account_login"))

"""The event page for logged-in visitors from the shared cache with their own parts rendered
per answer (site/event_page_user.py, core/holes.py): for every kind of visitor the page is
byte for byte the page rendered in full for them, in a few queries whatever the number of
registrations; organizers, drafts and started events are rendered in full."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from kaisai.accounts.models import User
from kaisai.events.enums import EventStatus, VenueKind
from kaisai.events.models import Event
from kaisai.groups.enums import Role
from kaisai.registrations import services
from kaisai.registrations.enums import Status
from kaisai.registrations.models import Frame, Registration
from tests.factories import GroupFactory, OrganizerFactory, UserFactory

HIT_QUERIES = 4  # the session, the user, the fingerprint, the visitor's registration
MISS_QUERIES = 10  # issue 17's bound for any page view
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def url(event: Event) -> str:
    return reverse("events:detail", kwargs={"pk": event.pk})


def get(event: Event, user: User) -> tuple[str, int]:
    """The page for `user` (HTML with the CSRF tokens normalised) and its number of queries."""
    client = Client()
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url(event))
    assert response.status_code == 200
    return TOKEN.sub('name="csrfmiddlewaretoken" value="T"', response.content.decode()), len(
        queries
    )


def full(event: Event, user: User) -> str:
    """The page rendered in full for `user`, as before the shared page."""
    with override_settings(KAISAI_EVENT_PAGE_USER_CACHE=False):
        return get(event, user)[0]


def shared(event: Event, user: User) -> str:
    """The page for `user` from the shared page (stored by someone else's visit first)."""
    get(event, UserFactory())  # stores the shared page (or finds it)
    html, queries = get(event, user)
    assert queries <= HIT_QUERIES, queries
    return html


def assert_same_as_full(event: Event, *users: User) -> None:
    for user in users:
        html = shared(event, user)
        assert html == full(event, user), user.nickname
        assert f">{user.name}</a>" in html  # their own name in the header


def register(frame: Frame, user: User | None = None) -> Registration:
    return services.register(frame=frame, user=user or UserFactory())


def test_people_in_every_state_get_their_own_full_page(event, make_frame):
    general = make_frame(capacity=1, name="General")
    lottery = make_frame(capacity=5, method="lottery", name="Lottery")
    approval = make_frame(capacity=5, method="approval", name="Approval")
    accepted = register(general).user
    waitlisted = register(general).user  # the frame is full now
    applied = register(lottery).user
    awaiting = register(approval).user
    cancelled = register(lottery)
    services.cancel_registration(registration=cancelled, by=None)
    nobody = UserFactory()
    html = shared(event, nobody)
    assert "Full: you will be put on the waitlist." in html
    assert_same_as_full(event, nobody, accepted, waitlisted, applied, awaiting, cancelled.user)
    assert "Waitlisted: number 1" in shared(event, waitlisted)
    assert "Applied for the lottery" in shared(event, applied)
    assert "Awaiting approval" in shared(event, awaiting)
    assert "Your last registration to" in shared(event, cancelled.user)
    assert "You are registered in this frame." in shared(event, accepted)
    assert 'class="card frame mine"' in shared(event, accepted)
    assert "mine" not in shared(event, nobody).split('class="card frame')[1][:10]


def test_a_visitor_never_sees_another_visitors_parts(event, make_frame):
    frame = make_frame(capacity=3)
    first = register(frame).user
    second = UserFactory()
    get(event, first)  # the shared page stored from the first visitor's visit
    html, _ = get(event, second)
    assert first.nickname not in html and first.name not in html
    assert "My registration" not in html
    assert html == full(event, second)


def test_the_information_for_participants_is_for_accepted_people_only(event, make_frame):
    Event.objects.filter(pk=event.pk).update(participant_info="The door code is **4711**.")
    frame = make_frame(capacity=1)
    accepted = register(frame).user
    waitlisted = register(frame).user
    assert "<strong>4711</strong>" in shared(event, accepted)
    assert "4711" not in shared(event, waitlisted)
    assert_same_as_full(event, accepted, waitlisted, UserFactory())


def test_a_closed_window_and_an_online_event_with_an_attendance_code(event, make_frame):
    Event.objects.filter(pk=event.pk).update(venue_kind=VenueKind.ONLINE, attendance_code="KAISAI")
    frame = make_frame(capacity=3)
    accepted = register(frame).user
    Frame.objects.filter(pk=frame.pk).update(closes_at=timezone.now() - timedelta(minutes=1))
    html = shared(event, UserFactory())
    assert "apply-button" not in html and "does not take registrations now" in html
    assert "Check in with the attendance code" in shared(event, accepted)
    assert_same_as_full(event, accepted, UserFactory())


def test_the_page_follows_the_visitors_own_registration_at_once(event, make_frame):
    frame = make_frame(capacity=2)
    visitor = UserFactory()
    assert "apply-button" in shared(event, visitor)
    registration = register(frame, visitor)
    html = shared(event, visitor)
    assert "My registration" in html and "1/2" in html
    services.cancel_registration(registration=registration, by=None)
    html = shared(event, visitor)
    assert "Your last registration to" in html and "0/2" in html
    assert html == full(event, visitor)


def test_an_organizer_of_another_group_is_an_ordinary_visitor(event, make_frame):
    make_frame(capacity=3)
    elsewhere = OrganizerFactory(group=GroupFactory(), role=Role.OWNER).user
    html = shared(event, elsewhere)
    assert reverse("events:edit", kwargs={"pk": event.pk}) not in html
    assert_same_as_full(event, elsewhere)


@pytest.mark.parametrize("role", [Role.OWNER, Role.ORGANIZER, Role.RECEPTION])
def test_the_groups_organizers_get_the_page_rendered_for_them(event, make_frame, role):
    make_frame(capacity=3)
    get(event, UserFactory())  # the shared page is stored
    person = UserFactory()
    OrganizerFactory(group=event.group, user=person, role=role)
    get(event, person)
    html, queries = get(event, person)
    assert queries > HIT_QUERIES  # rendered for them
    assert reverse("checkin:reception", kwargs={"pk": event.pk}) in html
    assert html == full(event, person)


def test_a_draft_is_never_shared(event, make_frame, organizer):
    make_frame(capacity=3)
    Event.objects.filter(pk=event.pk).update(status=EventStatus.DRAFT)
    client = Client()
    client.force_login(UserFactory())
    assert client.get(url(event)).status_code == 404
    html, queries = get(event, organizer)
    assert "This is a draft" in html and queries > HIT_QUERIES
    assert client.get(url(event)).status_code == 404


def test_a_started_event_is_rendered_for_each_visitor(event, make_frame):
    make_frame(capacity=3)
    Event.objects.filter(pk=event.pk).update(starts_at=timezone.now() - timedelta(minutes=5))
    visitor = UserFactory()
    get(event, visitor)
    html, queries = get(event, visitor)
    assert queries > HIT_QUERIES
    assert html == full(event, visitor)


def test_the_queries_do_not_grow_with_the_registrations(event, make_frame):
    """A miss (the shared page rendered and stored by this visitor's request) in at most 10
    queries and a hit in 4, the same with 10 and with 1,000 registrations."""
    frame = make_frame(capacity=5)
    lottery = make_frame(capacity=5, method="lottery", name="Lottery")
    mine = register(frame).user
    counts = []
    for total in (10, 1000):
        have = Registration.objects.filter(event=event).count()
        users = User.objects.bulk_create(
            User(nickname=f"crowd{total}-{i}", email=f"crowd{total}-{i}@example.org")
            for i in range(total - have)
        )
        Registration.objects.bulk_create(
            Registration(event=event, frame=lottery, user=user, status=Status.APPLIED)
            for user in users
        )
        miss_html, miss = get(event, mine)  # a new state: rendered and stored now
        html, hit = get(event, mine)
        assert f"applicants {total - 1} / 5 seats" in html
        assert html == miss_html == full(event, mine)
        counts.append((miss, hit))
    assert counts[0] == counts[1]
    assert counts[0][0] <= MISS_QUERIES and counts[0][1] <= HIT_QUERIES, counts


def test_the_switch_off_renders_in_full(event, make_frame, settings):
    make_frame(capacity=3)
    settings.KAISAI_EVENT_PAGE_USER_CACHE = False
    visitor = UserFactory()
    get(event, visitor)
    assert get(event, visitor)[1] > HIT_QUERIES


def test_the_logout_form_of_a_shared_page_carries_the_visitors_own_token(event, make_frame):
    make_frame(capacity=3)
    visitor = UserFactory()
    get(event, UserFactory())  # the shared page is stored
    client = Client(enforce_csrf_checks=True)
    client.force_login(visitor)
    html = client.get(url(event)).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]*)"', html)
    assert token is not None
    response = client.post(reverse("account_logout"), {"csrfmiddlewaretoken": token.group(1)})
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_a_hole_marker_in_an_events_text_stays_text(event, make_frame):
    from kaisai.core.holes import marker_prefix

    Event.objects.filter(pk=event.pk).update(description=f"Look: {marker_prefix()}0-->")
    make_frame(capacity=3)
    visitor = UserFactory()
    html = shared(event, visitor)
    assert html == full(event, visitor)
    assert html.count(f">{visitor.name}</a>") == 1


@pytest.mark.django_db(transaction=True)
def test_outside_a_tests_transaction_each_answer_reads_in_one_snapshot_and_leaves_none(
    event, make_frame
):
    """With real transactions (not the tests' own): a miss and a hit each read inside one
    transaction, their BEGIN and COMMIT around the fingerprint, the shared render and the
    visitor's registration; afterwards the connection writes again in autocommit."""
    frame = make_frame(capacity=3)
    mine = register(frame).user
    pages = []
    for _ in ("miss", "hit"):
        html, _queries = get(event, mine)
        assert "You are registered in this frame." in html
        assert connection.get_autocommit() and not connection.in_atomic_block
        pages.append(html)
    register(frame)  # a write: the read-only snapshot is over
    html, _queries = get(event, mine)
    assert pages[0] == pages[1] != html == full(event, mine)  # the seat taken is shown

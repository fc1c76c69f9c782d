"""The event page's cost (issue 17): the demo's #5 — a lottery of 200+ applicants, a speakers'
frame, a students' frame, talks on a timetable, a sponsor, an after-party — in at most 10
queries for every kind of visitor, and the same number with 1,000 more registrations."""

from __future__ import annotations

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kaisai.accounts.models import User
from kaisai.events.models import Event
from kaisai.registrations.enums import Method, Status
from kaisai.registrations.models import Frame, Registration
from kaisai.site.demo import generate

MAX_QUERIES = 10
BEFORE_THE_DRAW = datetime(2026, 3, 2, 12, 0, tzinfo=ZoneInfo("Asia/Tokyo"))


@pytest.fixture
def number_five(db):
    with time_machine.travel(BEFORE_THE_DRAW, tick=False):
        generate.load_demo(password="pw-for-tests", today=date(2026, 3, 2))
        yield Event.objects.get(group__slug="mlct", number=5)


def visitors(event: Event) -> dict[str, User | None]:
    """Anonymous, an applicant of the lottery, a student with a seat, someone waitlisted,
    the organizer who created the event."""
    lottery = Frame.objects.get(event=event, method=Method.LOTTERY)
    students = Frame.objects.get(event=event, method=Method.FIRST_COME, requires_talk=False)
    return {
        "anonymous": None,
        "applicant": lottery.registrations.filter(status=Status.APPLIED).first().user,
        "accepted": students.registrations.filter(status=Status.ACCEPTED).first().user,
        "waitlisted": students.registrations.filter(status=Status.WAITLISTED).first().user,
        "organizer": event.created_by,
    }


def page_queries(event: Event, user: User | None, *, miss: bool = False) -> tuple[list[str], str]:
    """The queries of a page view after a first one; `miss`: with the page cache emptied
    (anonymous visitors get the page from it, site/event_page_cache.py)."""
    client = Client()
    if user is not None:
        client.force_login(user)
    url = reverse("events:detail", kwargs={"pk": event.pk})
    client.get(url)  # warm: translations, templates, the session's first write
    if miss:
        cache.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return [query["sql"] for query in queries], response.content.decode()


def add_people(event: Event, count: int, *, prefix: str) -> None:
    """`count` more people: most apply to the lottery, the rest queue for the students' frame
    (full), every one of them listed in the participants list."""
    users = User.objects.bulk_create(
        User(nickname=f"{prefix}{i}", email=f"{prefix}{i}@example.org", show_in_lists=True)
        for i in range(count)
    )
    lottery = Frame.objects.get(event=event, method=Method.LOTTERY)
    students = Frame.objects.get(event=event, method=Method.FIRST_COME, requires_talk=False)
    key = 10**9
    rows = []
    for index, user in enumerate(users):
        if index % 10:
            rows.append(Registration(event=event, frame=lottery, user=user, status=Status.APPLIED))
        else:
            key += 1
            rows.append(
                Registration(
                    event=event,
                    frame=students,
                    user=user,
                    status=Status.WAITLISTED,
                    waitlist_key=key,
                )
            )
    Registration.objects.bulk_create(rows)


def fill_students_frame(event: Event) -> None:
    """The students' frame full, with one person waitlisted (so that a waitlist position is
    shown)."""
    students = Frame.objects.get(event=event, method=Method.FIRST_COME, requires_talk=False)
    free = students.capacity - students.registrations.filter(status=Status.ACCEPTED).count()
    add_accepted = User.objects.bulk_create(
        User(nickname=f"student{i}", email=f"student{i}@example.org") for i in range(free + 1)
    )
    Registration.objects.bulk_create(
        Registration(event=event, frame=students, user=user, status=Status.ACCEPTED)
        for user in add_accepted[:free]
    )
    Registration.objects.create(
        event=event, frame=students, user=add_accepted[-1], status=Status.WAITLISTED, waitlist_key=1
    )
    Frame.objects.filter(pk=students.pk).update(accepted_count=students.capacity)


def test_every_visitor_gets_the_page_in_at_most_ten_queries_whatever_the_registrations(
    number_five,
):
    event = number_five
    with time_machine.travel(BEFORE_THE_DRAW, tick=False):
        fill_students_frame(event)
        people = visitors(event)
        before = {}
        for who, user in people.items():
            count = len(page_queries(event, user)[0])
            assert count <= MAX_QUERIES, (who, count)
            before[who] = count
        before["anonymous, cache miss"] = len(page_queries(event, None, miss=True)[0])
        assert before["anonymous, cache miss"] <= MAX_QUERIES
        assert before["anonymous"] == 1  # the page's fingerprint; the page from the cache
        assert "Waitlisted: number 1" in page_queries(event, people["waitlisted"])[1]
        assert before["anonymous, cache miss"] < before["organizer"]  # the session, the user

        add_people(event, 1000, prefix="crowd")
        after = {who: len(page_queries(event, user)[0]) for who, user in people.items()}
        after["anonymous, cache miss"] = len(page_queries(event, None, miss=True)[0])
        assert after == before
        html = page_queries(event, None)[1]
        # The counts are current: 214 + 900 applicants of the lottery now.
        assert "1114" in html


def logged_in_miss_and_hit(event: Event, user: User) -> tuple[int, int]:
    """The queries of a logged-in visitor's page view when nobody's request has stored the
    page yet (a miss: this request renders the shared page) and of the next one (a hit)."""
    client = Client()
    client.force_login(user)
    url = reverse("events:detail", kwargs={"pk": event.pk})
    client.get(url)  # warm: translations, templates, the session's first write
    cache.clear()
    counts = []
    for _ in range(2):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        counts.append(len(queries))
    return counts[0], counts[1]


def test_a_logged_in_visitor_gets_the_page_in_ten_queries_on_a_miss_and_four_on_a_hit(
    number_five,
):
    """The shared page for logged-in visitors (site/event_page_user.py): a miss reads the
    session, the user, the fingerprint, the page's own queries and the visitor's
    registration once; a hit the session, the user, the fingerprint and the registration.
    The same with 1,000 more registrations."""
    event = number_five
    with time_machine.travel(BEFORE_THE_DRAW, tick=False):
        fill_students_frame(event)
        people = {who: user for who, user in visitors(event).items() if who != "organizer"}
        del people["anonymous"]
        before = {who: logged_in_miss_and_hit(event, user) for who, user in people.items()}
        for who, (miss, hit) in before.items():
            assert miss <= MAX_QUERIES and hit <= 4, (who, miss, hit)
        add_people(event, 1000, prefix="crowd")
        after = {who: logged_in_miss_and_hit(event, user) for who, user in people.items()}
        assert after == before


def test_the_participants_summary_loads_only_the_people_it_shows(number_five):
    """60 accepted people who chose to appear: the page names the first 24 (one query with
    LIMIT 24) and counts the others."""
    event = number_five
    with time_machine.travel(BEFORE_THE_DRAW, tick=False):
        lottery = Frame.objects.get(event=event, method=Method.LOTTERY)
        shown = User.objects.bulk_create(
            User(nickname=f"shown{i}", email=f"shown{i}@example.org", show_in_lists=True)
            for i in range(60)
        )
        Registration.objects.bulk_create(
            Registration(event=event, frame=lottery, user=user, status=Status.ACCEPTED)
            for user in shown
        )
        accepted = Registration.objects.filter(event=event, status=Status.ACCEPTED).count()
        queries, html = page_queries(event, None, miss=True)
        rows = [
            sql for sql in queries if (sql or "").startswith('SELECT "registrations_registration"')
        ]
        assert len(rows) == 1
        assert rows[0].endswith("LIMIT 24")
        assert html.count('class="person-name"') == 24
        assert f"and {accepted - 24} others" in html
        names = re.findall(r'<span class="person-name">([^<]*)</span>', html)
        assert names == [f"shown{i}" for i in range(24)]  # the lottery frame first, in order

"""Organizer pages that read registrations: the registrations list and the audit log."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kaisai.registrations import services
from kaisai.registrations.enums import Method
from kaisai.registrations.models import RegistrationLog
from tests.conftest import login
from tests.factories import UserFactory
from tests.registrations.manage_helpers import list_url

# --- the list -----------------------------------------------------------------------------


@pytest.fixture
def crowd(event, organizer, make_frame, people):
    """General (first come, 2 seats): 2 accepted, 2 waitlisted. Talks (approval): 1 applied,
    1 rejected."""
    general = make_frame(capacity=2)
    talks = make_frame(capacity=5, method=Method.APPROVAL, name="Talks")
    regs = [services.register(frame=general, user=p) for p in people(4, "gen")]
    applied, rejected = (services.register(frame=talks, user=p) for p in people(2, "talk"))
    services.decide_application(registration=rejected, by=organizer, accept=False)
    return general, talks, regs, applied


def test_list_shows_counts_and_waitlist_positions(client, organizer, event, crowd):
    general, _talks, regs, _applied = crowd
    login(client, organizer)
    response = client.get(list_url(event))
    assert response.status_code == 200
    counts = {value: number for value, _label, number in response.context["counts"]}
    assert counts == {"applied": 1, "accepted": 2, "waitlisted": 2, "rejected": 1, "cancelled": 0}
    assert response.context["total"] == 6
    positions = {r.pk: r.position for r in response.context["page"]}
    assert positions[regs[2].pk] == 1
    assert positions[regs[3].pk] == 2
    assert positions[regs[0].pk] is None


def test_list_filters_by_status_and_frame(client, organizer, event, crowd):
    general, talks, regs, applied = crowd
    login(client, organizer)
    waitlisted = client.get(list_url(event, status="waitlisted")).context["page"]
    assert [r.pk for r in waitlisted] == [regs[2].pk, regs[3].pk]
    in_talks = client.get(list_url(event, frame=talks.pk)).context["page"]
    assert {r.frame_id for r in in_talks} == {talks.pk}
    assert len(in_talks) == 2
    both = client.get(list_url(event, frame=talks.pk, status="applied")).context["page"]
    assert [r.pk for r in both] == [applied.pk]


def test_list_unknown_status_is_ignored(client, organizer, event, crowd):
    login(client, organizer)
    response = client.get(list_url(event, status="bogus"))
    assert response.status_code == 200
    assert len(response.context["page"]) == 6


def test_list_frame_of_another_event_404(client, organizer, event, crowd, other):
    login(client, organizer)
    assert client.get(list_url(event, frame=other.frame.pk)).status_code == 404
    assert client.get(list_url(event, frame="abc")).status_code == 404


def test_list_search_by_nickname_name_and_email(client, organizer, event, make_frame):
    frame = make_frame(capacity=10)
    hanako = UserFactory(nickname="hanako", display_name="山田花子", email="h.yamada@example.jp")
    taro = UserFactory(nickname="taro", display_name="Taro Sato", email="taro@example.com")
    for person in (hanako, taro):
        services.register(frame=frame, user=person)
    login(client, organizer)

    def found(term):
        return [r.user.nickname for r in client.get(list_url(event, q=term)).context["page"]]

    assert found("HANAKO") == ["hanako"]
    assert found("花子") == ["hanako"]
    assert found("example.com") == ["taro"]
    assert found("nobody") == []
    assert "No registrations match." in client.get(list_url(event, q="nobody")).content.decode()


def test_list_paginates_by_100(client, organizer, event, make_frame, people):
    frame = make_frame(capacity=200)
    for person in people(101):
        services.register(frame=frame, user=person)
    login(client, organizer)
    first = client.get(list_url(event))
    assert len(first.context["page"]) == 100
    assert first.context["page"].paginator.num_pages == 2
    second = client.get(list_url(event, page=2, status="accepted"))
    assert len(second.context["page"]) == 1
    assert 'href="?page=1&amp;status=accepted"' in second.content.decode()


def test_list_query_count_does_not_grow_with_rows(client, organizer, event, make_frame, people):
    general = make_frame(capacity=1)
    talks = make_frame(capacity=5, method=Method.APPROVAL, name="Talks")
    login(client, organizer)

    def count_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(list_url(event)).status_code == 200
        return len(queries)

    for person in people(2, "a"):
        services.register(frame=general, user=person)
    few = count_queries()
    for index, person in enumerate(people(10, "b")):
        services.register(frame=general if index % 2 else talks, user=person)
    assert count_queries() == few


# --- the audit log ------------------------------------------------------------------------


def log_url(event, **params) -> str:
    url = reverse("registrations:audit_log", kwargs={"pk": event.pk})
    return url + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


def test_audit_log_lists_event_entries_newest_first(client, organizer, world, other):
    services.cancel_registration(
        registration=world.registration, by=organizer, reason="duplicate account"
    )
    login(client, organizer)
    response = client.get(log_url(world.event))
    entries = list(response.context["page"])
    assert [(e.from_status, e.to_status) for e in entries] == [
        ("accepted", "cancelled"),
        ("", "accepted"),
    ]
    assert {e.registration.event_id for e in entries} == {world.event.pk}
    body = response.content.decode()
    assert "duplicate account" in body and "Accepted → Cancelled" in body


def test_audit_log_paginates(client, organizer, event, make_frame, people, monkeypatch):
    from kaisai.registrations import views_organizer

    monkeypatch.setattr(views_organizer, "LOG_PER_PAGE", 3)
    frame = make_frame(capacity=10)
    for person in people(4):
        services.register(frame=frame, user=person)
    login(client, organizer)
    assert len(client.get(log_url(event)).context["page"]) == 3
    assert len(client.get(log_url(event, page=2)).context["page"]) == 1


def test_audit_log_query_count_does_not_grow_with_rows(
    client, organizer, event, make_frame, people
):
    frame = make_frame(capacity=3)
    login(client, organizer)

    def count_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(log_url(event)).status_code == 200
        return len(queries)

    for person in people(2, "a"):
        services.register(frame=frame, user=person)
    few = count_queries()
    registrations = [services.register(frame=frame, user=p) for p in people(6, "b")]
    for registration in registrations[:4]:
        services.cancel_registration(registration=registration, by=organizer, reason="x")
    assert RegistrationLog.objects.count() > 12
    assert count_queries() == few

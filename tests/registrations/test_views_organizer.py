"""Organizer pages: who may open them, the registrations list, a registration with its
actions, and the audit log."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kaisai.groups.enums import Role
from kaisai.registrations import services
from kaisai.registrations.enums import Method, Status
from kaisai.registrations.models import Registration, RegistrationLog
from tests.conftest import login
from tests.factories import EventFactory, OrganizerFactory, UserFactory
from tests.registrations.manage_helpers import (
    ORGANIZER_URLS,
    RECEPTION_READABLE,
    build_world,
    messages_of,
    post_data_for,
    request,
    snapshot,
    url_of,
)


@pytest.fixture
def world(event, organizer, make_frame, people):
    return build_world(event=event, organizer=organizer, make_frame=make_frame, people=people)


@pytest.fixture
def other(group, organizer, make_frame, people):
    """Another event of the same group: the organizer may manage it, but its ids must not
    work through the first event's URLs."""
    return build_world(
        event=EventFactory(group=group),
        organizer=organizer,
        make_frame=make_frame,
        people=people,
        prefix="other",
    )


def list_url(event, **params) -> str:
    url = reverse("registrations:registrations", kwargs={"pk": event.pk})
    if params:
        url += "?" + "&".join(f"{key}={value}" for key, value in params.items())
    return url


def action_url(registration) -> str:
    return reverse(
        "registrations:registration_action",
        kwargs={"pk": registration.event_id, "registration_id": registration.pk},
    )


def detail_url(registration) -> str:
    return reverse(
        "registrations:registration_detail",
        kwargs={"pk": registration.event_id, "registration_id": registration.pk},
    )


# --- who may ------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "method"), ORGANIZER_URLS)
def test_organizer_url_anonymous_redirected_to_login(client, world, name, method):
    before = snapshot()
    response = request(client, method, url_of(name, world), post_data_for(name, world))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert snapshot() == before


@pytest.mark.parametrize(("name", "method"), ORGANIZER_URLS)
def test_organizer_url_outsider_forbidden(client, world, outsider, name, method):
    login(client, outsider)
    before = snapshot()
    response = request(client, method, url_of(name, world), post_data_for(name, world))
    assert response.status_code == 403
    assert snapshot() == before


@pytest.mark.parametrize(("name", "method"), ORGANIZER_URLS)
def test_organizer_url_participant_forbidden(client, world, name, method):
    login(client, world.participant)
    before = snapshot()
    response = request(client, method, url_of(name, world), post_data_for(name, world))
    assert response.status_code == 403
    assert snapshot() == before


@pytest.mark.parametrize(("name", "method"), ORGANIZER_URLS)
def test_organizer_url_reception_reads_list_only(client, world, group, name, method):
    login(client, OrganizerFactory(group=group, role=Role.RECEPTION).user)
    before = snapshot()
    response = request(client, method, url_of(name, world), post_data_for(name, world))
    assert response.status_code == (200 if (name, method) in RECEPTION_READABLE else 403)
    assert snapshot() == before


@pytest.mark.parametrize(("name", "method"), ORGANIZER_URLS)
def test_organizer_url_co_organizer_allowed(client, world, group, name, method):
    login(client, OrganizerFactory(group=group, role=Role.ORGANIZER).user)
    response = request(client, method, url_of(name, world), post_data_for(name, world))
    assert response.status_code in (200, 302)


@pytest.mark.parametrize(("name", "method"), ORGANIZER_URLS)
def test_organizer_url_unknown_event_404(client, world, organizer, name, method):
    login(client, organizer)
    url = url_of(name, world).replace(f"/events/{world.event.pk}/", "/events/999999/", 1)
    assert request(client, method, url, post_data_for(name, world)).status_code == 404


@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("frame_edit", "get"),
        ("frame_edit", "post"),
        ("question_delete", "post"),
        ("registration_detail", "get"),
        ("registration_action", "post"),
    ],
)
def test_organizer_url_ids_of_another_event_404(client, world, other, organizer, name, method):
    """The event's URL with the other event's frame, question or registration id."""
    login(client, organizer)
    mixed = type(world)(**{**vars(other), "event": world.event})
    before = snapshot()
    response = request(client, method, url_of(name, mixed), post_data_for(name, mixed))
    assert response.status_code == 404
    assert snapshot() == before


def test_reception_sees_no_actions_nor_email(client, world, group):
    login(client, OrganizerFactory(group=group, role=Role.RECEPTION).user)
    response = client.get(detail_url(world.registration))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'name="action"' not in body
    assert world.participant.email not in body
    assert "To learn" in body
    listing = client.get(list_url(world.event)).content.decode()
    assert reverse("registrations:csv", kwargs={"pk": world.event.pk}) not in listing


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


# --- one registration and its actions -----------------------------------------------------


def test_detail_shows_person_answers_and_log(client, organizer, world):
    login(client, organizer)
    services.move_registration(
        registration=world.registration, to_frame=world.spare, by=organizer, reason="asked to"
    )
    response = client.get(detail_url(world.registration))
    body = response.content.decode()
    assert response.status_code == 200
    assert world.participant.email in body
    assert "Why do you come?" in body and "To learn" in body
    log = response.context["log"]
    assert [(e.from_status, e.to_status) for e in log] == [
        ("", "accepted"),
        ("accepted", "accepted"),
    ]
    assert log[1].actor == organizer and log[1].reason == "asked to"
    assert "asked to" in body
    assert 'value="move"' in body and 'value="cancel"' in body
    assert 'value="accept"' not in body  # already accepted


def test_action_accept_and_reject_in_approval_frame(client, organizer, make_frame, people):
    frame = make_frame(capacity=2, method=Method.APPROVAL)
    a, b = (services.register(frame=frame, user=p) for p in people(2))
    login(client, organizer)
    response = client.post(action_url(a), {"action": "accept", "reason": "speaker"})
    assert response.status_code == 302
    assert response["Location"] == detail_url(a)
    assert Registration.objects.get(pk=a.pk).status == Status.ACCEPTED
    assert messages_of(response)[0][0] == "success"
    entry = RegistrationLog.objects.filter(registration=a).latest("id")
    assert (entry.to_status, entry.actor, entry.reason) == ("accepted", organizer, "speaker")

    client.post(action_url(b), {"action": "reject", "reason": "spam"})
    assert Registration.objects.get(pk=b.pk).status == Status.REJECTED
    assert RegistrationLog.objects.filter(registration=b).latest("id").reason == "spam"


def test_action_accept_into_full_frame_shows_error_and_changes_nothing(
    client, organizer, make_frame, people
):
    frame = make_frame(capacity=1, method=Method.APPROVAL)
    a, b = (services.register(frame=frame, user=p) for p in people(2))
    services.decide_application(registration=a, by=organizer, accept=True)
    login(client, organizer)
    before = snapshot()
    response = client.post(action_url(b), {"action": "accept"}, follow=True)
    assert snapshot() == before
    assert Registration.objects.get(pk=b.pk).status == Status.APPLIED
    error = [m for m in response.context["messages"] if m.level_tag == "error"]
    assert len(error) == 1 and "The frame is full" in str(error[0])
    assert "The frame is full" in response.content.decode()


@pytest.mark.parametrize("action", ["reject", "cancel"])
def test_action_without_required_reason_changes_nothing(client, organizer, world, action):
    login(client, organizer)
    before = snapshot()
    response = client.post(action_url(world.registration), {"action": action, "reason": "  "})
    assert response.status_code == 302
    assert snapshot() == before
    assert messages_of(response)[0][0] == "error"


def test_action_unknown_changes_nothing(client, organizer, world):
    login(client, organizer)
    before = snapshot()
    response = client.post(action_url(world.registration), {"action": "delete"})
    assert response.status_code == 302
    assert snapshot() == before
    assert messages_of(response)[0][0] == "error"


def test_action_get_not_allowed(client, organizer, world):
    login(client, organizer)
    assert client.get(action_url(world.registration)).status_code == 405


def test_action_nominate_waitlisted_when_full_shows_error(client, organizer, make_frame, people):
    frame = make_frame(capacity=1)
    _a, b = (services.register(frame=frame, user=p) for p in people(2))
    login(client, organizer)
    before = snapshot()
    response = client.post(action_url(b), {"action": "nominate"})
    assert snapshot() == before
    assert messages_of(response) == [
        ("error", "The frame is full. Raise its capacity or cancel someone first.")
    ]


def test_action_nominate_with_free_seat_accepts(client, organizer, make_frame, people):
    frame = make_frame(capacity=2, method=Method.APPROVAL)
    registration = services.register(frame=frame, user=people(1)[0])
    login(client, organizer)
    response = client.post(action_url(registration), {"action": "nominate"})
    registration.refresh_from_db()
    assert (registration.status, registration.nominated) == (Status.ACCEPTED, True)
    assert messages_of(response)[0][0] == "success"


def test_action_nominate_before_draw_keeps_applicant_nominated(
    client, organizer, make_frame, people
):
    frame = make_frame(capacity=1, method=Method.LOTTERY)
    registration = services.register(frame=frame, user=people(1)[0])
    login(client, organizer)
    response = client.post(action_url(registration), {"action": "nominate", "reason": "speaker"})
    registration.refresh_from_db()
    assert (registration.status, registration.nominated) == (Status.APPLIED, True)
    assert messages_of(response)[0][0] == "success"


def test_action_move_to_other_frame_promotes_old_waitlist(client, organizer, make_frame, people):
    general, lt = make_frame(capacity=1), make_frame(capacity=1, name="LT")
    a, b = (services.register(frame=general, user=p) for p in people(2))
    login(client, organizer)
    client.post(action_url(a), {"action": "move", "to_frame": lt.pk, "reason": "gives a talk"})
    a.refresh_from_db()
    assert (a.frame_id, a.status) == (lt.pk, Status.ACCEPTED)
    assert Registration.objects.get(pk=b.pk).status == Status.ACCEPTED


def test_action_move_to_frame_of_another_event_404(client, organizer, world, other):
    login(client, organizer)
    before = snapshot()
    response = client.post(
        action_url(world.registration), {"action": "move", "to_frame": other.frame.pk}
    )
    assert response.status_code == 404
    assert snapshot() == before


def test_action_move_without_frame_changes_nothing(client, organizer, world):
    login(client, organizer)
    before = snapshot()
    response = client.post(action_url(world.registration), {"action": "move"})
    assert snapshot() == before
    assert messages_of(response)[0][0] == "error"


def test_action_cancel_frees_seat_for_waitlist(client, organizer, make_frame, people):
    frame = make_frame(capacity=1)
    a, b = (services.register(frame=frame, user=p) for p in people(2))
    login(client, organizer)
    response = client.post(action_url(a), {"action": "cancel", "reason": "asked by e-mail"})
    assert messages_of(response)[0][0] == "success"
    assert Registration.objects.get(pk=a.pk).status == Status.CANCELLED
    assert Registration.objects.get(pk=b.pk).status == Status.ACCEPTED
    entry = RegistrationLog.objects.filter(registration=a).latest("id")
    assert (entry.actor, entry.reason) == (organizer, "asked by e-mail")
    # Cancelling again is refused, and leaves no second log row.
    before = snapshot()
    again = client.post(action_url(a), {"action": "cancel", "reason": "twice"})
    assert messages_of(again)[-1][0] == "error"
    assert snapshot() == before


def test_action_on_cancelled_registration_offers_nothing(client, organizer, world):
    services.cancel_registration(registration=world.registration, by=world.participant)
    login(client, organizer)
    body = client.get(detail_url(world.registration)).content.decode()
    assert 'name="action"' not in body


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


# --- links from the event page ------------------------------------------------------------


def test_event_page_links_organizers_to_the_registration_pages(client, world, organizer, group):
    urls = [url_of(name, world) for name in ("frames", "questions", "registrations")]
    login(client, organizer)
    body = client.get(world.event.get_absolute_url()).content.decode()
    assert all(url in body for url in urls)
    login(client, OrganizerFactory(group=group, role=Role.RECEPTION).user)
    body = client.get(world.event.get_absolute_url()).content.decode()
    assert [url in body for url in urls] == [False, False, True]
    login(client, world.participant)
    body = client.get(world.event.get_absolute_url()).content.decode()
    assert not any(url in body for url in urls)


def test_organizer_note_is_saved_and_shown_to_the_reception(client, organizer, outsider):
    from django.urls import reverse

    from kaisai.checkin.tickets import issue_ticket
    from kaisai.registrations import services as regs
    from tests.factories import EventFactory, GroupFactory, UserFactory

    event = EventFactory(group=GroupFactory(owner=organizer))
    frame = regs.create_frame(event=event, by=organizer, capacity=2, name="G")
    registration = regs.register(frame=frame, user=UserFactory())
    url = reverse("registrations:registration_note",
                  kwargs={"pk": event.pk, "registration_id": registration.pk})  # fmt: skip
    client.force_login(outsider)
    assert client.post(url, {"note": "x"}).status_code == 403
    client.force_login(organizer)
    client.post(url, {"note": "  Speaker: give a badge  "})
    registration.refresh_from_db()
    assert registration.organizer_note == "Speaker: give a badge"
    ticket = issue_ticket(registration)
    scan = client.post(reverse("checkin:scan", kwargs={"pk": event.pk}),
                       {"token": ticket.token, "nonce": "n"},
                       content_type="application/json")  # fmt: skip
    assert scan.json()["person"]["notes"] == "Speaker: give a badge"

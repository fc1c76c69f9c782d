from __future__ import annotations

import pytest

from kaisai.registrations import services
from kaisai.registrations.enums import QuestionKind
from kaisai.registrations.models import Question, Registration
from tests.factories import EventFactory, UserFactory


@pytest.fixture
def event(group):
    return EventFactory(group=group)


@pytest.fixture
def frame(event, organizer):
    return services.create_frame(event=event, by=organizer, capacity=1, name="General")


def test_openapi_document_has_the_operations(client):
    doc = client.get("/api/v1/openapi.json").json()
    operations = {op["operationId"] for path in doc["paths"].values() for op in path.values()}
    assert {"list_events", "get_event", "register", "get_my_registration",
            "cancel_registration", "list_registrations"} <= operations  # fmt: skip


def test_list_and_get_event_are_public_with_frame_counts(api_as, event, frame, user):
    services.register(frame=frame, user=user)
    services.register(frame=frame, user=UserFactory())
    listed = api_as().get("/api/v1/events/")
    assert listed.status_code == 200 and [e["id"] for e in listed.json()] == [event.pk]
    body = api_as().get(f"/api/v1/events/{event.pk}/").json()
    assert body["frames"][0] | {} == body["frames"][0]
    assert (body["frames"][0]["capacity"], body["frames"][0]["accepted"],
            body["frames"][0]["waitlisted"]) == (1, 1, 1)  # fmt: skip


def test_draft_event_is_404(api_as, group):
    draft = EventFactory(group=group, status="draft")
    response = api_as().get(f"/api/v1/events/{draft.pk}/")
    assert response.status_code == 404 and response.json()["reason"] == "not_found"


def test_register_needs_a_token(api_as, frame):
    response = api_as().post("/api/v1/registrations/", {"frame_id": frame.pk})
    assert response.status_code == 401
    assert response.json()["reason"] == "unauthorized"
    bad = api_as(None)
    bad.headers = {"Authorization": "Bearer ks_not-a-token"}
    assert bad.post("/api/v1/registrations/", {"frame_id": frame.pk}).status_code == 401


def test_register_then_repeat_answers_with_the_same_registration(api_as, frame, user):
    api = api_as(user)
    first = api.post("/api/v1/registrations/", {"frame_id": frame.pk})
    assert first.status_code == 201 and first.json()["status"] == "accepted"
    again = api.post("/api/v1/registrations/", {"frame_id": frame.pk})
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    assert Registration.objects.filter(user=user).count() == 1


def test_register_waitlist_position_and_cancel_promotes(api_as, frame, event):
    alice, bob = UserFactory(), UserFactory()
    api_alice, api_bob = api_as(alice), api_as(bob)
    api_alice.post("/api/v1/registrations/", {"frame_id": frame.pk})
    waiting = api_bob.post("/api/v1/registrations/", {"frame_id": frame.pk}).json()
    assert (waiting["status"], waiting["waitlist_position"]) == ("waitlisted", 1)
    cancelled = api_alice.delete(f"/api/v1/events/{event.pk}/registration/")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    mine = api_bob.get(f"/api/v1/events/{event.pk}/registration/").json()
    assert mine["status"] == "accepted"
    assert api_alice.get(f"/api/v1/events/{event.pk}/registration/").status_code == 404


def test_register_bad_input_is_422_and_saves_nothing(api_as, frame, event, user):
    Question.objects.create(event=event, label="Job", kind=QuestionKind.SINGLE,
                            choices="Engineer\nStudent", required=True)  # fmt: skip
    api = api_as(user)
    missing = api.post("/api/v1/registrations/", {"frame_id": frame.pk})
    assert missing.status_code == 422 and missing.json()["reason"] == "invalid_answers"
    wrong_type = api.post("/api/v1/registrations/", {"frame_id": "abc"})
    assert wrong_type.status_code == 422
    unknown = api.post("/api/v1/registrations/", {"frame_id": 999999})
    assert unknown.status_code == 404
    assert not Registration.objects.exists()
    qid = Question.objects.get().pk
    ok = api.post(
        "/api/v1/registrations/", {"frame_id": frame.pk, "answers": {str(qid): "Student"}}
    )
    assert ok.status_code == 201


def test_register_to_closed_frame_is_409(api_as, event, organizer, user):
    from datetime import timedelta

    from django.utils import timezone

    closed = services.create_frame(event=event, by=organizer, capacity=5, name="Closed",
                                   closes_at=timezone.now() - timedelta(hours=1))  # fmt: skip
    response = api_as(user).post("/api/v1/registrations/", {"frame_id": closed.pk})
    assert response.status_code == 409 and response.json()["reason"] == "closed"


def test_list_registrations_for_organizers_only(api_as, frame, event, organizer, outsider, user):
    services.register(frame=frame, user=user)
    for other in UserFactory.create_batch(3):
        services.register(frame=frame, user=other)
    listed = api_as(organizer).get(f"/api/v1/events/{event.pk}/registrations/")
    assert listed.status_code == 200
    assert [r["waitlist_position"] for r in listed.json()] == [None, 1, 2, 3]
    assert api_as(outsider).get(f"/api/v1/events/{event.pk}/registrations/").status_code == 403
    assert api_as(user).get(f"/api/v1/events/{event.pk}/registrations/").status_code == 403
    assert api_as().get(f"/api/v1/events/{event.pk}/registrations/").status_code == 401


def test_list_registrations_query_count_does_not_grow(
    api_as, frame, event, organizer, django_assert_max_num_queries
):
    api = api_as(organizer)
    for other in UserFactory.create_batch(2):
        services.register(frame=frame, user=other)
    with django_assert_max_num_queries(8) as small:
        api.get(f"/api/v1/events/{event.pk}/registrations/")
    for other in UserFactory.create_batch(15):
        services.register(frame=frame, user=other)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert len(api.get(f"/api/v1/events/{event.pk}/registrations/").json()) == 17


def test_list_events_query_count_does_not_grow(api_as, group, django_assert_max_num_queries):
    EventFactory.create_batch(2, group=group)
    with django_assert_max_num_queries(5) as small:
        api_as().get("/api/v1/events/")
    EventFactory.create_batch(12, group=group)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert len(api_as().get("/api/v1/events/").json()) == 14


def test_speakers_frame_needs_a_talk_and_creates_it(api_as, event, organizer, user):
    from kaisai.talks.models import Talk

    lt = services.create_frame(
        event=event, by=organizer, capacity=5, name="LT", method="approval", requires_talk=True
    )
    api = api_as(user)
    missing = api.post("/api/v1/registrations/", {"frame_id": lt.pk})
    assert missing.status_code == 422 and missing.json()["reason"] == "talk_required"
    assert not Registration.objects.filter(user=user).exists()
    payload = {"frame_id": lt.pk, "talk": {"title": "Tiny transformers", "abstract": "5 min"}}
    created = api.post("/api/v1/registrations/", payload)
    assert created.status_code == 201 and created.json()["status"] == "applied"
    talk = Talk.objects.get(registration_id=created.json()["id"])
    assert (talk.title, talk.kind, talk.state) == ("Tiny transformers", "lt", "proposed")
    assert [s.user for s in talk.speakers.all()] == [user]

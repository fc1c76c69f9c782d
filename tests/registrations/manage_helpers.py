"""Shared set-up for the organizer page tests (imported by the test modules)."""

from __future__ import annotations

from types import SimpleNamespace

from django.contrib.messages import get_messages
from django.urls import reverse

from kaisai.registrations import services
from kaisai.registrations.models import Answer, Frame, Question, Registration, RegistrationLog
from kaisai.registrations.services.questions import create_question


def frame_data(**overrides) -> dict:
    data = {
        "name": "General",
        "description": "",
        "capacity": "100",
        "method": "first_come",
        "lottery_at": "",
        "opens_at": "",
        "closes_at": "",
        "promotion_cutoff": "",
        "fee": "0",
        "order": "0",
    }
    data.update({key: str(value) for key, value in overrides.items()})
    return data


def question_data(**overrides) -> dict:
    data = {"label": "What do you work on?", "kind": "text", "choices": "", "order": "0"}
    data.update({key: str(value) for key, value in overrides.items()})
    return data


def build_world(*, event, organizer, make_frame, people, prefix="p") -> SimpleNamespace:
    """An event with two frames, a question and one registration with an answer."""
    frame = make_frame(capacity=2, target=event)
    spare = make_frame(capacity=2, target=event, name="LT")
    question = create_question(event=event, by=organizer, label="Why do you come?")
    participant = people(1, prefix)[0]
    registration = services.register(
        frame=frame, user=participant, answers={question.pk: "To learn"}
    )
    return SimpleNamespace(
        event=event,
        frame=frame,
        spare=spare,
        question=question,
        participant=participant,
        registration=registration,
    )


# (url name, HTTP method) for every organizer URL of an event.
ORGANIZER_URLS = [
    ("frames", "get"),
    ("frames", "post"),
    ("frame_edit", "get"),
    ("frame_edit", "post"),
    ("questions", "get"),
    ("questions", "post"),
    ("question_delete", "post"),
    ("registrations", "get"),
    ("registration_detail", "get"),
    ("registration_action", "post"),
    ("csv", "get"),
    ("audit_log", "get"),
]
# What reception staff may open (read-only).
RECEPTION_READABLE = {("registrations", "get"), ("registration_detail", "get")}


def url_of(name: str, world: SimpleNamespace) -> str:
    kwargs: dict = {"pk": world.event.pk}
    if name == "frame_edit":
        kwargs["frame_id"] = world.frame.pk
    elif name == "question_delete":
        kwargs["question_id"] = world.question.pk
    elif name in ("registration_detail", "registration_action"):
        kwargs["registration_id"] = world.registration.pk
    return reverse(f"registrations:{name}", kwargs=kwargs)


def post_data_for(name: str, world: SimpleNamespace) -> dict:
    """Valid input: if the permission check were missing, it would change something."""
    return {
        "frames": frame_data(name="Sneaky"),
        "frame_edit": frame_data(name="Sneaky", capacity=50),
        "questions": question_data(label="Sneaky"),
        "question_delete": {},
        "registration_action": {"action": "cancel", "reason": "sneaky"},
    }.get(name, {})


def snapshot() -> list:
    """Everything an organizer page could change."""
    return [
        list(Frame.objects.order_by("pk").values_list("pk", "name", "capacity", "method")),
        list(Question.objects.order_by("pk").values_list("pk", "label", "kind", "choices")),
        list(
            Registration.objects.order_by("pk").values_list("pk", "status", "frame_id", "nominated")
        ),
        RegistrationLog.objects.count(),
        Answer.objects.count(),
    ]


def request(client, method: str, url: str, data: dict | None = None):
    if method == "get":
        return client.get(url)
    return client.post(url, data or {})


def messages_of(response) -> list[tuple[str, str]]:
    return [(m.level_tag, str(m)) for m in get_messages(response.wsgi_request)]


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

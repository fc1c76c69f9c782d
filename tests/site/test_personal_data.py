"""A person's own data: the JSON export, and deleting the account (anonymised, counters still
equal to the facts, the waitlist promoted, the last-owner rule)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kaisai.accounts.models import User
from kaisai.checkin.models import CheckIn
from kaisai.core.models import OutboxMail
from kaisai.groups.enums import Role
from kaisai.groups.models import Member, Organizer
from kaisai.registrations import services
from kaisai.registrations.enums import Status
from kaisai.registrations.models import Answer, Frame, Registration
from kaisai.registrations.services.questions import create_question
from tests.conftest import login
from tests.factories import EventFactory, GroupFactory, MemberFactory, UserFactory
from tests.talks.factories import TalkFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"


def accepted_fact(frame: Frame) -> int:
    return Registration.objects.filter(frame=frame, status=Status.ACCEPTED).count()


@pytest.fixture
def person(db):
    someone = UserFactory(nickname="hanako", display_name="Hanako Yamada")
    EmailAddress.objects.create(user=someone, email=someone.email, verified=True, primary=True)
    return someone


def test_export_has_profile_registrations_answers_talks_checkins_memberships(
    client, person, event, organizer, make_frame
):
    question = create_question(event=event, by=organizer, label="Drink", kind="text")
    registration = services.register(
        frame=make_frame(), user=person, answers={question.pk: "Green tea"}
    )
    CheckIn.objects.create(
        registration=registration, event=event, checked_in_at=timezone.now(), method="scan"
    )
    TalkFactory(event=event, title="Rust at scale", speaker=person)
    MemberFactory(group=event.group, user=person)
    login(client, person)
    response = client.get(reverse("accounts:data_export"))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="kaisai-hanako-')
    data = json.loads(response.content)
    assert data["profile"]["display_name"] == "Hanako Yamada"
    assert data["email_addresses"] == [{"email": person.email, "verified": True, "primary": True}]
    [exported] = data["registrations"]
    assert exported["status"] == "accepted" and exported["event_id"] == event.pk
    assert exported["answers"] == [{"question": "Drink", "answer": "Green tea"}]
    assert [c["event_id"] for c in data["check_ins"]] == [event.pk]
    assert [t["title"] for t in data["talks"]] == ["Rust at scale"]
    assert data["group_memberships"][0]["group"] == event.group.slug


def test_export_needs_login_and_is_only_ones_own(client, person, user):
    assert client.get(reverse("accounts:data_export")).status_code == 302
    login(client, user)
    data = json.loads(client.get(reverse("accounts:data_export")).content)
    assert data["profile"]["nickname"] == user.nickname
    assert person.email not in json.dumps(data)


def test_delete_needs_the_password(client, person):
    login(client, person)
    response = client.post(reverse("accounts:data_delete"), {"confirmation": "wrong"})
    assert response.status_code == 400
    assert "The password is not correct." in response.content.decode()
    assert User.objects.get(pk=person.pk).deleted_at is None


def test_delete_anonymises_and_keeps_counters_equal_to_facts(
    client, person, event, organizer, make_frame
):
    frame = make_frame(capacity=1)
    question = create_question(event=event, by=organizer, label="Drink", kind="text")
    mine = services.register(frame=frame, user=person, answers={question.pk: "Green tea"})
    waiting = services.register(frame=frame, user=UserFactory(), answers={question.pk: "Beer"})
    assert (mine.status, waiting.status) == (Status.ACCEPTED, Status.WAITLISTED)
    past = EventFactory(
        group=event.group, starts_at=timezone.now() - timedelta(days=30),
        ends_at=timezone.now() - timedelta(days=30) + timedelta(hours=2),
    )  # fmt: skip
    past_frame = Frame.objects.create(event=past, name="General", capacity=5, accepted_count=1)
    attended = Registration.objects.create(
        event=past, frame=past_frame, user=person, status=Status.ACCEPTED
    )
    talk = TalkFactory(event=event, title="Rust at scale", speaker=person)
    MemberFactory(group=event.group, user=person)
    co_owned = GroupFactory(owner=organizer)
    Organizer.objects.create(group=co_owned, user=person, role=Role.OWNER)

    assert OutboxMail.objects.filter(to_email=person.email).exists()  # their acceptance mail
    phone = login(Client(), person)  # signed in elsewhere too
    assert phone.get(reverse("accounts:data")).status_code == 200
    login(client, person)
    response = client.post(reverse("accounts:data_delete"), {"confirmation": PASSWORD})
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session

    gone = User.objects.get(pk=person.pk)
    assert gone.deleted_at is not None and not gone.is_active
    assert gone.email == "" and gone.display_name == "" and gone.nickname == f"deleted-{gone.pk}"
    assert not gone.has_usable_password()
    assert not EmailAddress.objects.filter(user=gone).exists()
    assert not Member.objects.filter(user=gone).exists()
    assert not Organizer.objects.filter(user=gone).exists()
    # the future seat went back through the core: the waitlist was promoted
    mine.refresh_from_db()
    waiting.refresh_from_db()
    assert (mine.status, waiting.status) == (Status.CANCELLED, Status.ACCEPTED)
    frame.refresh_from_db()
    assert frame.accepted_count == accepted_fact(frame) == 1
    # the past one stays, anonymous, counted
    attended.refresh_from_db()
    past_frame.refresh_from_db()
    assert attended.status == Status.ACCEPTED and attended.user_id == gone.pk
    assert past_frame.accepted_count == accepted_fact(past_frame) == 1
    assert not Answer.objects.filter(registration__user=gone).exists()
    assert Answer.objects.filter(registration=waiting).exists()
    # the talk keeps its content, not the name
    talk.refresh_from_db()
    assert talk.title == "Rust at scale"
    html = client.get(f"/talks/{talk.pk}/").content.decode()
    assert "Hanako" not in html and "Deleted account" in html
    # no mail to them is left to send, and the outbox keeps no copy of their address
    assert not OutboxMail.objects.filter(recipient=gone, state=OutboxMail.State.PENDING).exists()
    assert not OutboxMail.objects.filter(to_email=person.email).exists()
    # the session is over, and the password no longer signs in
    assert client.get(reverse("accounts:data")).status_code == 302
    assert phone.get(reverse("accounts:data")).status_code == 302  # the other session too
    response = client.post(reverse("account_login"), {"login": "hanako", "password": PASSWORD})
    assert "_auth_user_id" not in client.session


def test_last_owner_must_hand_the_group_over_first(client, person):
    group = GroupFactory(title="Rust Tokyo", owner=person)
    login(client, person)
    html = client.get(reverse("accounts:data")).content.decode()
    assert "You are the last owner of these groups." in html and "Rust Tokyo" in html
    response = client.post(reverse("accounts:data_delete"), {"confirmation": PASSWORD}, follow=True)
    assert "You are the last owner of “Rust Tokyo”." in response.content.decode()
    assert User.objects.get(pk=person.pk).deleted_at is None
    # with a second owner, it works
    Organizer.objects.create(group=group, user=UserFactory(), role=Role.OWNER)
    client.post(reverse("accounts:data_delete"), {"confirmation": PASSWORD})
    assert User.objects.get(pk=person.pk).deleted_at is not None

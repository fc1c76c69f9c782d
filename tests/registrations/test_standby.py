"""Standby at the door (当日補欠) on the registrations side: opting in and out, the mail in
both languages, the participant's button and the organizer's frame setting."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from kaisai.core.models import OutboxMail
from kaisai.core.outbox import render
from kaisai.events.models import Event
from kaisai.registrations import services
from kaisai.registrations.enums import Status
from kaisai.registrations.errors import RegistrationError
from kaisai.registrations.models import Frame, Registration, RegistrationLog
from tests.conftest import login
from tests.factories import EventFactory
from tests.registrations.manage_helpers import frame_data, snapshot
from tests.registrations.participant_helpers import messages_of, url


@pytest.fixture
def event(group):
    """Friday 2030-05-17 19:30 in Tokyo (10:30 UTC)."""
    return EventFactory(
        group=group,
        starts_at=datetime(2030, 5, 17, 10, 30, tzinfo=UTC),
        ends_at=datetime(2030, 5, 17, 13, 0, tzinfo=UTC),
        time_zone="Asia/Tokyo",
    )


@pytest.fixture
def full(make_frame, people):
    """A frame of one seat with standbys from 10 minutes after the start: one accepted, two
    waitlisted."""
    frame = make_frame(capacity=1, standby_after_minutes=10)
    seated, *waiting = [services.register(frame=frame, user=p) for p in people(3)]
    return frame, seated, waiting


def standby_mails(person):
    return list(OutboxMail.objects.filter(recipient=person, template="registration_standby"))


def test_opt_in_marks_standby_writes_an_audit_row_and_mails_once(full):
    _frame, _seated, (first, _second) = full
    result = services.opt_in_standby(registration=first, by=first.user)
    again = services.opt_in_standby(registration=first, by=first.user)  # idempotent
    assert result.standby and again.standby and result.status == Status.WAITLISTED
    assert Registration.objects.get(pk=first.pk).waitlist_key == first.waitlist_key
    log = RegistrationLog.objects.filter(registration=first).last()
    assert (log.from_status, log.to_status, log.reason, log.actor) == (
        "waitlisted",
        "waitlisted",
        "opted in as a standby at the door",
        first.user,
    )
    assert len(standby_mails(first.user)) == 1


def test_opt_out_keeps_the_waitlist_place(full):
    _frame, _seated, (first, _second) = full
    services.opt_in_standby(registration=first, by=first.user)
    result = services.opt_out_standby(registration=first, by=first.user)
    stored = Registration.objects.get(pk=first.pk)
    assert not result.standby and not stored.standby
    assert (stored.status, stored.waitlist_key) == (Status.WAITLISTED, first.waitlist_key)
    assert RegistrationLog.objects.filter(registration=first).last().reason == (
        "no longer a standby at the door"
    )


def test_only_waitlisted_people_of_a_frame_with_standby(full, make_frame, people):
    _frame, seated, _waiting = full
    with pytest.raises(RegistrationError) as accepted:
        services.opt_in_standby(registration=seated, by=seated.user)
    assert accepted.value.reason == "not_waitlisted"
    no_standby = make_frame(capacity=0, name="No standby")
    waiting = services.register(frame=no_standby, user=people(1, prefix="q")[0])
    before = snapshot()
    with pytest.raises(RegistrationError) as off:
        services.opt_in_standby(registration=waiting, by=waiting.user)
    assert off.value.reason == "no_standby"
    assert snapshot() == before
    assert not Registration.objects.filter(standby=True).exists()


def test_no_opting_in_once_the_event_is_over(full, event):
    _frame, _seated, (first, _second) = full
    Event.objects.filter(pk=event.pk).update(
        starts_at=timezone.now() - timedelta(hours=3), ends_at=timezone.now() - timedelta(hours=1)
    )
    with pytest.raises(RegistrationError) as over:
        services.opt_in_standby(registration=first, by=first.user)
    assert over.value.reason == "over"
    assert not Registration.objects.get(pk=first.pk).standby


def test_a_move_to_another_frame_ends_standby(full, make_frame):
    _frame, _seated, (first, _second) = full
    services.opt_in_standby(registration=first, by=first.user)
    other = make_frame(capacity=0, name="Other", standby_after_minutes=5)
    moved = services.move_registration(registration=first, to_frame=other, by=None)
    assert moved.status == Status.WAITLISTED and not Registration.objects.get(pk=first.pk).standby


def test_standby_mail_in_english_says_no_seat_is_guaranteed_and_when_to_come(full):
    _frame, _seated, (first, _second) = full
    services.opt_in_standby(registration=first, by=first.user)
    subject, body = render(standby_mails(first.user)[0])
    assert "You are a standby (a seat is NOT guaranteed)" in subject
    assert "A seat is NOT guaranteed." in body
    assert "Come to the reception at 19:40." in body  # 19:30 Tokyo + 10 minutes
    assert "in waitlist order" in body
    assert url("mine", first.event) in body


def test_standby_mail_in_japanese(full):
    _frame, _seated, (first, _second) = full
    first.user.preferred_language = "ja"
    first.user.save(update_fields=["preferred_language"])
    services.opt_in_standby(registration=first, by=first.user)
    subject, body = render(standby_mails(first.user)[0])
    assert "当日補欠" in subject and "席は保証されません" in subject
    assert "席は保証されません" in body
    assert "19:40" in body and "受付" in body and "キャンセル待ちの順" in body
    assert "Come to the reception" not in body


def test_my_registration_page_offers_standby_and_takes_it_back(client, full):
    _frame, _seated, (first, _second) = full
    login(client, first.user)
    page = client.get(url("mine", first.event)).content.decode()
    assert "Come as a standby" in page and url("standby", first.event) in page
    assert "csrfmiddlewaretoken" in page
    response = client.post(url("standby", first.event), {"action": "in"}, follow=True)
    assert Registration.objects.get(pk=first.pk).standby
    assert any("A seat is NOT guaranteed" in m for m in messages_of(response))
    page = response.content.decode()
    assert "Stop being a standby" in page and "at 19:40" in page
    response = client.post(url("standby", first.event), {"action": "out"}, follow=True)
    assert not Registration.objects.get(pk=first.pk).standby
    assert "Come as a standby" in response.content.decode()


def test_standby_button_only_for_the_waitlisted_and_post_only(client, full):
    _frame, seated, (first, _second) = full
    login(client, seated.user)
    assert "Come as a standby" not in client.get(url("mine", seated.event)).content.decode()
    response = client.post(url("standby", seated.event), {"action": "in"}, follow=True)
    assert "Only people on the waitlist can come as standbys." in messages_of(response)
    assert not Registration.objects.filter(standby=True).exists()
    login(client, first.user)
    assert client.get(url("standby", first.event)).status_code == 405
    response = client.post(url("standby", first.event), {"action": "maybe"}, follow=True)
    assert not Registration.objects.get(pk=first.pk).standby


def test_standby_needs_login(client, full):
    _frame, _seated, (first, _second) = full
    response = client.post(url("standby", first.event), {"action": "in"})
    assert response.status_code == 302 and "/login" in response["Location"]
    assert not Registration.objects.filter(standby=True).exists()


def test_organizer_sets_standby_minutes_on_the_frame_form(client, organizer, event, make_frame):
    login(client, organizer)
    frames_url = url("frames", event)
    assert "Standbys admitted from" in client.get(frames_url).content.decode()
    response = client.post(frames_url, frame_data(standby_after_minutes=10))
    assert response.status_code == 302
    frame = Frame.objects.get(event=event)
    assert frame.standby_after_minutes == 10
    edit = url("frame_edit", event, frame_id=frame.pk)
    assert client.post(edit, frame_data(standby_after_minutes="")).status_code == 302
    assert Frame.objects.get(pk=frame.pk).standby_after_minutes is None


@pytest.mark.parametrize("minutes", ["-1", "1441", "ten"])
def test_bad_standby_minutes_save_nothing(client, organizer, event, minutes):
    login(client, organizer)
    before = snapshot()
    response = client.post(url("frames", event), frame_data(standby_after_minutes=minutes))
    assert response.status_code == 400
    assert "standby_after_minutes" in response.context["form"].errors
    assert snapshot() == before


def test_organizer_of_another_group_cannot_set_standby(client, outsider, event, make_frame):
    frame = make_frame(capacity=1)
    login(client, outsider)
    edit = url("frame_edit", event, frame_id=frame.pk)
    assert client.post(edit, frame_data(standby_after_minutes=10)).status_code == 403
    assert Frame.objects.get(pk=frame.pk).standby_after_minutes is None


def test_organizers_see_who_is_a_standby(client, organizer, full):
    _frame, _seated, (first, second) = full
    services.opt_in_standby(registration=first, by=first.user)
    login(client, organizer)
    page = client.get(url("registrations", first.event)).content.decode()
    assert page.count('class="badge standby"') == 1
    detail = url("registration_detail", first.event, registration_id=first.pk)
    assert 'class="badge standby"' in client.get(detail).content.decode()
    other = url("registration_detail", first.event, registration_id=second.pk)
    assert 'class="badge standby"' not in client.get(other).content.decode()

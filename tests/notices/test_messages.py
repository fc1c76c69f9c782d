from __future__ import annotations

import pytest
from django.urls import reverse

from kaisai.core.models import OutboxMail
from kaisai.core.outbox import render, render_html
from kaisai.groups.enums import Role
from kaisai.notices.enums import Audience, MailKind
from kaisai.notices.models import MailOptOut, OrganizerMessage
from kaisai.notices.selectors_messages import audience_recipients
from kaisai.notices.services import messages as message_services
from kaisai.notices.services.messages import MessageError, send_message
from kaisai.registrations.enums import Status
from kaisai.talks.enums import TalkState
from tests.conftest import login
from tests.factories import EventFactory, MemberFactory, OrganizerFactory, UserFactory
from tests.notices.messages_helpers import FrameFactory, members, register
from tests.talks.factories import SpeakerFactory, TalkFactory

pytestmark = pytest.mark.django_db

BODY = "Doors open at **19:00**.\n\n<script>alert(1)</script>\n\n[map](javascript:alert(2))"


@pytest.fixture
def event(group):
    return EventFactory(group=group, title="MLCT #5")


@pytest.fixture
def crowd(event):
    """Two accepted, one waitlisted, one applied, one cancelled, one rejected."""
    frame = FrameFactory(event=event)
    people = {}
    for name, status in [
        ("acc1", Status.ACCEPTED),
        ("acc2", Status.ACCEPTED),
        ("wait", Status.WAITLISTED),
        ("appl", Status.APPLIED),
        ("gone", Status.CANCELLED),
        ("nope", Status.REJECTED),
    ]:
        people[name] = UserFactory(nickname=name)
        register(frame, people[name], status)
    return people


def nicknames(users) -> set[str]:
    return {u.nickname for u in users}


def messages_url(event) -> str:
    return reverse("notices:messages", kwargs={"pk": event.pk})


# --- Audiences ----------------------------------------------------------------------------


def test_registration_audiences(event, crowd):
    assert nicknames(audience_recipients(event, Audience.ACCEPTED)) == {"acc1", "acc2"}
    assert nicknames(audience_recipients(event, Audience.WAITLISTED)) == {"wait"}
    assert nicknames(audience_recipients(event, Audience.REGISTRANTS)) == {
        "acc1", "acc2", "wait", "appl"
    }  # fmt: skip


def test_registrations_of_other_events_are_not_in_the_audience(group, event, crowd):
    other = EventFactory(group=group)
    register(FrameFactory(event=other), UserFactory(nickname="elsewhere"))
    assert "elsewhere" not in nicknames(audience_recipients(event, Audience.REGISTRANTS))


def test_speakers_of_talks_not_withdrawn_or_rejected(event):
    both = UserFactory(nickname="both")
    TalkFactory(event=event, speaker=both)
    TalkFactory(event=event, speaker=both, state=TalkState.PROPOSED)
    TalkFactory(event=event, speaker=UserFactory(nickname="lt"), state=TalkState.PROPOSED)
    TalkFactory(event=event, speaker=UserFactory(nickname="withdrew"), state=TalkState.WITHDRAWN)
    TalkFactory(event=event, speaker=UserFactory(nickname="rejected"), state=TalkState.REJECTED)
    guest_talk = TalkFactory(event=event)
    SpeakerFactory(talk=guest_talk, user=None, name="Guest without account")
    TalkFactory(event=EventFactory(), speaker=UserFactory(nickname="other-event"))
    recipients = audience_recipients(event, Audience.SPEAKERS)
    assert nicknames(recipients) == {"both", "lt"}
    assert len(recipients) == 2


def test_members_honour_the_opt_out_registrants_always_get_it(group, event, crowd):
    fans = members(group, 3)
    MailOptOut.objects.create(user=fans[0], kind=MailKind.ORGANIZER_MESSAGE, group=group)
    MailOptOut.objects.create(user=fans[1], kind=MailKind.ORGANIZER_MESSAGE, group=None)
    MailOptOut.objects.create(user=crowd["acc1"], kind=MailKind.ORGANIZER_MESSAGE, group=None)
    assert nicknames(audience_recipients(event, Audience.MEMBERS)) == {fans[2].nickname}
    assert "acc1" in nicknames(audience_recipients(event, Audience.ACCEPTED))


def test_people_without_address_or_inactive_are_skipped(event):
    frame = FrameFactory(event=event)
    register(frame, UserFactory(nickname="noaddr", email=""))
    register(frame, UserFactory(nickname="inactive", is_active=False))
    register(frame, UserFactory(nickname="ok"))
    assert nicknames(audience_recipients(event, Audience.ACCEPTED)) == {"ok"}


# --- Sending ------------------------------------------------------------------------------


def test_send_message_queues_one_mail_per_recipient(organizer, event, crowd):
    message = send_message(
        event=event, by=organizer, audience=Audience.REGISTRANTS, subject="Venue", body=BODY
    )
    assert message.recipient_count == 4
    assert message.sent_by == organizer
    mails = OutboxMail.objects.filter(batch=f"message:{message.pk}")
    assert mails.count() == 4
    assert set(mails.values_list("key", flat=True)) == {
        f"message-{message.pk}-{crowd[n].pk}" for n in ("acc1", "acc2", "wait", "appl")
    }
    # The event's own people get every message: no kind, so no unsubscribe link is promised.
    assert set(mails.values_list("kind", "group_id", "template")) == {
        ("", event.group_id, "organizer_message")
    }


def test_message_to_members_can_be_unsubscribed(settings, organizer, group, event):
    settings.BASE_URL = "https://kaisai.example.org"
    (fan,) = members(group, 1)
    message = send_message(
        event=event, by=organizer, audience=Audience.MEMBERS, subject="Call for LTs", body=BODY
    )
    mail = OutboxMail.objects.get(batch=message.batch)
    assert (mail.kind, mail.group_id) == (MailKind.ORGANIZER_MESSAGE, group.pk)
    _, body = render(mail)
    assert "https://kaisai.example.org/mail/unsubscribe/" in body
    html = render_html(mail, subject="Call for LTs", body=body)
    assert "https://kaisai.example.org/mail/unsubscribe/" in html


def test_mail_text_has_the_markdown_source_and_html_is_sanitised(organizer, event, crowd):
    message = send_message(
        event=event, by=organizer, audience=Audience.ACCEPTED, subject="Q&A <b>", body=BODY
    )
    mail = OutboxMail.objects.filter(batch=message.batch).first()
    subject, text = render(mail)
    assert subject == "[MLCT #5] Q&A <b>"
    assert text.startswith(BODY)  # the source, unescaped
    html = render_html(mail, subject=subject, body=text)
    assert "<strong>19:00</strong>" in html
    assert "<script" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # shown as text, never run
    assert 'href="javascript' not in html


def test_empty_audience_raises_and_saves_nothing(organizer, event):
    with pytest.raises(MessageError):
        send_message(event=event, by=organizer, audience=Audience.WAITLISTED, subject="s", body="b")
    assert not OrganizerMessage.objects.exists()
    assert not OutboxMail.objects.exists()


def test_send_is_atomic(monkeypatch, organizer, event, crowd):
    real = message_services.queue_mails

    def queue_then_fail(*args, **kwargs):
        real(*args, **kwargs)
        raise RuntimeError("disk full")

    monkeypatch.setattr(message_services, "queue_mails", queue_then_fail)
    with pytest.raises(RuntimeError):
        send_message(event=event, by=organizer, audience=Audience.ACCEPTED, subject="s", body="b")
    assert not OrganizerMessage.objects.exists()
    assert not OutboxMail.objects.exists()


# --- Pages --------------------------------------------------------------------------------


def test_page_shows_form_and_history(client, organizer, event, crowd):
    send_message(event=event, by=organizer, audience=Audience.ACCEPTED, subject="Hello", body="b")
    response = login(client, organizer).get(messages_url(event))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Write a message" in content
    assert "Hello" in content
    assert "0 of 2 sent" in content


def test_preview_renders_sanitised_markdown_and_sends_nothing(client, organizer, event, crowd):
    data = {"audience": Audience.ACCEPTED, "subject": "Venue", "body": BODY, "preview": "1"}
    response = login(client, organizer).post(messages_url(event), data)
    assert response.status_code == 200
    content = response.content.decode()
    assert "<strong>19:00</strong>" in content
    assert "<script>alert(1)</script>" not in content
    assert 'href="javascript:' not in content
    assert "To 2 people" in content
    assert "Doors open at **19:00**." in content  # the textarea keeps the source
    assert not OrganizerMessage.objects.exists()
    assert not OutboxMail.objects.exists()


def test_send_asks_for_confirmation_first(client, organizer, event, crowd):
    """Sending shows what goes to whom (the number, names, subject and body) and sends
    nothing until the organizer confirms that number."""
    data = {"audience": Audience.ACCEPTED, "subject": "Venue", "body": BODY, "send": "1"}
    response = login(client, organizer).post(messages_url(event), data)
    assert response.status_code == 200
    content = response.content.decode()
    assert "Check before sending" in content and "To 2 people" in content
    assert crowd["acc1"].name in content and crowd["acc2"].name in content
    assert "<strong>19:00</strong>" in content
    assert 'name="confirm" value="2"' in content and "Send to 2 people" in content
    assert not OrganizerMessage.objects.exists() and not OutboxMail.objects.exists()

    stale = login(client, organizer).post(messages_url(event), data | {"confirm": "5"})
    assert stale.status_code == 200 and "The recipients changed" in stale.content.decode()
    assert not OrganizerMessage.objects.exists()


def test_send_from_the_page_redirects_to_progress(client, organizer, event, crowd):
    data = {"audience": Audience.ACCEPTED, "subject": "Venue", "body": BODY, "confirm": "2"}
    response = login(client, organizer).post(messages_url(event), data)
    message = OrganizerMessage.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "notices:message_detail", kwargs={"pk": event.pk, "message_id": message.pk}
    )
    assert message.recipient_count == 2
    assert OutboxMail.objects.filter(batch=message.batch).count() == 2


def test_empty_audience_is_a_form_error(client, organizer, event):
    data = {"audience": Audience.WAITLISTED, "subject": "s", "body": "b", "send": "1"}
    response = login(client, organizer).post(messages_url(event), data)
    assert response.status_code == 200
    assert "Nobody would receive this message" in response.content.decode()
    assert not OrganizerMessage.objects.exists()


def test_invalid_form_shows_field_errors_in_japanese(client, organizer, event):
    response = login(client, organizer).post(
        messages_url(event), {"audience": "everyone", "subject": "", "body": ""},
        HTTP_ACCEPT_LANGUAGE="ja",
    )  # fmt: skip
    assert response.status_code == 200
    assert response.context["form"].errors.keys() == {"audience", "subject", "body"}
    assert not OrganizerMessage.objects.exists()


def test_csrf_is_enforced(organizer, event, crowd):
    from django.test import Client

    client = login(Client(enforce_csrf_checks=True), organizer)
    data = {"audience": Audience.ACCEPTED, "subject": "s", "body": "b"}
    assert client.post(messages_url(event), data).status_code == 403
    assert not OrganizerMessage.objects.exists()


def test_progress_page_shows_states_per_recipient(client, organizer, event, crowd):
    message = send_message(
        event=event, by=organizer, audience=Audience.REGISTRANTS, subject="s", body="**b**"
    )
    mails = list(OutboxMail.objects.filter(batch=message.batch).order_by("id"))
    OutboxMail.objects.filter(pk=mails[0].pk).update(state="sent", attempts=1)
    OutboxMail.objects.filter(pk=mails[1].pk).update(
        state="failed", attempts=1, last_error="SMTPRecipientsRefused: 550 no such user"
    )
    OutboxMail.objects.filter(pk=mails[2].pk).update(attempts=2, last_error="timed out")
    url = reverse("notices:message_detail", kwargs={"pk": event.pk, "message_id": message.pk})
    response = login(client, organizer).get(url)
    assert response.status_code == 200
    progress = response.context["progress"]
    assert (progress.sent, progress.pending, progress.failed) == (1, 2, 1)
    assert progress.percent == 50
    content = response.content.decode()
    assert '<progress id="delivery-progress" max="4" value="2">' in content
    assert "550 no such user" in content
    assert "timed out" in content
    assert "<strong>b</strong>" in content
    assert 'http-equiv="refresh"' in content  # pending mails: the page refreshes itself


def test_progress_page_query_count_does_not_grow(
    client, organizer, event, django_assert_max_num_queries
):
    frame = FrameFactory(event=event)
    login(client, organizer)

    def page_for(count, prefix):
        for i in range(count):
            register(frame, UserFactory(nickname=f"{prefix}{i}"))
        message = send_message(
            event=event, by=organizer, audience=Audience.ACCEPTED, subject=prefix, body="b"
        )
        return reverse("notices:message_detail", kwargs={"pk": event.pk, "message_id": message.pk})

    small = page_for(2, "s")
    with django_assert_max_num_queries(12) as captured:
        client.get(small)
    baseline = len(captured)
    big = page_for(12, "b")
    with django_assert_max_num_queries(baseline):
        assert client.get(big).status_code == 200


def test_history_query_count_does_not_grow(
    client, organizer, event, crowd, django_assert_max_num_queries
):
    login(client, organizer)
    send_message(event=event, by=organizer, audience=Audience.ACCEPTED, subject="1", body="b")
    with django_assert_max_num_queries(20) as captured:
        client.get(messages_url(event))
    baseline = len(captured)
    for i in range(10):
        send_message(
            event=event, by=organizer, audience=Audience.REGISTRANTS, subject=f"m{i}", body="b"
        )
    with django_assert_max_num_queries(baseline):
        assert client.get(messages_url(event)).status_code == 200


# --- Permissions --------------------------------------------------------------------------


@pytest.fixture
def sent(organizer, event, crowd):
    return send_message(
        event=event, by=organizer, audience=Audience.ACCEPTED, subject="s", body="b"
    )


def page_urls(event, sent):
    return [
        messages_url(event),
        reverse("notices:message_detail", kwargs={"pk": event.pk, "message_id": sent.pk}),
    ]


def test_anonymous_goes_to_login(client, event, sent):
    for url in page_urls(event, sent):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
    response = client.post(
        messages_url(event), {"audience": "accepted", "subject": "s", "body": "b"}
    )
    assert response.status_code == 302
    assert OrganizerMessage.objects.count() == 1


@pytest.mark.parametrize("who", ["outsider", "plain", "reception", "member"])
def test_others_are_refused(client, group, event, sent, outsider, who):
    person = {
        "outsider": outsider,
        "plain": UserFactory(nickname="plain"),
        "reception": OrganizerFactory(group=group, role=Role.RECEPTION).user,
        "member": MemberFactory(group=group).user,
    }[who]
    login(client, person)
    for url in page_urls(event, sent):
        assert client.get(url).status_code == 403
    data = {"audience": "accepted", "subject": "s", "body": "b", "send": "1"}
    assert client.post(messages_url(event), data).status_code == 403
    assert OrganizerMessage.objects.count() == 1


def test_co_organizer_may_send(client, group, event, crowd):
    co = OrganizerFactory(group=group, role=Role.ORGANIZER).user
    data = {"audience": "accepted", "subject": "s", "body": "b", "confirm": "2"}
    assert login(client, co).post(messages_url(event), data).status_code == 302


def test_message_of_another_event_is_404(client, organizer, group, event, sent):
    other = EventFactory(group=group)
    url = reverse("notices:message_detail", kwargs={"pk": other.pk, "message_id": sent.pk})
    assert login(client, organizer).get(url).status_code == 404


def test_unknown_event_is_404(client, organizer):
    assert (
        login(client, organizer).get(reverse("notices:messages", kwargs={"pk": 999999})).status_code
        == 404
    )

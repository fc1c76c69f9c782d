from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kaisai.core.models import OutboxMail
from kaisai.core.outbox import deliver_due_mail, render
from kaisai.events.enums import EventStatus
from kaisai.events.services import EventError, postpone_event, publish_event
from kaisai.groups.enums import Role
from kaisai.notices.enums import MailKind
from kaisai.notices.models import MailOptOut
from kaisai.notices.notify import notify_group_members
from kaisai.notices.services.group_notices import announce_opened_registrations
from tests.factories import (
    EventFactory,
    GroupFactory,
    MemberFactory,
    OrganizerFactory,
    UserFactory,
)
from tests.notices.messages_helpers import FrameFactory, members

pytestmark = pytest.mark.django_db


def published_mails(event) -> set[int]:
    return set(
        OutboxMail.objects.filter(key__startswith=f"event-published-{event.pk}-").values_list(
            "recipient_id", flat=True
        )
    )


@pytest.fixture
def draft(group):
    return EventFactory(group=group, status=EventStatus.DRAFT, title="MLCT #5")


def test_published_event_goes_to_members_except_organizers_and_opt_outs(group, organizer, draft):
    fans = members(group, 4)
    co_organizer = UserFactory(nickname="co")
    OrganizerFactory(group=group, user=co_organizer, role=Role.ORGANIZER)
    MemberFactory(group=group, user=co_organizer)
    MemberFactory(group=group, user=organizer)
    MailOptOut.objects.create(user=fans[0], kind=MailKind.EVENT_PUBLISHED, group=group)
    MailOptOut.objects.create(user=fans[1], kind=MailKind.EVENT_PUBLISHED, group=None)
    # Opting out elsewhere or of another kind changes nothing here.
    MailOptOut.objects.create(user=fans[2], kind=MailKind.EVENT_PUBLISHED, group=GroupFactory())
    MailOptOut.objects.create(user=fans[3], kind=MailKind.MATERIALS_ADDED, group=group)
    no_address = UserFactory(nickname="noaddress", email="")
    MemberFactory(group=group, user=no_address)
    stranger = UserFactory(nickname="stranger")

    publish_event(event=draft, by=organizer)

    assert published_mails(draft) == {fans[2].pk, fans[3].pk}
    assert stranger.pk not in published_mails(draft)
    mail = OutboxMail.objects.get(recipient=fans[2])
    assert (mail.kind, mail.group_id, mail.template) == (
        "event_published",
        group.pk,
        "event_published",
    )
    assert mail.key == f"event-published-{draft.pk}-{fans[2].pk}"


def test_published_mail_reads_well_and_links_unsubscribe(settings, group, organizer, draft):
    settings.BASE_URL = "https://kaisai.example.org"
    (fan,) = members(group, 1)
    FrameFactory(event=draft, name="General & LT", capacity=100)
    publish_event(event=draft, by=organizer)
    subject, body = render(OutboxMail.objects.get(recipient=fan))
    assert subject == f"[{group.title}] New event: MLCT #5"
    assert "MLCT #5" in body
    assert "General & LT (100 seats, First come)" in body  # plain text: nothing escaped
    assert f"https://kaisai.example.org{draft.get_absolute_url()}" in body
    assert "https://kaisai.example.org/mail/unsubscribe/" in body


def test_published_mail_delivered_with_unsubscribe_headers(group, organizer, draft, mailoutbox):
    (fan,) = members(group, 1)
    publish_event(event=draft, by=organizer)
    assert deliver_due_mail() == 1
    (message,) = mailoutbox
    assert message.to == [fan.email]
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message.extra_headers["List-Unsubscribe"].startswith("<http")


def test_published_mail_in_the_members_language(group, organizer, draft):
    (fan,) = members(group, 1)
    fan.preferred_language = "ja"
    fan.save()
    publish_event(event=draft, by=organizer)
    assert OutboxMail.objects.get(recipient=fan).language == "ja"


def test_never_twice_even_when_published_again(group, organizer, draft):
    members(group, 3)
    publish_event(event=draft, by=organizer)
    postpone_event(event=draft, by=organizer)
    publish_event(event=draft, by=organizer)
    assert OutboxMail.objects.filter(template="event_published").count() == 3


def test_a_refused_publication_queues_nothing(group, organizer, draft):
    members(group, 2)
    draft.status = EventStatus.CANCELLED
    draft.save()
    with pytest.raises(EventError):
        publish_event(event=draft, by=organizer)
    assert not OutboxMail.objects.exists()


def test_notify_queries_do_not_grow_with_members(group):
    event = EventFactory(group=group)
    members(group, 2, prefix="a")
    with CaptureQueriesContext(connection) as two:
        assert notify_group_members(
            group, kind=MailKind.MATERIALS_ADDED, template="x", context={"event": event},
            key="small",
        ) == 2  # fmt: skip
    members(group, 18, prefix="b")
    with CaptureQueriesContext(connection) as twenty:
        assert notify_group_members(
            group, kind=MailKind.MATERIALS_ADDED, template="x", context={"event": event},
            key="big",
        ) == 20  # fmt: skip
    assert len(twenty) == len(two) <= 5


def test_notify_is_idempotent_and_counts_only_new_mails(group):
    fans = members(group, 3)
    kwargs = {"kind": MailKind.MATERIALS_ADDED, "template": "x", "context": {}, "key": "m-1"}
    assert notify_group_members(group, **kwargs) == 3
    assert notify_group_members(group, **kwargs) == 0
    MemberFactory(group=group, user=UserFactory(nickname="late"))
    assert notify_group_members(group, **kwargs) == 1
    assert notify_group_members(group, exclude=[fans[0].pk], **{**kwargs, "key": "m-2"}) == 3
    context = OutboxMail.objects.filter(key=f"m-1-{fans[0].pk}").get().context
    assert context["unsubscribe_url"].startswith("http")


def test_notify_context_keeps_model_references(group):
    event = EventFactory(group=group)
    (fan,) = members(group, 1)
    notify_group_members(
        group, kind=MailKind.EVENT_PUBLISHED, template="event_published",
        context={"event": event}, key="ref",
    )  # fmt: skip
    mail = OutboxMail.objects.get(recipient=fan)
    assert mail.context["event"] == {"_model": "events.Event", "pk": event.pk}
    subject, _ = render(mail)
    assert event.title in subject


# --- Registration opened ------------------------------------------------------------------


@pytest.fixture
def announced(group, organizer, draft):
    """Published now; its frame "LT" opens in three hours."""
    publish_event(event=draft, by=organizer)
    return draft


def opened_mails():
    return OutboxMail.objects.filter(template="registration_opened")


def test_frame_opening_after_publication_is_announced_once(group, announced):
    fans = members(group, 3)
    frame = FrameFactory(event=announced, name="LT", opens_at=timezone.now() + timedelta(hours=3))
    assert announce_opened_registrations() == 0  # not open yet
    later = timezone.now() + timedelta(hours=3, minutes=1)
    assert announce_opened_registrations(now=later) == 3
    assert announce_opened_registrations(now=later) == 0
    assert announce_opened_registrations(now=later + timedelta(hours=2)) == 0
    assert set(opened_mails().values_list("recipient_id", flat=True)) == {f.pk for f in fans}
    mail = opened_mails().first()
    assert mail.key == f"registration-opened-{frame.pk}-{mail.recipient_id}"
    assert mail.kind == "registration_opened"
    subject, body = render(mail)
    assert "Registration is open" in subject
    assert "“LT”" in body


def test_opened_job_honours_opt_outs_and_skips_organizers(group, organizer, announced):
    fans = members(group, 2)
    MemberFactory(group=group, user=organizer)
    MailOptOut.objects.create(user=fans[0], kind=MailKind.REGISTRATION_OPENED, group=group)
    FrameFactory(event=announced, opens_at=timezone.now() + timedelta(hours=1))
    assert announce_opened_registrations(now=timezone.now() + timedelta(hours=2)) == 1
    assert list(opened_mails().values_list("recipient_id", flat=True)) == [fans[1].pk]


def test_frame_open_at_publication_is_covered_by_the_published_mail(group, organizer, draft):
    members(group, 2)
    FrameFactory(event=draft, opens_at=timezone.now() - timedelta(minutes=30))
    FrameFactory(event=draft, opens_at=None)
    publish_event(event=draft, by=organizer)
    assert announce_opened_registrations() == 0
    assert OutboxMail.objects.filter(template="event_published").count() == 2


def test_opened_job_skips_old_started_closed_and_unpublished(group, organizer):
    members(group, 2)
    now = timezone.now()
    before = now - timedelta(days=3)
    published = EventFactory(group=group, published_at=before)
    FrameFactory(event=published, opens_at=now - timedelta(days=1, minutes=1))  # too long ago
    FrameFactory(
        event=published, opens_at=now - timedelta(hours=1), closes_at=now - timedelta(minutes=1)
    )  # already closed
    started = EventFactory(group=group, published_at=before, starts_at=now - timedelta(minutes=5))
    FrameFactory(event=started, opens_at=now - timedelta(hours=1))
    draft = EventFactory(group=group, status=EventStatus.DRAFT, published_at=None)
    FrameFactory(event=draft, opens_at=now - timedelta(hours=1))
    cancelled = EventFactory(group=group, status=EventStatus.CANCELLED, published_at=before)
    FrameFactory(event=cancelled, opens_at=now - timedelta(hours=1))
    assert announce_opened_registrations(now=now) == 0
    due = FrameFactory(event=published, opens_at=now - timedelta(hours=1))
    assert announce_opened_registrations(now=now) == 2
    assert set(opened_mails().values_list("key", flat=True)) == {
        f"registration-opened-{due.pk}-{uid}"
        for uid in group.members.values_list("user_id", flat=True)
    }

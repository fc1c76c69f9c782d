"""Rendering shared between recipients (core/mailrender.py, `render_shared`): only for
templates that never name the recipient, and never across languages or contexts."""

from __future__ import annotations

import pytest

from kaisai.core.mailrender import recipient_independent, render_all, render_shared
from kaisai.core.models import OutboxMail
from kaisai.notices.services.messages import send_message
from kaisai.registrations import services
from tests.factories import EventFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_which_templates_name_the_recipient():
    assert recipient_independent("organizer_message")
    assert not recipient_independent("registration_received")  # "Hello {{ name }}" (user.name)
    assert not recipient_independent("event_reminder")


def test_a_message_is_rendered_once_per_language_and_each_mail_is_its_own(group, organizer):
    event = EventFactory(group=group)
    frame = services.create_frame(event=event, by=organizer, capacity=10, name="General")
    people = [UserFactory(preferred_language=lang, display_name=f"P{i}")
              for i, lang in enumerate(["en", "ja", "en", "ja"])]  # fmt: skip
    for person in people:
        services.register(frame=frame, user=person)
    OutboxMail.objects.all().delete()
    send_message(event=event, by=organizer, audience="registrants", subject="Room",
                 body="We moved.")  # fmt: skip
    mails = list(OutboxMail.objects.select_related("recipient").order_by("id"))
    cache: dict = {}
    shared = [render_shared(mail, cache) for mail in mails]
    assert shared == [render_all(mail) for mail in mails]  # the same as rendering each
    assert len([key for key in cache if key[0] == "_rendered"]) == len(
        {(m.language, str(m.context)) for m in mails}
    )


def test_mails_that_name_the_recipient_are_rendered_for_each(group, organizer):
    event = EventFactory(group=group)
    frame = services.create_frame(event=event, by=organizer, capacity=10, name="General")
    for name in ("Ann", "Bob"):
        services.register(frame=frame, user=UserFactory(display_name=name))
    mails = list(OutboxMail.objects.select_related("recipient").order_by("id"))
    cache: dict = {}
    bodies = [render_shared(mail, cache)[1] for mail in mails]
    assert "Hello Ann," in bodies[0] and "Hello Bob," in bodies[1]
    assert not [key for key in cache if key[0] == "_rendered"]

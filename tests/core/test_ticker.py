from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from kaisai.core.models import OutboxMail
from kaisai.core.ticker import tick
from kaisai.registrations import services
from kaisai.registrations.enums import Method
from kaisai.registrations.models import Frame, Registration
from tests.factories import EventFactory, UserFactory


@pytest.mark.django_db
def test_tick_draws_a_lottery_whose_time_passed_while_no_worker_ran(group, organizer):
    event = EventFactory(group=group)
    frame = services.create_frame(event=event, by=organizer, capacity=1, name="L",
                                  method=Method.LOTTERY,
                                  lottery_at=timezone.now() + timedelta(hours=1))  # fmt: skip
    for person in UserFactory.create_batch(3):
        services.register(frame=frame, user=person)
    assert tick()["kaisai.registrations.services.draw_due_lotteries"] == 0
    Frame.objects.filter(pk=frame.pk).update(lottery_at=timezone.now() - timedelta(hours=2))
    call_command("tick")
    assert Registration.objects.filter(frame=frame, status="accepted").count() == 1
    assert Registration.objects.filter(frame=frame, status="waitlisted").count() == 2


@pytest.mark.django_db
def test_tick_sends_mail_that_is_due(group, organizer, user):
    event = EventFactory(group=group)
    frame = services.create_frame(event=event, by=organizer, capacity=1, name="G")
    services.register(frame=frame, user=user)  # on_commit delivery does not run in this test
    assert OutboxMail.objects.filter(state="pending").count() == 1
    tick()
    assert OutboxMail.objects.get().state == "sent"
    assert len(mail.outbox) == 1 and user.email in mail.outbox[0].to

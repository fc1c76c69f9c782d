"""Synthetic history written straight into the tables the forecast reads (fast: bulk inserts,
no services), with known per-person show rates."""

from __future__ import annotations

import random
from datetime import timedelta

from django.utils import timezone

from kaisai.accounts.models import User
from kaisai.checkin.models import CheckIn
from kaisai.events.models import Event
from kaisai.notices.models import Reconfirmation
from kaisai.registrations.enums import Status
from kaisai.registrations.models import Frame, Registration, RegistrationLog
from tests.factories import EventFactory


def people(count: int, prefix: str = "p") -> list[User]:
    users = [User(nickname=f"{prefix}{i}", email=f"{prefix}{i}@example.com") for i in range(count)]
    return User.objects.bulk_create(users)


def held_series(
    group,
    rates: dict[int, float],
    *,
    events: int,
    per_event: int,
    seed: int = 1,
    first_days_ago: int = 400,
    talk_share: float = 0.0,
    late_cancel_share: float = 0.0,
) -> list[Event]:
    """`events` past events of `group`, each with `per_event` people accepted among `rates`'
    users (user id → show rate), who come with their rate. Speakers (`talk_share` of each
    event) always come; a share of the no-shows cancel late instead of staying accepted."""
    rng = random.Random(seed)
    now = timezone.now()
    made = []
    users = sorted(rates)
    for k in range(events):
        starts = (
            now
            - timedelta(days=first_days_ago)
            + timedelta(days=k * (first_days_ago // (events + 1)))
        )
        event = EventFactory(group=group, starts_at=starts, ends_at=starts + timedelta(hours=2))
        general = Frame.objects.create(event=event, name="General", capacity=per_event)
        speakers = Frame.objects.create(
            event=event, name="LT", capacity=per_event, requires_talk=True
        )
        chosen = rng.sample(users, min(per_event, len(users)))
        regs, fates = [], []
        for user_id in chosen:
            talk = rng.random() < talk_share
            came = True if talk else rng.random() < rates[user_id]
            late = (not came) and rng.random() < late_cancel_share
            status = Status.CANCELLED if late else Status.ACCEPTED
            regs.append(
                Registration(
                    event=event,
                    frame=speakers if talk else general,
                    user_id=user_id,
                    status=status,
                )
            )
            fates.append((came, late))
        regs = Registration.objects.bulk_create(regs)
        Registration.objects.filter(event=event).update(created_at=starts - timedelta(days=10))
        CheckIn.objects.bulk_create(
            CheckIn(registration=r, event=event, checked_in_at=starts, method="search")
            for r, (came, _) in zip(regs, fates, strict=True)
            if came
        )
        logs = RegistrationLog.objects.bulk_create(
            RegistrationLog(
                registration=r,
                from_status=Status.ACCEPTED,
                to_status=Status.CANCELLED,
                frame_id=r.frame_id,
            )
            for r, (_, late) in zip(regs, fates, strict=True)
            if late
        )
        RegistrationLog.objects.filter(pk__in=[log.pk for log in logs]).update(
            created_at=starts - timedelta(hours=3)
        )
        made.append(event)
    return made


def reconfirm(registration: Registration, answer: str) -> None:
    Reconfirmation.objects.create(registration=registration, answer=answer)

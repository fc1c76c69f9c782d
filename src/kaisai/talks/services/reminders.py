"""The speaker loop: after the event, remind speakers whose talk has no slides yet.

A periodic job (settings.KAISAI_PERIODIC_JOBS). For accepted talks of published events that
ended at least 1 day and less than 30 days ago and have no slide material, each speaker with
an account gets a mail with a link to the materials page — once at 1 day, once more at 7 days.
The outbox key (talk-slides-<talk>-<user>-1 / -7) makes a repeated run, or two workers at
once, send nobody the same reminder twice. Speakers who switched speaker reminders off are
skipped.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from kaisai.core.models import OutboxMail
from kaisai.core.outbox import queue_mail
from kaisai.events.enums import EventStatus
from kaisai.notices.enums import MailKind
from kaisai.notices.optouts import opted_out_user_ids
from kaisai.talks.enums import MaterialKind, TalkState
from kaisai.talks.models import Material, Speaker

FIRST_AFTER = timedelta(days=1)
SECOND_AFTER = timedelta(days=7)
UNTIL = timedelta(days=30)


def reminder_key(talk_id: int, user_id: int, stage: int) -> str:
    return f"talk-slides-{talk_id}-{user_id}-{stage}"


def remind_missing_slides(now: datetime | None = None) -> int:
    """Queue the due slide reminders. Returns how many mails were queued."""
    now = now or timezone.now()
    slides = Material.objects.filter(talk_id=OuterRef("talk_id"), kind=MaterialKind.SLIDE)
    speakers = list(
        Speaker.objects.filter(
            user__isnull=False,
            talk__state=TalkState.ACCEPTED,
            talk__event__status=EventStatus.PUBLISHED,
            talk__event__ends_at__lte=now - FIRST_AFTER,
            talk__event__ends_at__gt=now - UNTIL,
        )
        .exclude(user__email="")
        .exclude(Exists(slides))
        .select_related("user", "talk__event")
        .order_by("talk_id", "id")
    )
    if not speakers:
        return 0
    due: dict[str, tuple[Speaker, int]] = {}
    for speaker in speakers:
        assert speaker.user_id is not None  # filtered above
        stage = 7 if speaker.talk.event.ends_at <= now - SECOND_AFTER else 1
        due[reminder_key(speaker.talk_id, speaker.user_id, stage)] = (speaker, stage)
    user_ids = {speaker.user_id for speaker, _stage in due.values() if speaker.user_id}
    skip = opted_out_user_ids(user_ids, kind=MailKind.SPEAKER_REMINDER)
    sent = set(OutboxMail.objects.filter(key__in=list(due)).values_list("key", flat=True))
    count = 0
    with transaction.atomic():
        for key, (speaker, stage) in due.items():
            if key in sent or speaker.user_id in skip:
                continue
            queue_mail(
                key=key,
                user=speaker.user,
                template="speaker_slides_reminder",
                context={"talk": speaker.talk, "event": speaker.talk.event, "stage": stage},
                kind=MailKind.SPEAKER_REMINDER,
            )
            count += 1
    return count

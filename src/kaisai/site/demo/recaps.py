"""Demo data: the past MLCT events have published recaps (drafted by kaisai, with a short
personal note added), and two participants of the last one linked their own posts. Nobody is
mailed (the demo's members would get four recaps at once)."""

from __future__ import annotations

from kaisai.accounts.models import User
from kaisai.events.models import Event
from kaisai.recaps.services import do_add_external_recap, do_draft_recap, do_publish_recap
from kaisai.registrations.enums import Status
from kaisai.registrations.models import Registration
from kaisai.surveys.selectors import highlights as survey_highlights

NOTE = "\n当日の写真は後日追加します。ご参加・ご協力いただいた皆さま、ありがとうございました!\n"


def publish_past_recaps(past: list[Event], by: User) -> None:
    for event in past:
        recap = do_draft_recap(event=event, by=by, survey_highlights=survey_highlights)
        recap.body += NOTE
        recap.save(update_fields=["body"])
        do_publish_recap(recap=recap, by=by, notify=False)
    if not past:
        return
    last = past[-1]
    writers = (
        Registration.objects.filter(event=last, status=Status.ACCEPTED, checkin__isnull=False)
        .select_related("user")
        .order_by("pk")[:2]
    )
    for number, registration in enumerate(writers, start=1):
        do_add_external_recap(
            event=last,
            by=registration.user,
            url=f"https://blog.example/{registration.user.nickname}/mlct-{last.number}",
            title=f"MLCT #{last.number} に参加してきました ({number})",
        )

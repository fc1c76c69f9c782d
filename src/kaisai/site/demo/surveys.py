"""The demo's post-event survey (docs/survey.md): the latest past MLCT event has a sent,
anonymous survey with per-talk feedback, answered by part of those who came. No mail is
queued: the survey is marked as sent as the worker would have done."""

from __future__ import annotations

import random
from datetime import timedelta

from kaisai.accounts.models import User
from kaisai.events.models import Event
from kaisai.surveys import selectors, services
from kaisai.surveys.enums import SurveyKind

PARTS = ["Talks", "Lightning talks", "Networking", "Food and drinks"]
COMMENTS = [
    "Very clear, thank you!",
    "I would love to see the code.",
    "A bit fast for me, but great content.",
    "分かりやすかったです。",
    "次回の続編を楽しみにしています。",
]


def past_event_survey(rng: random.Random, past: list[Event]) -> None:
    """A survey on the last past event, answered by about half of those who came."""
    if not past:
        return
    event = past[-1]
    survey = services.get_or_create_survey(event=event)
    services.save_settings(survey=survey, anonymous=True, per_talk=True)
    overall = services.add_question(
        survey=survey, label="How was the event overall?", kind=SurveyKind.RATING, required=True
    )
    liked = services.add_question(
        survey=survey, label="What did you like most?", kind=SurveyKind.SINGLE,
        choices="\n".join(PARTS),
    )  # fmt: skip
    services.add_question(survey=survey, label="What should we change?", kind=SurveyKind.TEXT)
    services.schedule(survey=survey)
    came = selectors.attendee_ids(event)
    survey.sent_at = event.ends_at + timedelta(hours=1)
    survey.sent_count = len(came)
    survey.save(update_fields=["sent_at", "sent_count"])
    talks = selectors.talks_asked(survey)
    people = User.objects.filter(pk__in=came).order_by("pk")
    for person in people:
        if rng.random() > 0.5:
            continue
        feedback = {
            str(talk.pk): {
                "rating": rng.choice([3, 4, 4, 5, 5]),
                "comment": rng.choice(COMMENTS) if rng.random() < 0.3 else "",
            }
            for talk in talks
            if rng.random() < 0.7
        }
        services.answer(
            survey=survey,
            user=person,
            answers={str(overall.pk): rng.choice([3, 4, 4, 5, 5, 5]),
                     str(liked.pk): rng.choice(PARTS)},
            talks=feedback,
        )  # fmt: skip

"""Who sees a survey's results (docs/survey.md): the event's owners and organizers see all of
it; a speaker sees the feedback on their own talk only, nobody else's."""

from __future__ import annotations

from kaisai.events.access import Viewer, managed_event_or_403
from kaisai.events.models import Event
from kaisai.groups.permissions import can_manage_events, require
from kaisai.talks.access import visible_talk_or_404
from kaisai.talks.models import Talk
from kaisai.talks.selectors_talks import is_speaker


def managed_survey_event_or_403(user: Viewer, pk: int) -> Event:
    return managed_event_or_403(user, pk)


def talk_feedback_or_403(user: Viewer, talk_id: int) -> Talk:
    """The talk whose feedback this user may read: its speakers and the event's organizers."""
    talk = visible_talk_or_404(user, talk_id)
    require(is_speaker(talk, user) or can_manage_events(user, talk.event.group))
    return talk

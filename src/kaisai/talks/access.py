"""Who may see, edit or decide a talk: the one place that says it (docs/permissions.md).

A talk follows its event's draft rule (`kaisai.events.access.can_see_event`): on an event
the user may not see, only the talk's own speakers see it.

- `can_see_talk`: an accepted talk of a visible event, for everyone; any talk of a visible
  event, for the group's team (owner, organizer, reception); always, for its speakers.
- `can_edit_talk`: its speakers and the event's owners and organizers.
- `can_decide_talk`: the event's owners and organizers.
- `visible_talk_or_404`, `editable_talk_or_403`, `decidable_talk_or_403`: the talk for a
  page; 404 unless the user may see it, then 403 unless they may do the page's action.
"""

from __future__ import annotations

from django.http import Http404

from kaisai.events.access import Viewer, can_see_event
from kaisai.groups.access import require_two_factor
from kaisai.groups.permissions import can_manage_events, require, role_of
from kaisai.talks.enums import TalkState
from kaisai.talks.models import Talk
from kaisai.talks.selectors_talks import is_speaker, talk_for_page


def can_see_talk(user: Viewer, talk: Talk) -> bool:
    if is_speaker(talk, user):
        return True
    if not can_see_event(user, talk.event):
        return False
    return talk.state == TalkState.ACCEPTED or role_of(user, talk.event.group) is not None


def can_edit_talk(user: Viewer, talk: Talk) -> bool:
    """Only the talk's speakers and the event's organizers (owner, organizer) edit it."""
    return is_speaker(talk, user) or can_manage_events(user, talk.event.group)


def can_decide_talk(user: Viewer, talk: Talk) -> bool:
    return can_manage_events(user, talk.event.group)


def visible_talk_or_404(user: Viewer, talk_id: int) -> Talk:
    """The talk for its page (`talk_for_page`), 404 unless the user may see it."""
    talk = talk_for_page(talk_id)
    if talk is None or not can_see_talk(user, talk):
        raise Http404
    return talk


def editable_talk_or_403(user: Viewer, talk_id: int) -> Talk:
    talk = visible_talk_or_404(user, talk_id)
    require(can_edit_talk(user, talk))
    return talk


def decidable_talk_or_403(user: Viewer, talk_id: int) -> Talk:
    talk = visible_talk_or_404(user, talk_id)
    require(can_decide_talk(user, talk))
    require_two_factor(user, talk.event.group)
    return talk

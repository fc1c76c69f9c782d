"""Reads for recaps: the event page's part, the recap pages, the API."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from kaisai.core.subqueries import CountOf
from kaisai.events.models import Event
from kaisai.groups.models import Organizer
from kaisai.notices.enums import MailKind
from kaisai.notices.notify import group_notice_recipients
from kaisai.recaps.access import can_add_external_recap, can_remove_external_recap
from kaisai.recaps.models import ExternalRecap, Recap

# The notice a published recap goes out as: members who switched off "new materials" for the
# group (or everywhere) do not get it — the recap is listed with the event's materials.
RECAP_MAIL_KIND = MailKind.MATERIALS_ADDED


def recap_of(event: Event) -> Recap | None:
    """The event's recap (draft or published), or None; no query when the event was loaded
    with `select_related("recap")` (the event page)."""
    if Event.recap.is_cached(event):
        return getattr(event, "recap", None)
    return Recap.objects.filter(event=event).first()


def published_recap(event: Event) -> Recap | None:
    if not event.is_public:
        return None
    return Recap.objects.filter(event=event, published_at__isnull=False).first()


def external_recaps(event: Event) -> list[ExternalRecap]:
    """The posts linked to the event; no query when the event's query counted none
    (`n_external_recaps`, annotated by `page_annotations`)."""
    if getattr(event, "n_external_recaps", None) == 0:
        return []
    externals = list(ExternalRecap.objects.filter(event=event).select_related("user"))
    for external in externals:
        external.event = event  # loaded already: no query per post for its event and group
    return externals


EXTERNAL_RECAPS = CountOf(lambda: ExternalRecap.objects.all(), parent="event")


def page_annotations() -> dict[str, Any]:
    """What the event page's query adds to the event row: the number of linked posts
    (`n_external_recaps`), so that none costs no query."""
    return {"n_external_recaps": EXTERNAL_RECAPS()}


def notice_key(event: Event) -> str:
    return f"recap-{event.pk}"


def organizer_ids(event: Event) -> set[int]:
    return set(Organizer.objects.filter(group_id=event.group_id).values_list("user_id", flat=True))


def notice_recipients(event: Event) -> list:
    """The members a published recap is mailed to (what the confirmation counts): the group's
    members who did not switch the kind off, except its organizers and those mailed already."""
    return group_notice_recipients(
        event.group, kind=RECAP_MAIL_KIND, exclude=organizer_ids(event), key=notice_key(event)
    )


def event_page_context(request: HttpRequest, event: Event, *, can_manage: bool) -> dict[str, Any]:
    """Context for recaps/_event_recap.html: the published recap (a draft only as a link for
    the organizers), the external recaps with whether the viewer may remove each, and whether
    the viewer may link one."""
    recap = recap_of(event)
    externals = external_recaps(event)
    for external in externals:
        external.removable = can_remove_external_recap(request.user, external)
    return {
        "recap": recap if recap is not None and (recap.is_published or can_manage) else None,
        "external_recaps": externals,
        "may_add_external_recap": can_add_external_recap(request.user, event),
    }

"""Reads for materials (資料): the materials page, the event page's link, per-talk flags, and
who may add or delete a material."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch
from django.http import HttpRequest

from kaisai.accounts.requests import AnyUser
from kaisai.events.models import Event
from kaisai.groups.permissions import can_manage_events
from kaisai.talks.embeds import is_allowed_embed
from kaisai.talks.enums import MaterialKind, TalkState
from kaisai.talks.models import Material, Speaker, Talk


def event_page_context(request: HttpRequest, event: Event, *, can_manage: bool) -> dict[str, Any]:
    """Context for the event page's part of this module (template talks/_event_materials.html):
    the number of materials (one query) for the link to the materials page."""
    count = getattr(event, "n_materials", None)  # annotated by the page (sections.page_annotations)
    if count is None:
        count = Material.objects.filter(event=event).count()
    return {"materials_count": count}


def material_flags(talk_ids: list[int]) -> dict[int, dict[str, bool]]:
    """Per talk: {"slides": bool, "video": bool} — one query for all talks."""
    flags = {talk_id: {"slides": False, "video": False} for talk_id in talk_ids}
    if not flags:
        return flags
    rows = (
        Material.objects.filter(
            talk_id__in=list(flags), kind__in=[MaterialKind.SLIDE, MaterialKind.MOVIE]
        )
        .values_list("talk_id", "kind")
        .distinct()
    )
    for talk_id, kind in rows:
        flags[talk_id]["slides" if kind == MaterialKind.SLIDE else "video"] = True
    return flags


# --- who may do what ---------------------------------------------------------------------


def speaker_talk_ids(user: AnyUser, event: Event) -> set[int]:
    """Ids of the event's talks that `user` speaks in (one query; empty for anonymous)."""
    if user is None or not user.is_authenticated:
        return set()
    return set(
        Speaker.objects.filter(talk__event=event, user=user).values_list("talk_id", flat=True)
    )


def can_add_material(user: AnyUser, event: Event, talk: Talk | None) -> bool:
    """Organizers for any talk or the whole event; a talk's speakers for their talk."""
    if can_manage_events(user, event.group):
        return True
    return talk is not None and talk.pk in speaker_talk_ids(user, event)


def can_delete_material(user: AnyUser, material: Material) -> bool:
    event = material.event
    if can_manage_events(user, event.group):
        return True
    return material.talk_id is not None and material.talk_id in speaker_talk_ids(user, event)


# --- the materials page ------------------------------------------------------------------


@dataclass
class TalkMaterials:
    talk: Talk
    speakers: list[Speaker]
    materials: list[Material]
    starts_at: Any = None
    may_edit: bool = False


@dataclass
class MaterialsPage:
    talks: list[TalkMaterials]
    event_materials: list[Material]
    addable_talks: list[Talk] = field(default_factory=list)
    may_add_event_level: bool = False

    @property
    def may_add(self) -> bool:
        return self.may_add_event_level or bool(self.addable_talks)

    @property
    def count(self) -> int:
        return len(self.event_materials) + sum(len(t.materials) for t in self.talks)


def _with_safe_embed(material: Material) -> Material:
    """Only an allow-listed https iframe src reaches the template (checked again on output)."""
    material.safe_embed_url = material.embed_url if is_allowed_embed(material.embed_url) else ""
    return material


def materials_page(event: Event, user: AnyUser) -> MaterialsPage:
    """Accepted talks in timetable order (talks without a slot after them, in talk order), each
    with its speakers and materials; the event's own materials; what `user` may add to.
    A fixed number of queries, however many talks and materials."""
    talks = list(
        Talk.objects.filter(event=event, state=TalkState.ACCEPTED)
        .select_related("slot")
        .prefetch_related(
            Prefetch("speakers", queryset=Speaker.objects.select_related("user")),
            Prefetch("materials", queryset=Material.objects.order_by("created_at", "id")),
        )
        .order_by("id")
    )

    talks.sort(key=_order_key)
    is_organizer = can_manage_events(user, event.group)
    own = speaker_talk_ids(user, event) if not is_organizer else set()
    rows = [
        TalkMaterials(
            talk=talk,
            speakers=list(talk.speakers.all()),
            materials=[_with_safe_embed(m) for m in talk.materials.all()],
            starts_at=talk.slot.starts_at if _has_slot(talk) else None,
            may_edit=is_organizer or talk.pk in own,
        )
        for talk in talks
    ]
    event_materials = [
        _with_safe_embed(m)
        for m in Material.objects.filter(event=event, talk__isnull=True).order_by(
            "created_at", "id"
        )
    ]
    return MaterialsPage(
        talks=rows,
        event_materials=event_materials,
        addable_talks=[row.talk for row in rows if row.may_edit],
        may_add_event_level=is_organizer,
    )


def _has_slot(talk: Talk) -> bool:
    try:
        return talk.slot is not None
    except Talk.slot.RelatedObjectDoesNotExist:
        return False


def _order_key(talk: Talk) -> tuple[int, Any, int]:
    if _has_slot(talk):
        return (0, talk.slot.starts_at.timestamp(), talk.pk)
    return (1, 0.0, talk.pk)

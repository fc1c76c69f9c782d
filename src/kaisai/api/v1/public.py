"""Public reads: groups, talks and materials (no token)."""

from __future__ import annotations

from django.conf import settings
from django.db.models import Prefetch
from django.http import Http404, HttpRequest
from ninja import Router

from kaisai.api.v1.events import event_summary
from kaisai.api.v1.params import EventLimit, ObjectId, Offset
from kaisai.api.v1.schemas import ErrorOut
from kaisai.api.v1.schemas_more import GroupDetailOut, GroupOut, MaterialOut, TalkOut
from kaisai.events.access import public_event_or_404
from kaisai.events.selectors import upcoming_events_of_group
from kaisai.events.selectors_groups import group_by_slug, groups_for_list
from kaisai.talks.enums import TalkState
from kaisai.talks.models import Material, Speaker, Talk

router = Router(tags=["public"])


def group_out(group) -> dict:
    return {
        "slug": group.slug,
        "title": group.title,
        "subtitle": group.subtitle,
        "description": group.description,
        "website": group.website,
        "url": settings.BASE_URL + group.get_absolute_url(),
        "member_count": group.member_count,
        "upcoming_event_count": group.upcoming_event_count,
    }


def material_out(material: Material) -> dict:
    return {
        "id": material.pk,
        "talk_id": material.talk_id,
        "kind": material.kind,
        "url": material.url,
        "title": material.title,
        "provider": material.provider,
        "embed_url": material.embed_url,
        "created_at": material.created_at,
    }


@router.get(
    "/groups/", response=list[GroupOut], operation_id="list_groups", auth=None,
    summary="Groups",
)  # fmt: skip
def list_groups(request: HttpRequest, limit: EventLimit = 50, offset: Offset = 0):
    limit, offset = max(1, min(limit, 100)), max(0, offset)
    return [group_out(g) for g in groups_for_list()[offset : offset + limit]]


@router.get(
    "/groups/{slug}/", response={200: GroupDetailOut, 404: ErrorOut}, operation_id="get_group",
    auth=None, summary="A group with its upcoming events",
)  # fmt: skip
def get_group(request: HttpRequest, slug: str):
    group = group_by_slug(slug).first()
    if group is None:
        raise Http404("No such group.")
    events = upcoming_events_of_group(group)[:50]
    return {**group_out(group), "upcoming_events": [event_summary(e) for e in events]}


@router.get(
    "/events/{event_id}/talks/", response={200: list[TalkOut], 404: ErrorOut},
    operation_id="list_talks", auth=None,
    summary="Accepted talks of an event with speakers, time slot and materials",
)  # fmt: skip
def list_talks(request: HttpRequest, event_id: ObjectId):
    event = public_event_or_404(event_id)
    talks = (
        Talk.objects.filter(event=event, state=TalkState.ACCEPTED)
        .select_related("slot")
        .prefetch_related(
            Prefetch("speakers", queryset=Speaker.objects.select_related("user")),
            "materials",
        )
        .order_by("slot__starts_at", "id")
    )
    result = []
    for talk in talks:
        slot = getattr(talk, "slot", None)
        result.append(
            {
                "id": talk.pk,
                "event_id": talk.event_id,
                "title": talk.title,
                "abstract": talk.abstract,
                "kind": talk.kind,
                "duration": talk.duration,
                "language": talk.language,
                "state": talk.state,
                "speakers": [
                    {"name": s.display_name, "nickname": s.user.nickname if s.user else None}
                    for s in talk.speakers.all()
                ],
                "starts_at": slot.starts_at if slot else None,
                "materials": [material_out(m) for m in talk.materials.all()],
            }
        )
    return result


@router.get(
    "/events/{event_id}/materials/", response={200: list[MaterialOut], 404: ErrorOut},
    operation_id="list_materials", auth=None,
    summary="Materials (slides, videos, posts) of an event and its talks",
)  # fmt: skip
def list_materials(request: HttpRequest, event_id: ObjectId):
    event = public_event_or_404(event_id)
    materials = Material.objects.filter(event=event).exclude(
        talk__state__in=[TalkState.REJECTED, TalkState.WITHDRAWN, TalkState.PROPOSED]
    )
    return [material_out(m) for m in materials.order_by("created_at", "id")]

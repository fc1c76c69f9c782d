"""The group list and the group page: the group with its events and its calls for speakers."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from kaisai.events.selectors import past_events_of_group, upcoming_events_of_group
from kaisai.events.selectors_groups import draft_events_of_group, group_by_slug, groups_for_list
from kaisai.groups import selectors
from kaisai.groups.permissions import can_manage_group, role_of
from kaisai.talks.selectors_cfp import open_calls_for_speakers

GROUPS_PER_PAGE = 30
PAST_EVENTS_PER_PAGE = 20


def group_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(groups_for_list(), GROUPS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "groups/group_list.html", {"page": page, "groups": page.object_list})


def group_detail(request: HttpRequest, slug: str) -> HttpResponse:
    group = get_object_or_404(group_by_slug(slug))
    role = role_of(request.user, group)
    manages = can_manage_group(request.user, group)
    past_page = Paginator(past_events_of_group(group), PAST_EVENTS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    context = {
        "group": group,
        "role": role,
        "manages": manages,
        "upcoming_events": list(upcoming_events_of_group(group)),
        "past_page": past_page,
        "past_events": past_page.object_list,
        "draft_events": list(draft_events_of_group(group)) if manages else [],
        "organizers": list(selectors.organizers_of(group)),
        "is_member": selectors.is_member(request.user, group),
        "pending_request": (
            selectors.pending_request_of(request.user, group) if role is None else None
        ),
        "pending_request_count": selectors.pending_requests_of(group).count() if manages else 0,
        "calls_for_speakers": open_calls_for_speakers(group),
    }
    return render(request, "groups/group_detail.html", context)

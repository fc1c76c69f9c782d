"""The group for a page that manages it: the one place that says it (docs/permissions.md)."""

from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.shortcuts import get_object_or_404

from kaisai.groups.models import Group
from kaisai.groups.permissions import can_manage_group, require


def managed_group_or_403(user: AbstractBaseUser | AnonymousUser | None, slug: str) -> Group:
    """The group, 404 if unknown, 403 unless the user is its owner or an organizer (edit the
    group, its team, its webhooks; create its events)."""
    group = get_object_or_404(Group, slug=slug)
    require(can_manage_group(user, group))
    return group

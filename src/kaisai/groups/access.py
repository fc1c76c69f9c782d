"""The group for a page that manages it: the one place that says it (docs/permissions.md).

The two-factor rule is here too: a group with `require_mfa` is managed by its owners and
organizers only once they use two-factor authentication (`require_two_factor`). Every
organizer page reaches it through `managed_group_or_403` or the event rules of
`kaisai.events.access`; `MFARequired` is a 403 that `MFARequiredMiddleware` turns into a
redirect to the two-factor settings with a message (the API answers it as its 403).
"""

from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from kaisai.accounts.selectors import has_two_factor
from kaisai.groups.models import Group
from kaisai.groups.permissions import (
    MANAGING_ROLES,
    can_manage_group,
    is_owner,
    require,
    role_of,
)

Viewer = AbstractBaseUser | AnonymousUser | None


class MFARequired(PermissionDenied):
    """The group requires two-factor authentication of its managers, and this one has none."""

    def __init__(self, group: Group) -> None:
        super().__init__(f"The group {group.slug} requires two-factor authentication.")
        self.group = group


def needs_two_factor(user: Viewer, group: Group) -> bool:
    """True if the user manages the group (owner, organizer), the group requires two-factor
    authentication and the user does not use it yet."""
    return group.require_mfa and role_of(user, group) in MANAGING_ROLES and not has_two_factor(user)


def require_two_factor(user: Viewer, group: Group) -> None:
    """Raise `MFARequired` when `needs_two_factor`."""
    if needs_two_factor(user, group):
        raise MFARequired(group)


def managed_group_or_403(user: Viewer, slug: str) -> Group:
    """The group, 404 if unknown, 403 unless the user is its owner or an organizer (edit the
    group, its team, its webhooks; create its events); `MFARequired` per the group's rule."""
    group = get_object_or_404(Group, slug=slug)
    require(can_manage_group(user, group))
    require_two_factor(user, group)
    return group


def owned_group_or_403(user: Viewer, slug: str) -> Group:
    """The group for its owners' pages (the action log, the two-factor setting): 404 if
    unknown, 403 unless the user is an owner."""
    group = managed_group_or_403(user, slug)
    require(is_owner(user, group))
    return group

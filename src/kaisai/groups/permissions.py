"""Who may do what in a group. Every organizer view calls one of these (see docs/permissions.md).

- owner: everything, including organizers' roles
- organizer: edit the group, create and manage events, approve organizer requests
- reception: check people in at the door (no editing)
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from kaisai.groups.enums import Role
from kaisai.groups.models import Group, Organizer

MANAGING_ROLES = frozenset({Role.OWNER, Role.ORGANIZER})
ALL_ROLES = frozenset(Role)


def role_of(user, group: Group) -> Role | None:
    """The user's role in the group, or None. Cached per request on the user object."""
    if user is None or not user.is_authenticated:
        return None
    cache = user.__dict__.setdefault("_kaisai_roles", {})
    if group.pk not in cache:
        prefetched = getattr(group, "_prefetched_objects_cache", {}).get("organizers")
        if prefetched is not None:  # the page loaded the organizers already (event_for_page)
            role = next((o.role for o in prefetched if o.user_id == user.pk), None)
        else:
            role = (
                Organizer.objects.filter(group=group, user=user)
                .values_list("role", flat=True)
                .first()
            )
        cache[group.pk] = Role(role) if role else None
    return cache[group.pk]


def is_owner(user, group: Group) -> bool:
    return role_of(user, group) == Role.OWNER


def can_manage_group(user, group: Group) -> bool:
    """Edit the group, manage its organizers' requests and invitations, create events."""
    return role_of(user, group) in MANAGING_ROLES


def can_manage_events(user, group: Group) -> bool:
    return role_of(user, group) in MANAGING_ROLES


def can_do_reception(user, group: Group) -> bool:
    return role_of(user, group) in ALL_ROLES


def require(allowed: bool) -> None:
    """Raise 403 unless allowed. Views use it after @login_required has sent anonymous users
    to the login page."""
    if not allowed:
        raise PermissionDenied

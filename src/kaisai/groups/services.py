"""Every write to groups: creation, editing, following, and the organizing team.

Each service checks its own rules (including who may do it: defence in depth behind the
views' permission checks) and raises GroupError with a translatable message before, or inside
the atomic block of, any write.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kaisai.accounts.models import User
from kaisai.accounts.selectors import LISTING_CHOICES, has_two_factor
from kaisai.core.images import discard_replaced
from kaisai.groups.enums import Action, RequestStatus, Role
from kaisai.groups.models import Group, Member, Organizer, OrganizerInvitation, OrganizerRequest
from kaisai.groups.permissions import MANAGING_ROLES
from kaisai.groups.services_log import log_action

INVITATION_LIFETIME = timedelta(days=7)
RESERVED_SLUGS = frozenset({"new"})  # would be shadowed by /groups/new/
EDITABLE_FIELDS = frozenset({"title", "subtitle", "description", "website", "x_account", "image"})


class GroupError(ValidationError):
    """A rule of the groups app was broken; the message is meant for the person acting."""


# --- helpers -----------------------------------------------------------------------------


def _current_role(user: User, group: Group) -> Role | None:
    """The user's role read from the database now (not the per-request cache of permissions)."""
    if user is None or not user.is_authenticated:
        return None
    role = Organizer.objects.filter(group=group, user=user).values_list("role", flat=True).first()
    return Role(role) if role else None


def _forget_roles(*users) -> None:
    """Drop the per-request role cache of kaisai.groups.permissions.role_of after a change."""
    for user in users:
        if user is not None:
            user.__dict__.pop("_kaisai_roles", None)


def _lock_group(group: Group) -> Group:
    """Serialise changes to one group's team (PostgreSQL row lock; SQLite writes are serial)."""
    return Group.objects.select_for_update().get(pk=group.pk)


def _require_manager(user: User, group: Group) -> None:
    if _current_role(user, group) not in MANAGING_ROLES:
        raise GroupError(_("Only the group's owners and organizers may do this."), code="forbidden")


def _require_owner(user: User, group: Group) -> None:
    if _current_role(user, group) != Role.OWNER:
        raise GroupError(_("Only an owner of the group may do this."), code="forbidden")


def _validate_role(role: str) -> Role:
    if role not in Role.values:
        raise GroupError(_("Choose a valid role."), code="invalid_role")
    return Role(role)


def _validate(group: Group) -> None:
    """Model validation, reported as GroupError (field errors stay attached to their fields)."""
    try:
        group.full_clean()
    except ValidationError as error:
        raise GroupError(error.error_dict) from error


def _apply_fields(group: Group, fields: dict[str, Any]) -> None:
    for name, value in fields.items():
        # save_form_data understands uploaded files and "clear" (False) for the image.
        field = Group._meta.get_field(name)
        assert isinstance(field, models.Field)
        field.save_form_data(group, value)


# --- the group itself --------------------------------------------------------------------


def create_group(*, creator, slug: str, title: str, **fields: Any) -> Group:
    """Create a group; its creator becomes its owner."""
    if creator is None or not creator.is_authenticated:
        raise GroupError(_("Log in to create a group."), code="forbidden")
    unknown = set(fields) - EDITABLE_FIELDS
    if unknown:
        raise GroupError(_("These fields cannot be set: %(fields)s"), params={"fields": unknown})
    if slug in RESERVED_SLUGS:
        raise GroupError({"slug": _("This slug is reserved. Choose another.")}, code="reserved")
    group = Group(slug=slug, title=title)
    _apply_fields(group, fields)
    _validate(group)
    try:
        with transaction.atomic():
            group.save()
            Organizer.objects.create(group=group, user=creator, role=Role.OWNER)
    except IntegrityError as error:
        # Someone took the same slug between the check and the write.
        group.pk = None
        raise GroupError(
            {"slug": _("A group with this slug already exists.")}, code="slug_taken"
        ) from error
    _forget_roles(creator)
    return group


def update_group(*, group: Group, by: User, **changes: Any) -> Group:
    """Change the group's page. The slug is its permanent address and never changes."""
    if "slug" in changes:
        raise GroupError(_("The slug of a group cannot be changed."), code="slug_fixed")
    unknown = set(changes) - EDITABLE_FIELDS
    if unknown:
        raise GroupError(_("These fields cannot be set: %(fields)s"), params={"fields": unknown})
    _require_manager(by, group)
    old_files = {"image": group.image.name or ""} if "image" in changes else {}
    _apply_fields(group, changes)
    _validate(group)
    with transaction.atomic():
        group.save()
        discard_replaced(group, old_files)
    return group


# --- members -------------------------------------------------------------------------------


def follow_group(*, group: Group, user: User) -> Member:
    """Follow the group (become a member). Following twice changes nothing."""
    if user is None or not user.is_authenticated:
        raise GroupError(_("Log in to follow a group."), code="forbidden")
    with transaction.atomic():
        member, _created = Member.objects.get_or_create(group=group, user=user)
    return member


def unfollow_group(*, group: Group, user: User) -> None:
    """Stop following the group. Unfollowing a group one does not follow changes nothing."""
    with transaction.atomic():
        Member.objects.filter(group=group, user=user).delete()


def set_member_listed(*, group: Group, user: User, choice: str) -> Member:
    """The member's own choice for the group's members list: "show", "hide" or "default"
    (follow their settings). Only the person's own membership is changed."""
    if choice not in LISTING_CHOICES:
        raise GroupError(_("Choose to appear, to stay hidden or your default."), code="invalid")
    listed = LISTING_CHOICES[choice]
    with transaction.atomic():
        member = Member.objects.select_for_update().filter(group=group, user=user).first()
        if member is None:
            raise GroupError(_("You do not follow this group."), code="not_member")
        if member.listed is not listed:
            member.listed = listed
            member.save(update_fields=["listed"])
    return member


# --- invitations ---------------------------------------------------------------------------


def create_invitation(*, group: Group, by: User, role: str = Role.ORGANIZER) -> OrganizerInvitation:
    """A single-use link, valid for 7 days, that makes whoever opens it an organizer."""
    role = _validate_role(role)
    _require_manager(by, group)
    if role == Role.OWNER and _current_role(by, group) != Role.OWNER:
        raise GroupError(_("Only an owner may invite another owner."), code="forbidden")
    with transaction.atomic():
        invitation = OrganizerInvitation.objects.create(
            group=group,
            token=secrets.token_urlsafe(32),
            role=role,
            created_by=by,
            expires_at=timezone.now() + INVITATION_LIFETIME,
        )
        log_action(
            group=group, actor=by, action=Action.TOKEN_CHANGED, invitation="created", role=role
        )
    return invitation


def revoke_invitation(*, invitation: OrganizerInvitation, by: User) -> None:
    """Withdraw an unused invitation link."""
    _require_manager(by, invitation.group)
    with transaction.atomic():
        OrganizerInvitation.objects.filter(pk=invitation.pk, used_at__isnull=True).delete()
        log_action(
            group=invitation.group,
            actor=by,
            action=Action.TOKEN_CHANGED,
            invitation="revoked",
            role=invitation.role,
        )


def check_invitation(invitation: OrganizerInvitation) -> None:
    """Raise GroupError (code "used" or "expired") unless the invitation can still be used."""
    if invitation.used_at is not None:
        raise GroupError(_("This invitation link has already been used."), code="used")
    if invitation.expires_at <= timezone.now():
        raise GroupError(
            _("This invitation link has expired. Ask the organizers for a new one."),
            code="expired",
        )


def accept_invitation(*, invitation: OrganizerInvitation, user: User) -> tuple[Organizer, bool]:
    """Join the organizing team with the invitation's role.

    Returns (organizer, created). A user who already organizes the group keeps their role and
    leaves the invitation unused for the person it was meant for.
    """
    if user is None or not user.is_authenticated:
        raise GroupError(_("Log in to accept the invitation."), code="forbidden")
    with transaction.atomic():
        group = _lock_group(invitation.group)
        existing = Organizer.objects.filter(group=group, user=user).first()
        if existing is not None:
            return existing, False
        invitation.refresh_from_db()
        check_invitation(invitation)
        now = timezone.now()
        # The conditional update is the single-use guarantee, even for two simultaneous clicks.
        taken = OrganizerInvitation.objects.filter(pk=invitation.pk, used_at__isnull=True).update(
            used_by=user, used_at=now
        )
        if taken != 1:
            raise GroupError(_("This invitation link has already been used."), code="used")
        invitation.used_by, invitation.used_at = user, now
        organizer = Organizer.objects.create(group=group, user=user, role=invitation.role)
        # A pending request of the same person is answered by the invitation.
        OrganizerRequest.objects.filter(
            group=group, user=user, status=RequestStatus.PENDING
        ).update(status=RequestStatus.APPROVED, decided_by=invitation.created_by, decided_at=now)
    _forget_roles(user)
    return organizer, True


# --- requests --------------------------------------------------------------------------------


def request_to_organize(
    *, group: Group, user: User, message: str = ""
) -> tuple[OrganizerRequest, bool]:
    """Ask the organizers to join the team. Returns (request, created); asking again while a
    request is pending returns the pending one."""
    if user is None or not user.is_authenticated:
        raise GroupError(_("Log in to ask to help organize."), code="forbidden")
    if _current_role(user, group) is not None:
        raise GroupError(_("You already organize this group."), code="already_organizer")
    pending = OrganizerRequest.objects.filter(
        group=group, user=user, status=RequestStatus.PENDING
    ).first()
    if pending is not None:
        return pending, False
    try:
        with transaction.atomic():
            request = OrganizerRequest.objects.create(group=group, user=user, message=message)
    except IntegrityError:
        # Two submissions at once: the database kept one pending request; return it.
        return OrganizerRequest.objects.get(group=group, user=user, status=RequestStatus.PENDING), (
            False
        )
    return request, True


def decide_request(*, request: OrganizerRequest, by: User, approve: bool) -> OrganizerRequest:
    """Approve (the person becomes an organizer) or decline a pending request."""
    group = request.group
    _require_manager(by, group)
    with transaction.atomic():
        _lock_group(group)
        request.refresh_from_db()
        if request.status != RequestStatus.PENDING:
            raise GroupError(_("This request has already been answered."), code="decided")
        request.status = RequestStatus.APPROVED if approve else RequestStatus.DECLINED
        request.decided_by = by
        request.decided_at = timezone.now()
        request.save(update_fields=["status", "decided_by", "decided_at"])
        if approve:
            Organizer.objects.get_or_create(
                group=group, user_id=request.user_id, defaults={"role": Role.ORGANIZER}
            )
    _forget_roles(request.user)
    return request


# --- the team --------------------------------------------------------------------------------


def _other_owners_exist(organizer: Organizer) -> bool:
    return (
        Organizer.objects.filter(group_id=organizer.group_id, role=Role.OWNER)
        .exclude(pk=organizer.pk)
        .exists()
    )


def change_role(*, organizer: Organizer, by: User, role: str) -> Organizer:
    """Give an organizer another role. Only owners may; a group always keeps one owner."""
    role = _validate_role(role)
    with transaction.atomic():
        _lock_group(organizer.group)
        _require_owner(by, organizer.group)
        organizer.refresh_from_db()
        if (
            organizer.role == Role.OWNER
            and role != Role.OWNER
            and not _other_owners_exist(organizer)
        ):
            raise GroupError(
                _("A group needs at least one owner. Make someone else an owner first."),
                code="last_owner",
            )
        old_role = organizer.role
        organizer.role = role
        organizer.save(update_fields=["role"])
        log_action(
            group=organizer.group,
            actor=by,
            action=Action.ROLE_CHANGED,
            person=organizer.user.nickname,
            old=old_role,
            new=role,
        )
    _forget_roles(by, organizer.user)
    return organizer


def remove_organizer(*, organizer: Organizer, by: User) -> None:
    """Take someone off the organizing team: an owner may remove anyone, anyone may leave.
    A group always keeps one owner."""
    with transaction.atomic():
        _lock_group(organizer.group)
        if by is None or organizer.user_id != by.pk:
            _require_owner(by, organizer.group)
        organizer.refresh_from_db()
        if organizer.role == Role.OWNER and not _other_owners_exist(organizer):
            raise GroupError(
                _("A group needs at least one owner. Make someone else an owner first."),
                code="last_owner",
            )
        organizer.delete()
        log_action(
            group=organizer.group,
            actor=by,
            action=Action.ORGANIZER_REMOVED,
            person=organizer.user.nickname,
            role=organizer.role,
        )
    _forget_roles(by, organizer.user)


def set_require_mfa(*, group: Group, by: User, required: bool) -> Group:
    """Switch the group's two-factor requirement for its owners and organizers. Only owners
    may; an owner turns it on only once they use two-factor authentication themselves (else
    they would lock themselves out of their own group's pages)."""
    with transaction.atomic():
        group = _lock_group(group)
        _require_owner(by, group)
        if required and not has_two_factor(by):
            raise GroupError(
                _("Set up two-factor authentication for yourself first."), code="mfa_missing"
            )
        if group.require_mfa != required:
            group.require_mfa = required
            group.save(update_fields=["require_mfa"])
            log_action(
                group=group, actor=by, action=Action.MFA_REQUIREMENT_CHANGED, required=required
            )
    return group

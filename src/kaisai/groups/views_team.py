"""The organizing team: roles, removal, invitation links and requests to help organize."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kaisai.accounts.requests import signed_in_user
from kaisai.groups import selectors
from kaisai.groups.access import managed_group_or_403
from kaisai.groups.enums import Role
from kaisai.groups.forms import DecisionForm, InvitationForm, OrganizerRequestForm, RoleForm
from kaisai.groups.models import Group, Organizer, OrganizerInvitation, OrganizerRequest
from kaisai.groups.permissions import can_manage_group, is_owner, require, role_of
from kaisai.groups.services import (
    GroupError,
    accept_invitation,
    change_role,
    check_invitation,
    create_invitation,
    decide_request,
    remove_organizer,
    request_to_organize,
    revoke_invitation,
)


def _report(request: HttpRequest, error: GroupError) -> None:
    messages.error(request, " ".join(error.messages))


def _to_team(group: Group) -> HttpResponse:
    return redirect("groups:organizers", slug=group.slug)


@login_required
def organizers(request: HttpRequest, slug: str) -> HttpResponse:
    group = managed_group_or_403(request.user, slug)
    owner = is_owner(request.user, group)
    invitations = [
        (invitation, invitation_url(group, invitation))
        for invitation in selectors.open_invitations_of(group)
    ]
    context = {
        "group": group,
        "is_owner": owner,
        "team": list(selectors.organizers_of(group)),
        "requests": list(selectors.pending_requests_of(group)),
        "invitations": invitations,
        "invitation_form": InvitationForm(allow_owner=owner),
        "role_choices": Role.choices,
    }
    return render(request, "groups/organizers.html", context)


def invitation_url(group: Group, invitation: OrganizerInvitation) -> str:
    """The absolute link to send, on the site's public address (KAISAI_BASE_URL)."""
    path = reverse(
        "groups:invitation_accept", kwargs={"slug": group.slug, "token": invitation.token}
    )
    return settings.BASE_URL + path


@login_required
@require_POST
def organizer_role(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    group = managed_group_or_403(request.user, slug)
    require(is_owner(request.user, group))
    organizer = get_object_or_404(Organizer.objects.select_related("user"), pk=pk, group=group)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a valid role."))
        return _to_team(group)
    try:
        change_role(organizer=organizer, by=signed_in_user(request), role=form.cleaned_data["role"])
    except GroupError as error:
        _report(request, error)
    else:
        messages.success(
            request,
            _("%(name)s is now: %(role)s.")
            % {"name": organizer.user.name, "role": organizer.get_role_display()},
        )
    if not can_manage_group(request.user, group):
        return redirect(group)
    return _to_team(group)


@login_required
@require_POST
def organizer_remove(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    group = get_object_or_404(Group, slug=slug)
    require(role_of(request.user, group) is not None)
    organizer = get_object_or_404(Organizer.objects.select_related("user"), pk=pk, group=group)
    leaving = organizer.user_id == request.user.pk
    require(leaving or is_owner(request.user, group))
    try:
        remove_organizer(organizer=organizer, by=signed_in_user(request))
    except GroupError as error:
        _report(request, error)
        return _to_team(group) if can_manage_group(request.user, group) else redirect(group)
    if leaving:
        messages.success(request, _("You left the organizing team."))
        return redirect(group)
    messages.success(
        request, _("%(name)s was removed from the team.") % {"name": organizer.user.name}
    )
    return _to_team(group)


@login_required
@require_POST
def invitation_create(request: HttpRequest, slug: str) -> HttpResponse:
    group = managed_group_or_403(request.user, slug)
    form = InvitationForm(request.POST, allow_owner=is_owner(request.user, group))
    if not form.is_valid():
        messages.error(request, _("Choose a valid role."))
        return _to_team(group)
    try:
        create_invitation(group=group, by=signed_in_user(request), role=form.cleaned_data["role"])
    except GroupError as error:
        _report(request, error)
    else:
        messages.success(
            request,
            _(
                "An invitation link was created. Copy it and send it to the person: it works "
                "once, for 7 days."
            ),
        )
    return _to_team(group)


@login_required
@require_POST
def invitation_revoke(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    group = managed_group_or_403(request.user, slug)
    invitation = get_object_or_404(OrganizerInvitation, pk=pk, group=group)
    try:
        revoke_invitation(invitation=invitation, by=signed_in_user(request))
    except GroupError as error:
        _report(request, error)
    else:
        messages.success(request, _("The invitation link no longer works."))
    return _to_team(group)


@login_required
def invitation_accept(request: HttpRequest, slug: str, token: str) -> HttpResponse:
    invitation = get_object_or_404(
        OrganizerInvitation.objects.select_related("group", "created_by"),
        group__slug=slug,
        token=token,
    )
    group = invitation.group
    if role_of(request.user, group) is not None:
        messages.info(request, _("You already organize this group."))
        return redirect(group)
    try:
        check_invitation(invitation)
        if request.method == "POST":
            organizer, created = accept_invitation(
                invitation=invitation, user=signed_in_user(request)
            )
            if created:
                messages.success(
                    request,
                    _("Welcome to the organizing team of “%(title)s” (%(role)s).")
                    % {"title": group.title, "role": organizer.get_role_display()},
                )
            else:
                messages.info(request, _("You already organize this group."))
            return redirect(group)
    except GroupError as error:
        context = {"group": group, "error": " ".join(error.messages)}
        return render(request, "groups/invitation_invalid.html", context, status=410)
    return render(
        request, "groups/invitation_accept.html", {"group": group, "invitation": invitation}
    )


@login_required
def request_organize(request: HttpRequest, slug: str) -> HttpResponse:
    group = get_object_or_404(Group, slug=slug)
    if role_of(request.user, group) is not None:
        messages.info(request, _("You already organize this group."))
        return redirect(group)
    if request.method == "POST":
        form = OrganizerRequestForm(request.POST)
        if form.is_valid():
            try:
                _request, created = request_to_organize(
                    group=group, user=signed_in_user(request), message=form.cleaned_data["message"]
                )
            except GroupError as error:
                form.add_error(None, error)
            else:
                if created:
                    messages.success(
                        request,
                        _("Your request was sent. The organizers will answer it soon."),
                    )
                else:
                    messages.info(
                        request, _("You have already asked; the organizers will answer soon.")
                    )
                return redirect(group)
    else:
        form = OrganizerRequestForm()
    pending = selectors.pending_request_of(request.user, group)
    return render(
        request, "groups/request_form.html", {"group": group, "form": form, "pending": pending}
    )


@login_required
@require_POST
def request_decide(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    group = managed_group_or_403(request.user, slug)
    organizer_request = get_object_or_404(
        OrganizerRequest.objects.select_related("user", "group"), pk=pk, group=group
    )
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose approve or decline."))
        return _to_team(group)
    try:
        decide_request(request=organizer_request, by=signed_in_user(request), approve=form.approve)
    except GroupError as error:
        _report(request, error)
    else:
        name = organizer_request.user.name
        if form.approve:
            messages.success(request, _("%(name)s joined the organizing team.") % {"name": name})
        else:
            messages.success(request, _("The request of %(name)s was declined.") % {"name": name})
    return _to_team(group)

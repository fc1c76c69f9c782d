"""Group pages: create, edit, follow. The organizing team is in views_team.py; the list and
the group page show events and calls for speakers, so they are the site's (kaisai.site)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kaisai.accounts.requests import signed_in_user
from kaisai.accounts.selectors import is_listed, listing_choice
from kaisai.groups import selectors
from kaisai.groups.access import managed_group_or_403
from kaisai.groups.forms import GroupCreateForm, GroupEditForm
from kaisai.groups.models import Group
from kaisai.groups.services import (
    EDITABLE_FIELDS,
    GroupError,
    create_group,
    follow_group,
    set_member_listed,
    unfollow_group,
    update_group,
)


@login_required
def group_create(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = GroupCreateForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            fields = {name: data[name] for name in EDITABLE_FIELDS if name in data}
            fields.pop("title", None)
            try:
                group = create_group(
                    creator=request.user, slug=data["slug"], title=data["title"], **fields
                )
            except GroupError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request,
                    _("The group “%(title)s” was created. You are its owner.")
                    % {"title": group.title},
                )
                return redirect(group)
    else:
        form = GroupCreateForm()
    return render(request, "groups/group_form.html", {"form": form, "creating": True})


@login_required
def group_edit(request: HttpRequest, slug: str) -> HttpResponse:
    group = managed_group_or_403(request.user, slug)
    if request.method == "POST":
        # The form works on its own copy, so a rejected edit leaves `group` as it is stored.
        form = GroupEditForm(request.POST, request.FILES, instance=Group.objects.get(pk=group.pk))
        if form.is_valid():
            changes = {name: form.cleaned_data[name] for name in form.Meta.fields}
            try:
                update_group(group=group, by=signed_in_user(request), **changes)
            except GroupError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("The group page was saved."))
                return redirect(group)
    else:
        form = GroupEditForm(instance=group)
    return render(
        request, "groups/group_form.html", {"form": form, "group": group, "creating": False}
    )


@login_required
@require_POST
def follow(request: HttpRequest, slug: str) -> HttpResponse:
    group = get_object_or_404(Group, slug=slug)
    try:
        follow_group(group=group, user=signed_in_user(request))
    except GroupError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("You follow “%(title)s”. You will hear about its new events.")
            % {"title": group.title},
        )
    return redirect(group)


@login_required
@require_POST
def unfollow(request: HttpRequest, slug: str) -> HttpResponse:
    group = get_object_or_404(Group, slug=slug)
    unfollow_group(group=group, user=signed_in_user(request))
    messages.success(request, _("You no longer follow “%(title)s”.") % {"title": group.title})
    return redirect(group)


MEMBERS_PER_PAGE = 100


def members(request: HttpRequest, slug: str) -> HttpResponse:
    """The group's members list: those who chose to appear, the others counted."""
    group = get_object_or_404(Group, slug=slug)
    shown = selectors.shown_members_of(group)
    page = Paginator(shown, MEMBERS_PER_PAGE).get_page(request.GET.get("page"))
    mine = selectors.membership_of(request.user, group)
    total = group.members.count()
    context = {
        "group": group,
        "page": page,
        "members": [member.user for member in page.object_list],
        "total": total,
        "hidden": total - page.paginator.count,
        "membership": mine,
        "my_choice": listing_choice(mine.listed) if mine else None,
        "i_am_shown": is_listed(mine.listed, mine.user) if mine else False,
    }
    return render(request, "groups/members.html", context)


@login_required
@require_POST
def member_listing(request: HttpRequest, slug: str) -> HttpResponse:
    group = get_object_or_404(Group, slug=slug)
    try:
        member = set_member_listed(
            group=group, user=signed_in_user(request), choice=request.POST.get("choice", "")
        )
    except GroupError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if is_listed(member.listed, member.user):
            messages.success(request, _("You appear in the members list."))
        else:
            messages.success(request, _("You are hidden from the members list."))
    return redirect("groups:members", slug=group.slug)

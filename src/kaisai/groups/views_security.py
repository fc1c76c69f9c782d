"""Owners' pages of a group's security: the action log and the two-factor requirement."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kaisai.accounts.requests import signed_in_user
from kaisai.groups.access import owned_group_or_403
from kaisai.groups.selectors_log import action_log_of
from kaisai.groups.services import GroupError, set_require_mfa

LOG_PAGE_SIZE = 50


@login_required
def action_log(request: HttpRequest, slug: str) -> HttpResponse:
    group = owned_group_or_403(request.user, slug)
    page = Paginator(action_log_of(group), LOG_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "groups/action_log.html", {"group": group, "page": page})


@login_required
@require_POST
def require_mfa(request: HttpRequest, slug: str) -> HttpResponse:
    group = owned_group_or_403(request.user, slug)
    required = request.POST.get("require_mfa") == "on"
    try:
        set_require_mfa(group=group, by=signed_in_user(request), required=required)
    except GroupError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("Organizers of this group now need two-factor authentication.")
            if required
            else _("Organizers of this group no longer need two-factor authentication."),
        )
    return redirect("groups:organizers", slug=group.slug)

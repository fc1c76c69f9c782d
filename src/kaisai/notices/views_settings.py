"""A person's mail settings page, and the one-click unsubscribe link of every notice mail."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from kaisai.accounts.models import User
from kaisai.groups.models import Group
from kaisai.notices.enums import MailKind
from kaisai.notices.forms_settings import MailSettingsForm
from kaisai.notices.optouts import is_opted_out, opt_out, opt_outs_of, save_opt_outs
from kaisai.notices.unsubscribe import read_token


@login_required
def mail_settings(request: HttpRequest) -> HttpResponse:
    """Every kind of mail as a switch, everywhere and per followed group; saved at once."""
    user = cast(User, request.user)  # behind @login_required
    groups = Group.objects.filter(members__user=user).order_by("title", "pk")
    form = MailSettingsForm(request.POST or None, groups=groups, off=opt_outs_of(user))
    if request.method == "POST" and form.is_valid():
        save_opt_outs(user=user, managed=form.managed, off=form.switched_off())
        flash.success(request, _("Your mail settings are saved."))
        return redirect("notices:settings")
    return render(request, "notices/settings_mail.html", {"form": form, "active": "mail"})


# RFC 8058 one-click unsubscribe: the mail provider POSTs "List-Unsubscribe=One-Click" to the
# List-Unsubscribe URL without cookies, so there is no session and no CSRF token. The signed
# token in the URL is the authority: it can only switch off the one kind of mail it names for
# the one person it was made for, and doing so twice changes nothing. GET never changes
# anything (link scanners open links); it shows a page with the button that POSTs.
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    subscription = read_token(token)
    person = User.objects.filter(pk=subscription.user_id).first() if subscription else None
    group = None
    if subscription and subscription.group_id is not None:
        group = Group.objects.filter(pk=subscription.group_id).first()
    if subscription is None or person is None or (subscription.group_id and group is None):
        return render(request, "notices/unsubscribe_invalid.html", status=400)
    context: dict[str, Any] = {"kind_label": MailKind(subscription.kind).label, "group": group}
    if request.method == "POST":
        opt_out(user_id=person.pk, kind=subscription.kind, group_id=subscription.group_id)
        return render(request, "notices/unsubscribe_done.html", context)
    context["already"] = is_opted_out(person, kind=subscription.kind, group=group)
    return render(request, "notices/unsubscribe.html", context)

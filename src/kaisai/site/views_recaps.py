"""Recap pages (レポート): the public recap, the organizers' draft/edit/publish pages, and
linking or removing a participant's own post. Thin views over kaisai.recaps."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from kaisai.accounts.requests import signed_in_user
from kaisai.core.markdown import MARKDOWN_HELP
from kaisai.events.access import managed_event_or_403, visible_event_or_404
from kaisai.recaps.access import can_see_recap
from kaisai.recaps.models import MAX_BODY_LENGTH, ExternalRecap
from kaisai.recaps.selectors import notice_recipients, recap_of
from kaisai.recaps.services import (
    RecapError,
    do_add_external_recap,
    do_draft_recap,
    do_edit_recap,
    do_publish_recap,
    do_remove_external_recap,
)
from kaisai.surveys.selectors import highlights as survey_highlights


class RecapForm(forms.Form):
    body = forms.CharField(
        label=gettext_lazy("Recap"),
        widget=forms.Textarea(attrs={"rows": 24}),
        max_length=MAX_BODY_LENGTH,
        help_text=MARKDOWN_HELP,
    )


class ExternalRecapForm(forms.Form):
    url = forms.CharField(label=gettext_lazy("Link to your post"), max_length=1000)
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)


def _event_url(event) -> str:
    return event.get_absolute_url() + "#recap"


def recap_detail(request: HttpRequest, pk: int) -> HttpResponse:
    event = visible_event_or_404(request.user, pk)
    recap = recap_of(event)
    if recap is None or not can_see_recap(request.user, recap):
        raise Http404
    return render(request, "recaps/detail.html", {"event": event, "recap": recap})


@login_required
def recap_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the draft button (no recap yet) or the editor. POST: save the text."""
    event = managed_event_or_403(request.user, pk)
    recap = recap_of(event)
    form = RecapForm(request.POST or None, initial={"body": recap.body if recap else ""})
    status = 200
    if request.method == "POST" and recap is not None:
        if form.is_valid():
            try:
                do_edit_recap(
                    recap=recap, by=signed_in_user(request), body=form.cleaned_data["body"]
                )
            except RecapError as error:
                form.add_error("body", error.messages)
            else:
                messages.success(request, _("Recap saved."))
                return redirect("recaps:edit", pk=event.pk)
        status = 400
    context = {"event": event, "recap": recap, "form": form}
    return render(request, "recaps/edit.html", context, status=status)


@login_required
@require_POST
def recap_draft(request: HttpRequest, pk: int) -> HttpResponse:
    event = managed_event_or_403(request.user, pk)
    try:
        do_draft_recap(event=event, by=signed_in_user(request), survey_highlights=survey_highlights)
    except RecapError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("recaps:edit", pk=event.pk)
    messages.success(request, _("The recap is drafted: edit it, then publish it."))
    return redirect("recaps:edit", pk=event.pk)


@login_required
def recap_publish(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the confirmation — how many members get the recap by mail. POST with confirm=N
    (the number shown): publish and mail; if the number changed meanwhile, confirm again."""
    event = managed_event_or_403(request.user, pk)
    recap = recap_of(event)
    if recap is None:
        raise Http404
    if recap.is_published:
        messages.info(request, _("The recap is already published."))
        return redirect("recaps:edit", pk=event.pk)
    recipients = len(notice_recipients(event))
    error = ""
    if request.method == "POST":
        confirmed = request.POST.get("confirm", "")
        try:
            sent = do_publish_recap(
                recap=recap,
                by=signed_in_user(request),
                confirmed_count=int(confirmed) if confirmed.isdigit() else -1,
            )
        except RecapError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(
                request,
                _("The recap is published and on its way to %(count)d members.") % {"count": sent},
            )
            return redirect(_event_url(event))
    context = {"event": event, "recap": recap, "recipients": recipients, "error": error}
    return render(request, "recaps/publish.html", context, status=409 if error else 200)


@login_required
@require_POST
def external_add(request: HttpRequest, pk: int) -> HttpResponse:
    event = visible_event_or_404(request.user, pk)
    form = ExternalRecapForm(request.POST)
    if form.is_valid():
        try:
            do_add_external_recap(
                event=event,
                by=signed_in_user(request),
                url=form.cleaned_data["url"],
                title=form.cleaned_data["title"],
            )
        except RecapError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("Your post is linked. Thank you for writing it!"))
    else:
        for field_errors in form.errors.values():
            for field_error in field_errors:
                messages.error(request, str(field_error))
    return redirect(_event_url(event))


@login_required
@require_POST
def external_remove(request: HttpRequest, external_id: int) -> HttpResponse:
    external = get_object_or_404(
        ExternalRecap.objects.select_related("event__group"), pk=external_id
    )
    event = visible_event_or_404(request.user, external.event_id)
    do_remove_external_recap(external=external, by=signed_in_user(request))
    messages.success(request, _("The link is removed."))
    return redirect(_event_url(event))

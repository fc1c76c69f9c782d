"""Organizer messages: write (with a preview) and send; the history; one message's delivery."""

from __future__ import annotations

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from kaisai.accounts.requests import signed_in_user
from kaisai.core.markdown import render_markdown
from kaisai.events.access import managed_event_or_403
from kaisai.notices.forms_messages import MessageForm
from kaisai.notices.models import OrganizerMessage
from kaisai.notices.selectors_messages import (
    audience_recipients,
    message_deliveries,
    message_history,
    message_progress,
)
from kaisai.notices.services.messages import MessageError, send_message

SAMPLE_SIZE = 10


def _preview(event, data) -> dict:
    """What would go to whom: the subject and body as mailed, how many get it, a few names."""
    people = audience_recipients(event, data["audience"])
    return {
        "subject": data["subject"],
        "html": render_markdown(data["body"]),
        "recipients": len(people),
        "sample": people[:SAMPLE_SIZE],
        "more": max(len(people) - SAMPLE_SIZE, 0),
    }


@login_required
def messages(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the form and the history. POST with preview or send: the confirmation — the
    message as it will be mailed, the number of recipients and some of their names — and
    nothing is sent. POST with confirm=N (the number the organizer saw): send, then the
    message's page; if the audience changed meanwhile, the confirmation again."""
    event = managed_event_or_403(request.user, pk)
    form = MessageForm(request.POST or None)
    preview = None
    changed = False
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        preview = _preview(event, data)
        if not preview["recipients"]:
            form.add_error("audience", MessageError.EMPTY)
        confirmed = request.POST.get("confirm", "")
        changed = bool(confirmed) and confirmed != str(preview["recipients"])
        if confirmed and not changed and preview["recipients"]:
            try:
                message = send_message(event=event, by=signed_in_user(request), **data)
            except MessageError as error:
                form.add_error("audience", str(error))
                preview = None
            else:
                flash.success(
                    request,
                    _("Your message is on its way to %(count)d people.")
                    % {"count": message.recipient_count},
                )
                return redirect("notices:message_detail", pk=event.pk, message_id=message.pk)
    context = {
        "event": event,
        "form": form,
        "preview": preview,
        "changed": changed,
        "history": message_history(event),
    }
    return render(request, "notices/messages.html", context)


@login_required
def message_detail(request: HttpRequest, pk: int, message_id: int) -> HttpResponse:
    """One message: its text, delivery progress and each recipient's delivery state."""
    event = managed_event_or_403(request.user, pk)
    message = get_object_or_404(
        OrganizerMessage.objects.select_related("sent_by"), pk=message_id, event=event
    )
    context = {
        "event": event,
        "message": message,
        "progress": message_progress(message),
        "deliveries": message_deliveries(message),
    }
    return render(request, "notices/message_detail.html", context)

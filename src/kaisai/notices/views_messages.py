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


@login_required
def messages(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the form and the history. POST name=preview: the form again with the rendered
    Markdown and the number of recipients. POST (send): send, then the message's page."""
    event = managed_event_or_403(request.user, pk)
    form = MessageForm(request.POST or None)
    preview = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if "preview" in request.POST:
            preview = {
                "subject": data["subject"],
                "html": render_markdown(data["body"]),
                "recipients": len(audience_recipients(event, data["audience"])),
            }
        else:
            try:
                message = send_message(event=event, by=signed_in_user(request), **data)
            except MessageError as error:
                form.add_error("audience", str(error))
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

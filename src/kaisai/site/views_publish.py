"""Publishing an event, with a confirmation: the page says what will go to whom (the members
the "new event" mail goes to, some of their names, the mail as it will read) before the
organizer publishes. A POST without `confirm` (the event page's button) shows it too."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from kaisai.accounts.requests import signed_in_user
from kaisai.core.outbox import render_text
from kaisai.events import services
from kaisai.events.access import managed_event_or_403
from kaisai.events.enums import EventStatus
from kaisai.notices.selectors_notices import event_published_recipients

SAMPLE_SIZE = 10


def _mail_preview(event, person) -> dict[str, str]:
    context = {
        "event": event, "user": person, "BASE_URL": settings.BASE_URL,
        "SITE_NAME": settings.KAISAI_SITE_NAME, "unsubscribe_url": "",
    }  # fmt: skip
    subject = render_text("mail/event_published.subject.txt", context)
    return {
        "subject": " ".join(subject.split()),
        "body": render_text("mail/event_published.txt", context),
    }


@login_required
def event_publish(request: HttpRequest, pk: int) -> HttpResponse:
    event = managed_event_or_403(request.user, pk)
    if request.method == "POST" and request.POST.get("confirm"):
        try:
            services.publish_event(event=event, by=signed_in_user(request))
        except services.EventError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("The event is published."))
        return redirect(event)
    if event.status not in (EventStatus.DRAFT, EventStatus.POSTPONED):
        messages.error(request, _("Only a draft or a postponed event can be published."))
        return redirect(event)
    recipients = event_published_recipients(event)
    context = {
        "event": event,
        "recipients": len(recipients),
        "sample": recipients[:SAMPLE_SIZE],
        "more": max(len(recipients) - SAMPLE_SIZE, 0),
        "mail": _mail_preview(event, recipients[0] if recipients else signed_in_user(request)),
        "frames": list(event.frames.all()),
    }
    return render(request, "events/publish_confirm.html", context)

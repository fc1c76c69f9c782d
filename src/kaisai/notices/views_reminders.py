"""Pages of the reminders and reconfirmation (docs/reminders.md).

- `cancel_link` and `reconfirm_link`: opened from a mail's signed link, no login needed (the
  token is the authority). GET only shows what will happen; the change is a POST with CSRF,
  so a mail scanner that follows links never cancels anybody. A bad token is a 400 page, an
  expired one (the event has ended) a 410 page.
- `event_settings` and `reconfirmation`: organizer pages (owner and organizers).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from kaisai.events.access import managed_event_or_403
from kaisai.notices import links, selectors_reminders
from kaisai.notices.enums import Answer
from kaisai.notices.forms_reminders import EventMailSettingsForm
from kaisai.notices.models import Reconfirmation
from kaisai.notices.services.reconfirmation import Outcome, record_answer, schedule_of
from kaisai.notices.services.reminders import reminder_hours_of, save_mail_settings
from kaisai.registrations.enums import Status
from kaisai.registrations.services import cancel_registration

CANCEL_REASON = gettext_noop("cancelled from the reminder mail")
NO_ROBOTS = {"Cache-Control": "no-store", "X-Robots-Tag": "noindex"}


def _no_robots(response: HttpResponse) -> HttpResponse:
    for name, value in NO_ROBOTS.items():
        response[name] = value
    return response


def _link_problem(request: HttpRequest, error: Exception) -> HttpResponse:
    expired = isinstance(error, links.LinkExpired)
    response = render(
        request,
        "notices/reminder_link_invalid.html",
        {"expired": expired},
        status=410 if expired else 400,
    )
    return _no_robots(response)


def cancel_link(request: HttpRequest, token: str) -> HttpResponse:
    """ "I can't come": GET asks for confirmation, POST cancels and promotes the waitlist."""
    try:
        registration = links.registration_for_cancel(token)
    except (links.LinkInvalid, links.LinkExpired) as error:
        return _link_problem(request, error)
    context: dict[str, object] = {"registration": registration, "event": registration.event}
    if request.method == "POST":
        if not registration.is_active:
            context["already"] = True
        else:
            cancel_registration(
                registration=registration, by=registration.user, reason=CANCEL_REASON
            )
        return _no_robots(render(request, "notices/cancel_done.html", context))
    if not registration.is_active:
        context["already"] = True
        return _no_robots(render(request, "notices/cancel_done.html", context))
    return _no_robots(render(request, "notices/cancel_confirm.html", context))


def reconfirm_link(request: HttpRequest, token: str) -> HttpResponse:
    """ "Still coming?": GET shows the answer the link stands for, POST records it."""
    try:
        registration, answer = links.registration_for_reconfirm(token)
    except (links.LinkInvalid, links.LinkExpired) as error:
        return _link_problem(request, error)
    other = Answer.YES if answer == Answer.NO else Answer.NO
    current = Reconfirmation.objects.filter(registration=registration).first()
    context = {
        "registration": registration,
        "event": registration.event,
        "answer": answer,
        "answer_label": Answer(answer).label,
        "is_no": answer == Answer.NO,
        "other_url": links.reconfirm_url(registration.pk, other),
        "other_label": Answer(other).label,
        "current": current,
    }
    if request.method == "POST":
        context["outcome"] = record_answer(registration=registration, answer=answer).value
        return _no_robots(render(request, "notices/reconfirm_done.html", context))
    if registration.status != Status.ACCEPTED:
        context["outcome"] = Outcome.INACTIVE.value
        return _no_robots(render(request, "notices/reconfirm_done.html", context))
    return _no_robots(render(request, "notices/reconfirm_confirm.html", context))


@login_required
def event_settings(request: HttpRequest, pk: int) -> HttpResponse:
    event = managed_event_or_403(request.user, pk)
    mail_settings = selectors_reminders.mail_settings_of(event)
    form = EventMailSettingsForm.for_settings(
        mail_settings, data=request.POST if request.method == "POST" else None
    )
    if request.method == "POST" and form.is_valid():
        save_mail_settings(event=event, **form.cleaned_data)
        messages.success(request, _("The mail settings were saved."))
        return redirect("notices:event_settings", pk=event.pk)
    sent = selectors_reminders.reminder_counts(event)
    context = {
        "event": event,
        "form": form,
        "mail_settings": mail_settings,
        "reminders": [(hours, sent.get(hours, 0)) for hours in reminder_hours_of(mail_settings)],
    }
    return render(request, "notices/event_settings.html", context)


@login_required
def reconfirmation(request: HttpRequest, pk: int) -> HttpResponse:
    event = managed_event_or_403(request.user, pk)
    mail_settings = selectors_reminders.mail_settings_of(event)
    schedule = None
    if mail_settings is not None:
        mail_settings.event = event
        schedule = schedule_of(mail_settings, timezone.now())
    context = {
        "event": event,
        "mail_settings": mail_settings,
        "schedule": schedule,
        "counts": selectors_reminders.reconfirmation_counts(event),
        "rows": selectors_reminders.reconfirmation_rows(event),
    }
    return render(request, "notices/reconfirm_manage.html", context)

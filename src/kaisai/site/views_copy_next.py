"""Copy as next, with a preview: the page lists what the new draft will have (frames with
their moved dates, questions, sponsors, after-party, timetable skeleton) and what it will not,
for a date the organizer may change; "Create the draft" writes it all in one transaction
(kaisai.site.services_copy_next). A POST without `confirm` (the event page's button) shows
the preview too. Organizers of the event's group only."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kaisai.accounts.requests import signed_in_user
from kaisai.core.form_fields import LocalDateTimeField, localize
from kaisai.events.access import managed_event_or_403
from kaisai.site.selectors_copy_next import copy_preview
from kaisai.site.services_copy_next import CopyError, default_start, do_copy_as_next


class NextDateForm(forms.Form):
    starts_at = LocalDateTimeField(label=gettext_lazy("Starts at"))

    def __init__(self, *args, zone, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.zone = zone

    def clean_starts_at(self):
        return localize(self.cleaned_data["starts_at"], self.zone)


@login_required
def event_copy(request: HttpRequest, pk: int) -> HttpResponse:
    event = managed_event_or_403(request.user, pk)
    default = default_start(event)
    data = request.POST if request.method == "POST" else request.GET
    bound = "starts_at" in data
    form = NextDateForm(
        data if bound else None,
        initial={"starts_at": default.astimezone(event.tz).replace(tzinfo=None)},
        zone=event.tz,
    )
    starts_at = default
    status = 200
    if bound:
        if form.is_valid():
            starts_at = form.cleaned_data["starts_at"]
        else:
            status = 400
    if request.method == "POST" and request.POST.get("confirm") and form.is_valid():
        try:
            new = do_copy_as_next(event=event, by=signed_in_user(request), starts_at=starts_at)
        except CopyError as error:
            form.add_error(None, str(error))
            status = 400
        else:
            messages.success(
                request,
                _("Draft #%(number)s created from #%(source)s. Check the dates and details.")
                % {"number": new.number, "source": event.number},
            )
            return redirect(new)
    context = {"event": event, "form": form, "preview": copy_preview(event, starts_at)}
    return render(request, "events/copy_next.html", context, status=status)

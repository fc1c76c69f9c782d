"""The organizer's form for an event's reminders and reconfirmation."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kaisai.notices.models import EventMailSettings, default_reminder_hours
from kaisai.notices.services.reminders import MAX_HOURS


class EventMailSettingsForm(forms.Form):
    reminder_hours = forms.CharField(
        label=_("Reminders (hours before the start)"),
        required=False,
        max_length=100,
        help_text=_(
            "A comma-separated list, e.g. “24, 2”: a reminder 1 day and 2 hours before the "
            "start. Leave empty for no reminders."
        ),
    )
    reconfirm_hours = forms.IntegerField(
        label=_("Ask “still coming?” (hours before the start)"),
        required=False,
        min_value=1,
        max_value=MAX_HOURS,
        help_text=_("Leave empty not to ask."),
    )
    reconfirm_deadline_hours = forms.IntegerField(
        label=_("Answer deadline (hours before the start)"),
        required=False,
        min_value=0,
        max_value=MAX_HOURS,
        help_text=_("Must be later than the question, i.e. fewer hours before the start."),
    )
    release_unanswered = forms.BooleanField(
        label=_("Release the seats of those who have not answered by the deadline"),
        required=False,
        help_text=_(
            "They get a last call halfway between the question and the deadline; at the "
            "deadline their seats go to the waitlist."
        ),
    )

    @classmethod
    def for_settings(cls, mail_settings: EventMailSettings | None, data=None):
        if mail_settings is None:
            initial: dict[str, Any] = {
                "reminder_hours": ", ".join(map(str, default_reminder_hours()))
            }
        else:
            initial = {
                "reminder_hours": ", ".join(str(h) for h in mail_settings.reminder_hours or []),
                "reconfirm_hours": mail_settings.reconfirm_hours,
                "reconfirm_deadline_hours": mail_settings.reconfirm_deadline_hours,
                "release_unanswered": mail_settings.release_unanswered,
            }
        return cls(data=data, initial=initial)

    def clean_reminder_hours(self) -> list[int]:
        raw = self.cleaned_data.get("reminder_hours") or ""
        parts = [part for part in re.split(r"[,、，\s]+", raw.strip()) if part]
        hours: set[int] = set()
        for part in parts:
            if not part.isdigit():
                raise forms.ValidationError(
                    _("“%(value)s” is not a whole number of hours."),
                    code="invalid",
                    params={"value": part},
                )
            value = int(part)
            if not 1 <= value <= MAX_HOURS:
                raise forms.ValidationError(
                    _("Each reminder must be between 1 and %(max)s hours before the start."),
                    code="range",
                    params={"max": MAX_HOURS},
                )
            hours.add(value)
        if len(hours) > 5:
            raise forms.ValidationError(_("At most 5 reminders."), code="too_many")
        return sorted(hours, reverse=True)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        ask = data.get("reconfirm_hours")
        deadline = data.get("reconfirm_deadline_hours")
        release = data.get("release_unanswered")
        if deadline is not None and not ask:
            self.add_error(
                "reconfirm_deadline_hours",
                _("A deadline needs the question: set when to ask “still coming?”."),
            )
        elif deadline is not None and ask and deadline >= ask:
            self.add_error(
                "reconfirm_deadline_hours",
                _("The deadline must come after the question (fewer hours before the start)."),
            )
        if release and deadline is None:
            self.add_error(
                "release_unanswered", _("Releasing unanswered seats needs an answer deadline.")
            )
        return data

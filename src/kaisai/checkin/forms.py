"""Forms of the ticket and attendance pages: the organizer's attendance code and the
participant's self check-in."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from kaisai.checkin.errors import CheckInError


class AttendanceCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Attendance code"),
        max_length=32,
        required=False,
        help_text=_(
            "4 to 32 characters. Announce it during the event (on the stream or in the chat); "
            "leave empty to switch self check-in off."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    def add_service_error(self, error: CheckInError) -> None:
        self.add_error("code", error.messages)


class SelfCheckInForm(forms.Form):
    code = forms.CharField(
        label=_("Attendance code"),
        max_length=32,
        help_text=_("The organizers announce it during the event."),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "off", "spellcheck": "false"}
        ),
    )

    def add_service_error(self, error: CheckInError) -> None:
        self.add_error("code", error.messages)

"""Organizers' forms for frames, the questionnaire and registration actions.

The forms only parse input; the rules live in the services, whose RegistrationError messages
(`{"field": [...]}` or a plain message) are put back on the form by `show_service_error`.
Times are typed as `datetime-local` wall-clock times in the event's own zone and stored in
UTC, with the event form's helpers.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kaisai.core.form_fields import LocalDateTimeField, localize
from kaisai.events.models import Event
from kaisai.registrations.enums import DEFAULT_OVERFLOW_RISK, MAX_OVERFLOW_RISK, Overbooking, Status
from kaisai.registrations.models import Frame, Question

FRAME_TIMES = ("lottery_at", "opens_at", "closes_at", "promotion_cutoff")
FRAME_FIELDS = ("name", "description", "method", *FRAME_TIMES, "fee", "order", "requires_talk",
                "speakers_keep_seat", "accepts_lottery_losers",
                "standby_after_minutes")  # fmt: skip
FILL_FIELDS = ("overbooking", "overflow_risk")  # from fill_the_room and overflow_risk_percent
STANDBY_MAX_MINUTES = 24 * 60
QUESTION_FIELDS = ("label", "kind", "choices", "required", "order")


def show_service_error(form: forms.Form, error: ValidationError) -> None:
    """Put a service's RegistrationError on the form: field errors by field, the rest on top."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def _percent(risk: float) -> Decimal:
    return Decimal(str(round(risk * 100, 2)))


def _model_field(model, name: str, **kwargs: Any) -> forms.Field:
    return model._meta.get_field(name).formfield(**kwargs)


class FrameForm(forms.Form):
    name = _model_field(Frame, "name")
    description = _model_field(Frame, "description", widget=forms.Textarea(attrs={"rows": 3}))
    capacity = forms.IntegerField(
        label=_("Capacity"),
        min_value=0,
        help_text=_(
            "Raising the capacity gives waitlisted people their seats at once, in waitlist "
            "order. Lowering it never takes a seat away from anyone already accepted."
        ),
    )
    method = _model_field(Frame, "method")
    lottery_at = LocalDateTimeField(
        label=_("Lottery time"),
        required=False,
        help_text=_("Required for a lottery frame: the draw runs automatically at this time."),
    )
    opens_at = LocalDateTimeField(
        label=_("Registration opens"), required=False, help_text=_("Empty: when published.")
    )
    closes_at = LocalDateTimeField(
        label=_("Registration closes"),
        required=False,
        help_text=_("Empty: when the event starts."),
    )
    promotion_cutoff = LocalDateTimeField(
        label=_("Waitlist promotion until"),
        required=False,
        help_text=_("Empty: until the event starts. After this, freed seats stay free."),
    )
    fee = _model_field(Frame, "fee")
    order = _model_field(Frame, "order")
    requires_talk = _model_field(Frame, "requires_talk")
    speakers_keep_seat = _model_field(Frame, "speakers_keep_seat")
    accepts_lottery_losers = _model_field(Frame, "accepts_lottery_losers")
    # Fill-the-room mode: one switch and the risk as a percentage (stored as 0 < risk <= 0.5).
    fill_the_room = forms.BooleanField(
        label=_("Fill the room"),
        required=False,
        help_text=_(
            "Accept more people than there are seats, as many as the show-up forecast says "
            "will fit within the overflow risk. Capacity stays the number of seats in the room; "
            "nobody accepted is ever demoted when the plan changes."
        ),
    )
    overflow_risk_percent = forms.DecimalField(
        label=_("Overflow risk (%)"),
        required=False,
        max_digits=5,
        decimal_places=2,
        help_text=_(
            "The chance you accept that more people come than there are seats: more than 0, "
            "at most 50. Default 5."
        ),
    )
    standby_after_minutes = _model_field(
        Frame, "standby_after_minutes", min_value=0, max_value=STANDBY_MAX_MINUTES
    )

    def __init__(self, *args: Any, event: Event, frame: Frame | None = None, **kwargs: Any):
        self.event = event
        self.frame = frame
        if frame is not None and "initial" not in kwargs:
            kwargs["initial"] = self._initial_of(frame)
        super().__init__(*args, **kwargs)
        if frame is not None and frame.registrations.exists():
            self.fields["method"].disabled = True
            self.fields["method"].help_text = _("People have registered; the method is fixed.")

    def _initial_of(self, frame: Frame) -> dict[str, Any]:
        initial: dict[str, Any] = {name: getattr(frame, name) for name in FRAME_FIELDS}
        initial["capacity"] = frame.capacity
        initial["fill_the_room"] = frame.overbooking == Overbooking.FORECAST
        initial["overflow_risk_percent"] = _percent(frame.overflow_risk)
        for name in FRAME_TIMES:
            value = initial[name]
            if isinstance(value, datetime) and timezone.is_aware(value):
                initial[name] = value.astimezone(self.event.tz).replace(tzinfo=None)
        return initial

    def clean(self) -> dict[str, Any]:
        data = super().clean() or self.cleaned_data
        for name in FRAME_TIMES:
            value = data.get(name)
            if value is None:
                continue
            try:
                data[name] = localize(value, self.event.tz)
            except ValidationError as exc:
                self.add_error(name, exc)
        self._clean_fill_the_room(data)
        return data

    def _clean_fill_the_room(self, data: dict[str, Any]) -> None:
        """The switch and the percentage become `overbooking` and `overflow_risk` (the service
        checks the same rules again)."""
        percent = data.get("overflow_risk_percent")
        if percent is None and "overflow_risk_percent" not in self.errors:
            percent = _percent(self.frame.overflow_risk if self.frame else DEFAULT_OVERFLOW_RISK)
        if percent is not None and not 0 < percent <= 100 * Decimal(str(MAX_OVERFLOW_RISK)):
            message = _("The overflow risk must be more than 0% and at most 50%.")
            self.add_error("overflow_risk_percent", message)
        elif percent is not None:
            data["overflow_risk"] = float(percent) / 100
        data["overbooking"] = Overbooking.FORECAST if data.get("fill_the_room") else Overbooking.OFF
        if data.get("fill_the_room") and data.get("capacity") == 0:
            self.add_error(
                "fill_the_room",
                _("Fill-the-room mode needs a frame with seats: set a capacity above 0."),
            )

    def capacity_and_fields(self) -> tuple[int, dict[str, Any]]:
        """For create_frame: every field. For update_frame: only what changed (so that an
        unchanged lottery time does not schedule the draw again)."""
        fields = {name: self.cleaned_data[name] for name in FRAME_FIELDS + FILL_FIELDS}
        if self.frame is not None:
            fields = {
                name: value for name, value in fields.items() if getattr(self.frame, name) != value
            }
        return self.cleaned_data["capacity"], fields


class QuestionForm(forms.Form):
    label = _model_field(Question, "label")
    kind = _model_field(Question, "kind")
    choices = forms.CharField(
        label=_("Choices"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One choice per line. Required for single and multiple choice."),
    )
    required = forms.BooleanField(label=_("Required"), required=False)
    order = _model_field(Question, "order")

    def __init__(self, *args: Any, question: Question | None = None, **kwargs: Any):
        self.question = question
        if question is not None and "initial" not in kwargs:
            kwargs["initial"] = {name: getattr(question, name) for name in QUESTION_FIELDS}
        super().__init__(*args, **kwargs)

    def question_fields(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in QUESTION_FIELDS}


# --- registration actions ----------------------------------------------------------------

ACTIONS = {
    "nominate": _("Nominate"),
    "accept": _("Accept"),
    "reject": _("Reject"),
    "move": _("Move to another frame"),
    "cancel": _("Cancel the registration"),
}
# Actions that take something away from the person need a reason for the audit log.
REASON_REQUIRED = frozenset({"reject", "cancel"})
# Which actions make sense for which statuses (the services check again under the lock).
ACTIONS_FOR_STATUS = {
    Status.APPLIED: ("nominate", "accept", "reject", "move", "cancel"),
    Status.WAITLISTED: ("nominate", "accept", "reject", "move", "cancel"),
    Status.ACCEPTED: ("move", "cancel"),
    Status.REJECTED: (),
    Status.CANCELLED: (),
}


class RegistrationActionForm(forms.Form):
    action = forms.ChoiceField(label=_("Action"), choices=list(ACTIONS.items()))
    reason = forms.CharField(label=_("Reason"), max_length=500, required=False)
    to_frame = forms.IntegerField(label=_("Frame"), required=False, min_value=1)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or self.cleaned_data
        action = data.get("action")
        data["reason"] = (data.get("reason") or "").strip()
        if action in REASON_REQUIRED and not data["reason"]:
            self.add_error("reason", _("Give a reason; it is kept in the log."))
        if action == "move" and not data.get("to_frame") and "to_frame" not in self.errors:
            self.add_error("to_frame", _("Choose the frame to move to."))
        return data


class RegistrationFilterForm(forms.Form):
    """The list's filters. The frame is checked against the event by the view (404)."""

    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All")), *Status.choices]
    )
    frame = forms.TypedChoiceField(label=_("Frame"), required=False, coerce=int, empty_value=None)
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        help_text=_("Nickname, name or e-mail."),
    )

    def __init__(self, *args: Any, frames: list[Frame], **kwargs: Any):
        super().__init__(*args, **kwargs)
        frame_field = self.fields["frame"]
        assert isinstance(frame_field, forms.ChoiceField)
        frame_field.choices = [("", _("All frames")), *((f.pk, f.name) for f in frames)]

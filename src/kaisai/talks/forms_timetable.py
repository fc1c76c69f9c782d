"""Organizers' timetable forms. Times are `datetime-local` wall-clock times in the event's own
zone (as on the event form), stored in UTC. The rules live in services.timetable; its
TimetableError is put back on the form field by field."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kaisai.core.form_fields import LocalDateTimeField, localize
from kaisai.events.models import Event
from kaisai.talks.enums import EntryKind
from kaisai.talks.models import Talk, TimetableEntry
from kaisai.talks.services.timetable import MAX_DURATION


def show_service_error(form: forms.Form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def local_input(value: datetime, event: Event) -> datetime:
    """A stored (UTC) time as the naive wall-clock time the `datetime-local` input shows."""
    return value.astimezone(event.tz).replace(tzinfo=None) if timezone.is_aware(value) else value


class TalkChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Talk) -> str:
        speakers = ", ".join(speaker.display_name for speaker in obj.speakers.all())
        minutes = _("%(minutes)s min") % {"minutes": obj.duration}
        return f"{obj.title} — {speakers} ({minutes})" if speakers else f"{obj.title} ({minutes})"


class _EntryTimesMixin:
    event: Event
    cleaned_data: dict[str, Any]

    def _localize_start(self, data: dict[str, Any]) -> None:
        value = data.get("starts_at")
        if value is None:
            return
        try:
            data["starts_at"] = localize(value, self.event.tz)
        except ValidationError as exc:
            self.add_error("starts_at", exc)  # type: ignore[attr-defined]


class EntryAddForm(_EntryTimesMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=EntryKind.choices, initial=EntryKind.TALK)
    talk = TalkChoiceField(
        label=_("Talk"),
        queryset=Talk.objects.none(),
        required=False,
        help_text=_("Accepted talks that are not on the timetable yet."),
    )
    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        required=False,
        help_text=_("Optional for talks, doors, breaks and the after-party."),
    )
    starts_at = LocalDateTimeField(
        label=_("Starts at"),
        required=False,
        help_text=_(
            "Empty: at the end of the timetable so far (the after-party: its announced time)."
        ),
    )
    duration = forms.IntegerField(
        label=_("Duration (minutes)"),
        min_value=0,
        max_value=MAX_DURATION,
        required=False,
        help_text=_("Empty: the talk's own duration."),
    )
    room = forms.CharField(label=_("Room"), max_length=100, required=False)

    def __init__(self, *args: Any, event: Event, talks: QuerySet[Talk], **kwargs: Any) -> None:
        self.event = event
        super().__init__(*args, **kwargs)
        self.fields["talk"].queryset = talks  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or self.cleaned_data
        self._localize_start(data)
        if (
            data.get("kind") == EntryKind.TALK
            and not data.get("talk")
            and "talk" not in self.errors
        ):
            self.add_error("talk", _("Choose a talk."))
        return data

    def entry_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        kind = data["kind"]
        return {
            "kind": kind,
            "talk": data.get("talk") if kind == EntryKind.TALK else None,
            "title": data.get("title") or "",
            "starts_at": data.get("starts_at"),
            "duration": data.get("duration"),
            "room": data.get("room") or "",
        }


class EntryEditForm(_EntryTimesMixin, forms.Form):
    entry = forms.IntegerField(widget=forms.HiddenInput)
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    starts_at = LocalDateTimeField(label=_("Starts at"))
    duration = forms.IntegerField(
        label=_("Duration (minutes)"), min_value=0, max_value=MAX_DURATION
    )
    room = forms.CharField(label=_("Room"), max_length=100, required=False)

    def __init__(
        self, *args: Any, event: Event, entry: TimetableEntry | None = None, **kwargs: Any
    ) -> None:
        self.event = event
        if entry is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "entry": entry.pk,
                "title": entry.title,
                "starts_at": local_input(entry.starts_at, event),
                "duration": entry.duration,
                "room": entry.room,
            }
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or self.cleaned_data
        self._localize_start(data)
        return data

    def entry_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "starts_at": data["starts_at"],
            "duration": data["duration"],
            "title": data.get("title") or "",
            "room": data.get("room") or "",
        }

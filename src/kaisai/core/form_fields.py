"""Form pieces every app's forms share: times typed in an event's own time zone.

A `datetime-local` input is a wall-clock time without a zone; `LocalDateTimeField` keeps it
naive until the form knows the zone, and `localize` turns it into UTC.
"""

from __future__ import annotations

import zoneinfo
from datetime import UTC, datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms.fields import BaseTemporalField
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

DATETIME_LOCAL_FORMAT = "%Y-%m-%dT%H:%M"


class LocalDateTimeField(forms.DateTimeField):
    """A `datetime-local` input whose value stays naive until the form knows the zone."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL_FORMAT)

    def to_python(self, value: Any) -> datetime | None:
        if value in self.empty_values:
            return None
        if isinstance(value, datetime):
            return value
        try:
            result = parse_datetime(str(value).strip())
        except ValueError as exc:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from exc
        if result is None:
            result = BaseTemporalField.to_python(self, value)
        return result


def localize(value: datetime, zone: zoneinfo.ZoneInfo) -> datetime:
    """A naive wall-clock time in `zone` → aware UTC. Rejects times that do not exist or
    are ambiguous there (daylight-saving changes)."""
    try:
        if timezone.is_aware(value):
            return value.astimezone(UTC)
        first = value.replace(tzinfo=zone, fold=0)
        second = value.replace(tzinfo=zone, fold=1)
        if first.utcoffset() != second.utcoffset():
            raise ValidationError(
                _("%(time)s does not exist or is ambiguous in %(zone)s (clock change)."),
                code="ambiguous",
                params={"time": value.strftime("%Y-%m-%d %H:%M"), "zone": zone.key},
            )
        return first.astimezone(UTC)
    except OverflowError as exc:  # year 1 or 9999 leaves the calendar once in UTC
        raise ValidationError(_("This date is out of range."), code="out_of_range") from exc

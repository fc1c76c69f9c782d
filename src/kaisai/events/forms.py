"""Event and sponsor forms: the boundary that validates organizers' input.

Dates are typed as `datetime-local` wall-clock times in the event's own time zone (the
`time_zone` field of the same form) and stored in UTC.
"""

from __future__ import annotations

import zoneinfo
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet, inlineformset_factory
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from kaisai.core.form_fields import LocalDateTimeField, localize
from kaisai.core.images import ImageUploadField
from kaisai.core.markdown import MARKDOWN_HELP
from kaisai.events.enums import VenueKind
from kaisai.events.models import Event, Sponsor
from kaisai.events.services import EDITABLE_FIELDS
from kaisai.events.time_zones import grouped_time_zone_choices

LOCAL_DATETIME_FIELDS = ("starts_at", "ends_at", "afterparty_starts_at")


class EventForm(forms.ModelForm):
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        choices=grouped_time_zone_choices,
        initial=settings.TIME_ZONE,
        help_text=_("Dates and times below are in this zone."),
    )
    starts_at = LocalDateTimeField(label=_("Starts at"))
    ends_at = LocalDateTimeField(label=_("Ends at"))
    afterparty_starts_at = LocalDateTimeField(label=_("After-party starts at"), required=False)
    latitude = forms.DecimalField(
        label=_("Latitude"), required=False, min_value=-90, max_value=90, max_digits=20
    )
    longitude = forms.DecimalField(
        label=_("Longitude"), required=False, min_value=-180, max_value=180, max_digits=20
    )
    stream_url = forms.URLField(label=_("Stream URL"), required=False, assume_scheme="https")
    image = ImageUploadField(label=_("Image"), required=False)

    class Meta:
        model = Event
        fields = [
            "title",
            "catch",
            "description",
            "time_zone",
            "starts_at",
            "ends_at",
            "venue_kind",
            "place",
            "address",
            "prefecture",
            "latitude",
            "longitude",
            "stream_url",
            "hashtag",
            "image",
            "participant_info",
            "afterparty_place",
            "afterparty_starts_at",
            "afterparty_fee",
            "afterparty_capacity",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 12}),
            "participant_info": forms.Textarea(attrs={"rows": 5}),
        }
        help_texts = {
            "description": MARKDOWN_HELP,
            "participant_info": format_lazy(
                "{} {}", MARKDOWN_HELP, _("Shown only to participants and organizers.")
            ),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Show stored (UTC) times as wall-clock times in the event's zone.
        zone = zoneinfo.ZoneInfo(self.instance.time_zone or settings.TIME_ZONE)
        for name in LOCAL_DATETIME_FIELDS:
            value = self.initial.get(name)
            if isinstance(value, datetime) and timezone.is_aware(value):
                self.initial[name] = value.astimezone(zone).replace(tzinfo=None)

    def clean_hashtag(self) -> str:
        return (self.cleaned_data.get("hashtag") or "").strip().lstrip("#＃")

    def _clean_coordinate(self, name: str) -> Decimal | None:
        value = self.cleaned_data.get(name)
        if value is None:
            return None
        return value.quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP)

    def clean_latitude(self) -> Decimal | None:
        return self._clean_coordinate("latitude")

    def clean_longitude(self) -> Decimal | None:
        return self._clean_coordinate("longitude")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or self.cleaned_data
        zone_name = data.get("time_zone") or settings.TIME_ZONE
        zone = zoneinfo.ZoneInfo(zone_name)
        for name in LOCAL_DATETIME_FIELDS:
            value = data.get(name)
            if value is None:
                continue
            try:
                data[name] = localize(value, zone)
            except ValidationError as exc:
                self.add_error(name, exc)

        starts, ends = data.get("starts_at"), data.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", _("The event must end after it starts."))
        afterparty = data.get("afterparty_starts_at")
        if starts and afterparty and afterparty < starts:
            self.add_error(
                "afterparty_starts_at", _("The after-party cannot start before the event.")
            )

        if data.get("venue_kind") in (VenueKind.OFFLINE, VenueKind.HYBRID) and not data.get(
            "place"
        ):
            self.add_error("place", _("Enter the venue for an event held at a venue."))
        has_lat = data.get("latitude") is not None
        has_lon = data.get("longitude") is not None
        if has_lat != has_lon and "latitude" not in self.errors and "longitude" not in self.errors:
            self.add_error(
                "longitude" if has_lat else "latitude",
                _("Enter both latitude and longitude, or neither."),
            )
        return data

    def event_fields(self) -> dict[str, Any]:
        """The validated values, ready for create_event / update_event."""
        fields = {
            name: self.cleaned_data[name]
            for name in self.Meta.fields
            if name in EDITABLE_FIELDS and name != "image"
        }
        if "image" in self.changed_data:
            fields["image"] = self.cleaned_data["image"] or ""
        return fields


class SponsorForm(forms.ModelForm):
    url = forms.URLField(label=_("URL"), required=False, assume_scheme="https")
    logo = ImageUploadField(label=_("Logo"), required=False)

    class Meta:
        model = Sponsor
        fields = ["name", "url", "logo", "provides", "order"]


class BaseSponsorFormSet(BaseInlineFormSet):
    """Only the event's own sponsors can be changed or deleted. The inline formset looks the
    submitted ids up among the event's sponsors; an id that is not there (another event's
    sponsor, or a removed one) is rejected instead of being silently skipped."""

    def clean(self) -> None:
        super().clean()
        for form in self.initial_forms:
            if form.instance.pk is None:
                raise ValidationError(
                    _("A sponsor in this form does not belong to this event. Reload the page."),
                    code="foreign_sponsor",
                )


SponsorFormSet = inlineformset_factory(
    Event,
    Sponsor,
    form=SponsorForm,
    formset=BaseSponsorFormSet,
    extra=2,
    max_num=30,
    validate_max=True,
    can_delete=True,
)

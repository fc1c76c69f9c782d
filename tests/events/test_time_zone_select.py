"""The event form's time-zone select: common zones first, the rest grouped by region."""

from __future__ import annotations

import re
import zoneinfo

import pytest

from kaisai.events.forms import EventForm


def test_common_zones_first_then_grouped_by_region():
    html = str(EventForm()["time_zone"])
    groups = re.findall(r'<optgroup label="([^"]+)">', html)
    assert groups[0] == "Common time zones"
    assert {"Asia", "Europe", "America"} <= set(groups)
    first = re.findall(r'<option value="([^"]+)"', html)[:2]
    assert first == ["Asia/Tokyo", "UTC"]
    assert 'value="Asia/Tokyo" selected' in html  # the default


def test_every_zone_is_still_selectable():
    values = re.findall(r"<option value=\"([^\"]+)\"", str(EventForm()["time_zone"]))
    assert len(values) == len(set(values))  # each once
    values = set(values)
    assert values == zoneinfo.available_timezones()


@pytest.mark.django_db
def test_a_zone_outside_the_common_ones_is_accepted(group):
    form = EventForm(data={"time_zone": "America/Argentina/Buenos_Aires"})
    form.is_valid()
    assert "time_zone" not in form.errors

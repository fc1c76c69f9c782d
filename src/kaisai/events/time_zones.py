"""The time-zone select of the event form: the common zones first, then every zone grouped by
its region (Asia, Europe, …), so nobody scrolls through ~600 names to find Asia/Tokyo."""

from __future__ import annotations

import zoneinfo

from django.utils.translation import gettext_lazy as _

COMMON = [
    "Asia/Tokyo", "UTC", "Asia/Seoul", "Asia/Taipei", "Asia/Shanghai", "Asia/Hong_Kong",
    "Asia/Singapore", "Asia/Bangkok", "Asia/Kolkata", "Australia/Sydney", "Pacific/Auckland",
    "Europe/London", "Europe/Berlin", "Europe/Paris", "America/New_York", "America/Chicago",
    "America/Denver", "America/Los_Angeles", "America/Sao_Paulo",
]  # fmt: skip
REGIONS = [
    "Asia", "Australia", "Pacific", "Europe", "Africa", "America", "Atlantic", "Indian",
    "Antarctica", "Arctic",
]  # fmt: skip


def grouped_time_zone_choices() -> list:
    """[(group label, [(zone, zone), …]), …]: "Common" first, then one group per region,
    then the rest (Etc/…, old aliases), so that every valid zone stays selectable."""
    names = sorted(zoneinfo.available_timezones())
    available = set(names)
    common = [(name, name) for name in COMMON if name in available]
    groups: list = [(_("Common time zones"), common)]
    placed = {name for name, _label in common}  # each zone once: one "selected" option
    for region in REGIONS:
        zones = [
            (name, name) for name in names if name.startswith(region + "/") and name not in placed
        ]
        if zones:
            groups.append((region, zones))
            placed.update(name for name, _label in zones)
    rest = [(name, name) for name in names if name not in placed]
    if rest:
        groups.append((_("Other"), rest))
    return groups

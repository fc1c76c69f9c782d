"""The organizer's forecast pages (issue 12): the event's forecast card and the group's
history of forecast against actual (chart, table, CSV). Owners and organizers only
(`managed_event_or_403`, `managed_group_or_403`); reception and everyone else 403,
anonymous visitors go to the login page. Read only."""

from __future__ import annotations

import csv

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from kaisai.events.access import managed_event_or_403
from kaisai.groups.access import managed_group_or_403
from kaisai.registrations.csv_export import BOM, local_time, safe_cell
from kaisai.site.charts import history_svg
from kaisai.site.selectors_forecast import event_forecast_cards, forecast_history


@login_required
def event_forecast(request: HttpRequest, pk: int) -> HttpResponse:
    event = managed_event_or_403(request.user, pk)
    context = {
        "event": event,
        "cards": event_forecast_cards(event),
        "section": "forecast",
        "can_manage": True,
    }
    return render(request, "registrations/manage/forecast.html", context)


@login_required
def group_forecast_history(request: HttpRequest, slug: str) -> HttpResponse:
    group = managed_group_or_403(request.user, slug)
    rows = forecast_history(group)
    # history_svg escapes every text it writes
    chart = mark_safe(history_svg(rows)) if rows else ""  # noqa: S308
    return render(
        request, "groups/forecast_history.html", {"group": group, "rows": rows, "chart": chart}
    )


@login_required
def group_forecast_history_csv(request: HttpRequest, slug: str) -> HttpResponse:
    group = managed_group_or_403(request.user, slug)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{group.slug}-forecast.csv"'
    response.write(BOM)
    writer = csv.writer(response)
    writer.writerow(
        [
            _("event"),
            _("number"),
            _("starts at"),
            _("seats"),
            _("accepted"),
            _("expected attendance"),
            _("low (5%)"),
            _("high (95%)"),
            _("came"),
            _("expected by the group's base rate alone"),
        ]
    )
    for row in forecast_history(group):
        writer.writerow(
            [
                safe_cell(row.event.title),
                row.event.number or "",
                local_time(row.event.starts_at, row.event),
                row.capacity,
                row.accepted,
                f"{row.expected_attendance:.1f}",
                row.low,
                row.high,
                row.actual,
                f"{row.base_expected:.1f}",
            ]
        )
    return response

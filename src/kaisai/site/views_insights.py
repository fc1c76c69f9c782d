"""The organizer's insights pages (issue 15, docs/insights.md): for an event and for a group,
charts as SVG with their numbers as tables and CSV. Owners and organizers only
(`managed_event_or_403`, `managed_group_or_403`): reception and everyone else 403, anonymous
visitors go to the login page. Read only."""

from __future__ import annotations

import csv

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from kaisai.events.access import managed_event_or_403
from kaisai.groups.access import managed_group_or_403
from kaisai.insights.selectors import event_insights, group_insights
from kaisai.registrations.csv_export import BOM, safe_cell
from kaisai.site.insights_charts import Chart, charts


@login_required
def event_insights_page(request: HttpRequest, pk: int) -> HttpResponse:
    event = managed_event_or_403(request.user, pk)
    insights = event_insights(event)
    context = {
        "event": event,
        "insights": insights,
        "charts": charts(insights),
        "section": "insights",
        "can_manage": True,
    }
    return render(request, "registrations/manage/insights.html", context)


@login_required
def group_insights_page(request: HttpRequest, slug: str) -> HttpResponse:
    group = managed_group_or_403(request.user, slug)
    insights = group_insights(group)
    context = {"group": group, "insights": insights, "charts": charts(insights)}
    return render(request, "groups/insights.html", context)


def _csv(chart_list: list[Chart], key: str, filename: str) -> HttpResponse:
    chart = next((c for c in chart_list if c.key == key), None)
    if chart is None:
        raise Http404("No such chart.")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}-{key}.csv"'
    response.write(BOM)
    writer = csv.writer(response)
    writer.writerow(chart.header)
    for row in chart.rows:
        writer.writerow([safe_cell(cell) for cell in row])
    return response


@login_required
def event_insights_csv(request: HttpRequest, pk: int, key: str) -> HttpResponse:
    event = managed_event_or_403(request.user, pk)
    return _csv(charts(event_insights(event)), key, f"event-{event.pk}")


@login_required
def group_insights_csv(request: HttpRequest, slug: str, key: str) -> HttpResponse:
    group = managed_group_or_403(request.user, slug)
    return _csv(charts(group_insights(group)), key, group.slug)

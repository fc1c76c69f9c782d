"""The insights pages' charts and tables (docs/insights.md): each chart of
`kaisai.insights.selectors.Insights` as an SVG, the same numbers as a table (page and CSV)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from kaisai.insights.selectors import CancelBin, Insights
from kaisai.site.charts_insights import Series, bar_chart, line_chart

CHART_KEYS = ("applications", "funnel", "attendance", "returning", "cancellations")


@dataclass
class Chart:
    key: str
    title: str
    explanation: str
    header: list[str]
    rows: list[list[Any]]
    svgs: list[SafeString] = field(default_factory=list)


def _safe(svg: str) -> SafeString:
    return mark_safe(svg)  # noqa: S308 - charts_insights escapes every text it writes


def _cell(value: Any) -> Any:
    return "" if value is None else value


def cancel_bin_label(one: CancelBin) -> str:
    labels = {
        "after_start": _("after the start"),
        "0-3h": _("0–3 hours"),
        "3-24h": _("3–24 hours"),
        "1-2d": _("1–2 days"),
        "2-3d": _("2–3 days"),
        "3-7d": _("3–7 days"),
        "1-2w": _("1–2 weeks"),
        "2-4w": _("2–4 weeks"),
        "4w+": _("4 weeks or more"),
    }
    return labels[one.key]


def _applications(insights: Insights) -> Chart | None:
    if not insights.applications:
        return None
    rows = insights.applications
    this_name = insights.event.label if insights.event else _("This event")
    previous_name = insights.previous.label if insights.previous else _("Previous event")
    series = [Series(this_name, [r.this_event for r in rows])]
    if insights.previous is not None:
        series.append(Series(previous_name, [r.previous_event for r in rows]))
    title = _("Applications over time")
    svg = line_chart(
        [str(r.days_before) for r in rows],
        series,
        title=title,
        x_label=_("Days before the start"),
        y_label=_("Applications (cumulative)"),
        every=max(1, len(rows) // 8),
    )
    header = [_("Days before the start"), this_name]
    if insights.previous is not None:
        header.append(previous_name)
    return Chart(
        "applications",
        title,
        _(
            "Applications so far by the end of each day before the start (in the event's "
            "time zone), against the group's previous event."
        ),
        header,
        [
            [r.days_before, _cell(r.this_event)]
            + ([_cell(r.previous_event)] if insights.previous is not None else [])
            for r in rows
        ],
        [_safe(svg)],
    )


def _funnel(insights: Insights) -> Chart | None:
    if not insights.funnel:
        return None
    rows = insights.funnel
    title = _("Applied → accepted → came")
    by = _("Frame") if insights.event else _("Event")
    svg = bar_chart(
        [r.label for r in rows],
        [
            Series(_("Applied"), [r.applied for r in rows]),
            Series(_("Accepted"), [r.accepted for r in rows]),
            Series(_("Came"), [r.came for r in rows]),
        ],
        title=title,
        x_label=by,
        y_label=_("People"),
    )
    return Chart(
        "funnel",
        title,
        _("Applied: every registration made. Accepted: accepted at some point. Came: checked in."),
        [by, _("Applied"), _("Accepted"), _("Came")],
        [[r.label, r.applied, r.accepted, r.came] for r in rows],
        [_safe(svg)],
    )


def _attendance(insights: Insights) -> Chart | None:
    if not insights.attendance:
        return None
    rows = insights.attendance
    labels = [r.event.label for r in rows]
    title = _("Attendance across the series")
    bars = bar_chart(
        labels,
        [
            Series(_("Came"), [r.came for r in rows]),
            Series(_("No-shows"), [r.no_shows for r in rows]),
        ],
        title=title,
        x_label=_("Event"),
        y_label=_("People"),
    )
    rate = line_chart(
        labels,
        [Series(_("Attendance rate"), [r.rate for r in rows])],
        title=_("Attendance rate"),
        x_label=_("Event"),
        y_label=_("Attendance rate"),
        unit="%",
        top=100,
    )
    return Chart(
        "attendance",
        title,
        _(
            "Of those accepted at the end of each held event: who came (checked in), the "
            "no-shows, and the attendance rate (came ÷ accepted)."
        ),
        [
            _("Event"),
            _("Starts at"),
            _("Accepted"),
            _("Came"),
            _("No-shows"),
            _("Attendance rate (%)"),
        ],
        [
            [r.event.label, r.event.starts_at_local, r.accepted, r.came, r.no_shows, _cell(r.rate)]
            for r in rows
        ],
        [_safe(bars), _safe(rate)],
    )


def _returning(insights: Insights) -> Chart | None:
    if not insights.returning:
        return None
    rows = insights.returning
    title = _("New and returning people")
    svg = bar_chart(
        [r.event.label for r in rows],
        [
            Series(_("New"), [r.new for r in rows]),
            Series(_("Returning"), [r.returning for r in rows]),
        ],
        title=title,
        x_label=_("Event"),
        y_label=_("People who came"),
    )
    return Chart(
        "returning",
        title,
        _(
            "Of those who came to each held event: first time with the group, or came to an "
            "earlier event of the group."
        ),
        [_("Event"), _("Starts at"), _("New"), _("Returning")],
        [[r.event.label, r.event.starts_at_local, r.new, r.returning] for r in rows],
        [_safe(svg)],
    )


def _cancellations(insights: Insights) -> Chart | None:
    if not insights.cancellations:
        return None
    rows = insights.cancellations
    title = _("When cancellations happen")
    labels = [cancel_bin_label(r) for r in rows]
    svg = bar_chart(
        labels,
        [Series(_("Cancellations"), [r.count for r in rows])],
        title=title,
        x_label=_("Before the start"),
        y_label=_("Cancellations"),
    )
    return Chart(
        "cancellations",
        title,
        _("Each cancellation by how long before the event's start it was made."),
        [_("Before the start"), _("Cancellations")],
        [[label, r.count] for label, r in zip(labels, rows, strict=True)],
        [_safe(svg)],
    )


def charts(insights: Insights) -> list[Chart]:
    """The charts that have numbers, in the page's order."""
    built = [
        _applications(insights),
        _funnel(insights),
        _attendance(insights),
        _returning(insights),
        _cancellations(insights),
    ]
    return [chart for chart in built if chart is not None]

"""A small server-side SVG chart of the group's forecast against the actual attendance (no
JavaScript, nothing from a CDN). Every text that goes into the SVG is escaped here, so the
result may be put into a page as it is (`mark_safe` in the view)."""

from __future__ import annotations

from collections.abc import Sequence
from xml.sax.saxutils import escape

from django.utils.translation import gettext as _

from kaisai.site.selectors_forecast import HistoryRow

HEIGHT = 220
TOP = 16
BOTTOM = 40
LEFT = 40
RIGHT = 12
STEP = 56
MIN_WIDTH = 320


def _number(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def history_svg(rows: Sequence[HistoryRow]) -> str:
    """Per event a bar of the 5–95% interval, a line at the expected attendance, a dot at
    who came and a dashed line at the seats. Returns the SVG element as text."""
    width = max(MIN_WIDTH, LEFT + RIGHT + STEP * max(1, len(rows)))
    top_value = max([1.0] + [max(r.capacity, r.high, r.actual) for r in rows]) * 1.1
    plot = HEIGHT - TOP - BOTTOM

    def y(value: float) -> str:
        return _number(TOP + plot * (1 - value / top_value))

    title = _("Forecast against actual attendance")
    desc = _(
        "For each past event: the forecast's %(range)s interval (bar), its expected attendance "
        "(line), the seats (dashed) and how many came (dot)."
    ) % {"range": "5–95%"}
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {HEIGHT}" '
        f'width="100%" class="forecast-chart" role="img" aria-labelledby="fc-title fc-desc">',
        f'<title id="fc-title">{escape(title)}</title>',
        f'<desc id="fc-desc">{escape(desc)}</desc>',
    ]
    # the axis and three grid lines
    for fraction in (0, 0.5, 1):
        value = round(top_value / 1.1 * fraction)
        parts.append(
            f'<line x1="{LEFT}" x2="{width - RIGHT}" y1="{y(value)}" y2="{y(value)}" '
            f'stroke="#d5dbe1" stroke-width="1"/>'
            f'<text x="{LEFT - 4}" y="{y(value)}" font-size="11" text-anchor="end" '
            f'dominant-baseline="middle" fill="#4f5863">{value}</text>'
        )
    for index, row in enumerate(rows):
        middle = LEFT + STEP * index + STEP / 2
        left, right = _number(middle - 12), _number(middle + 12)
        label = escape(row.label[:12])
        tooltip = escape(
            _(
                "%(event)s: expected %(expected)s (%(low)s–%(high)s), came %(actual)s, "
                "seats %(seats)s"
            )
            % {
                "event": row.label,
                "expected": _number(row.expected_attendance),
                "low": row.low,
                "high": row.high,
                "actual": row.actual,
                "seats": row.capacity,
            }
        )
        parts.append(
            f"<g><title>{tooltip}</title>"
            f'<rect x="{left}" width="24" y="{y(row.high)}" '
            f'height="{_number(max(1.0, float(y(row.low)) - float(y(row.high))))}" '
            f'fill="#cfe3f7" stroke="#5b8fc7"/>'
            f'<line x1="{left}" x2="{right}" y1="{y(row.expected_attendance)}" '
            f'y2="{y(row.expected_attendance)}" stroke="#1f5fa3" stroke-width="2"/>'
            f'<line x1="{_number(middle - 20)}" x2="{_number(middle + 20)}" '
            f'y1="{y(row.capacity)}" y2="{y(row.capacity)}" stroke="#b3261e" '
            f'stroke-dasharray="4 3"/>'
            f'<circle cx="{_number(middle)}" cy="{y(row.actual)}" r="5" fill="#1b1f24"/>'
            f'<text x="{_number(middle)}" y="{HEIGHT - BOTTOM + 16}" font-size="12" '
            f'text-anchor="middle" fill="#1b1f24">{label}</text></g>'
        )
    parts.append("</svg>")
    return "".join(parts)

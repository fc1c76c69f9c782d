"""Small server-side SVG charts for the insights pages (docs/insights.md): grouped bars and
lines with axis labels. No JavaScript, no inline styles (the strict CSP): colours come from
CSS classes in kaisai.css (`.chart-s0` … `.chart-s2`). Every text written into the SVG is
escaped here, so the result may be put into a page as it is (`mark_safe` in the view).

Each bar is one `<rect class="chart-bar …">`, each point of a line one
`<circle class="chart-point …">`: the browser test counts them against the table."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

HEIGHT = 240
TOP = 28
BOTTOM = 44
LEFT = 44
RIGHT = 12
MIN_WIDTH = 320


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float | None]


def _n(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _nice_top(value: float) -> float:
    """A round top for the y axis (1, 2, 5 × 10^n) at or above `value`."""
    if value <= 0:
        return 1.0
    step = 1.0
    while step * 10 <= value:
        step *= 10
    for factor in (1, 2, 5, 10):
        if step * factor >= value:
            return step * factor
    return step * 10  # pragma: no cover


def _frame(
    kind: str, width: int, title: str, x_label: str, y_label: str, top: float, unit: str
) -> tuple[list[str], float]:
    plot = HEIGHT - TOP - BOTTOM
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {HEIGHT}" '
        f'width="100%" class="insights-chart insights-{kind}" role="img">',
        f"<title>{escape(title)}</title>",
    ]
    for fraction in (0, 0.5, 1):
        value = top * fraction
        y = _n(TOP + plot * (1 - fraction))
        parts.append(
            f'<line class="chart-grid" x1="{LEFT}" x2="{width - RIGHT}" y1="{y}" y2="{y}"/>'
            f'<text class="chart-tick" x="{LEFT - 4}" y="{y}" text-anchor="end" '
            f'dominant-baseline="middle">{_n(value)}{escape(unit)}</text>'
        )
    parts.append(
        f'<text class="chart-axis-label" x="{_n(LEFT + (width - LEFT - RIGHT) / 2)}" '
        f'y="{HEIGHT - 4}" text-anchor="middle">{escape(x_label)}</text>'
        f'<text class="chart-axis-label" x="12" y="{_n(TOP + plot / 2)}" text-anchor="middle" '
        f'transform="rotate(-90 12 {_n(TOP + plot / 2)})">{escape(y_label)}</text>'
    )
    return parts, plot


def _legend(parts: list[str], series: Sequence[Series], width: int) -> None:
    x = LEFT
    for index, one in enumerate(series):
        parts.append(
            f'<rect class="chart-key chart-s{index}" x="{x}" y="2" width="10" height="10"/>'
            f'<text class="chart-tick" x="{x + 14}" y="11">{escape(one.name)}</text>'
        )
        x += 24 + 7 * len(one.name)


def bar_chart(
    categories: Sequence[str],
    series: Sequence[Series],
    *,
    title: str,
    x_label: str,
    y_label: str,
    unit: str = "",
) -> str:
    """Grouped bars: per category one bar per series (None draws no bar)."""
    group = max(28, 16 * len(series) + 12)
    width = max(MIN_WIDTH, LEFT + RIGHT + group * max(1, len(categories)))
    values = [v for one in series for v in one.values if v is not None]
    top = _nice_top(max([0.0, *values]))
    parts, plot = _frame("bars", width, title, x_label, y_label, top, unit)
    step = (width - LEFT - RIGHT) / max(1, len(categories))
    bar = min(16.0, (step - 8) / max(1, len(series)))
    for c, category in enumerate(categories):
        start = LEFT + step * c + (step - bar * len(series)) / 2
        for s, one in enumerate(series):
            value = one.values[c]
            if value is None:
                continue
            height = plot * value / top
            parts.append(
                f'<rect class="chart-bar chart-s{s}" x="{_n(start + bar * s)}" '
                f'y="{_n(TOP + plot - height)}" width="{_n(bar)}" height="{_n(height)}">'
                f"<title>{escape(category)} · {escape(one.name)}: {_n(value)}{escape(unit)}"
                f"</title></rect>"
            )
        parts.append(
            f'<text class="chart-tick" x="{_n(LEFT + step * c + step / 2)}" '
            f'y="{HEIGHT - BOTTOM + 14}" text-anchor="middle">{escape(category[:14])}</text>'
        )
    _legend(parts, series, width)
    parts.append("</svg>")
    return "".join(parts)


def line_chart(
    x_labels: Sequence[str],
    series: Sequence[Series],
    *,
    title: str,
    x_label: str,
    y_label: str,
    unit: str = "",
    top: float | None = None,
    every: int = 1,
) -> str:
    """Lines: per series a polyline through its points (None leaves a gap) and a circle per
    point; an x label every `every` points."""
    width = max(MIN_WIDTH, LEFT + RIGHT + 14 * max(1, len(x_labels)))
    values = [v for one in series for v in one.values if v is not None]
    top = top if top is not None else _nice_top(max([0.0, *values]))
    parts, plot = _frame("lines", width, title, x_label, y_label, top, unit)
    count = max(1, len(x_labels) - 1)
    inner = width - LEFT - RIGHT - 16

    def x(index: int) -> float:
        return LEFT + 8 + inner * index / count if len(x_labels) > 1 else LEFT + inner / 2

    def y(value: float) -> float:
        return TOP + plot * (1 - value / top)

    for index, label in enumerate(x_labels):
        if index % every == 0 or index == len(x_labels) - 1:
            parts.append(
                f'<text class="chart-tick" x="{_n(x(index))}" y="{HEIGHT - BOTTOM + 14}" '
                f'text-anchor="middle">{escape(label[:10])}</text>'
            )
    for s, one in enumerate(series):
        points = [(i, v) for i, v in enumerate(one.values) if v is not None]
        if len(points) > 1:
            coords = " ".join(f"{_n(x(i))},{_n(y(v))}" for i, v in points)
            parts.append(f'<polyline class="chart-line chart-s{s}" points="{coords}"/>')
        for i, v in points:
            parts.append(
                f'<circle class="chart-point chart-s{s}" cx="{_n(x(i))}" cy="{_n(y(v))}" r="3">'
                f"<title>{escape(x_labels[i])} · {escape(one.name)}: {_n(v)}{escape(unit)}"
                f"</title></circle>"
            )
    _legend(parts, series, width)
    parts.append("</svg>")
    return "".join(parts)

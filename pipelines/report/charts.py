"""Line charts of a figure over time, as inline SVG: title, axes with ticks, a unit, and
the value at the as-of date labelled at the end of the line."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from markupsafe import Markup

from pipelines.report.phrasing import axis_number
from pipelines.report.svg import el, num, text

WIDTH, HEIGHT = 520, 280
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 64, 84, 34, 40
COLOURS = ("#1f5fa8", "#d9730d")  # blue, orange: tell apart with colour blindness too
DASHES = (None, "6 4")  # the second series is dashed as well, not only another colour


@dataclass(frozen=True)
class Series:
    label: str
    values: Sequence[float]  # one per date


def nice_step(span: float, ticks: int = 4) -> float:
    """A round tick step (1, 2, 2.5 or 5 times a power of ten) giving about `ticks` ticks."""
    if span <= 0:
        return 1.0
    raw = span / ticks
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * power:
            return factor * power
    return 10 * power


def y_ticks(maximum: float, whole: bool = False) -> list[float]:
    """0 .. a round number at or above the maximum; `whole`: counts, no fractional ticks."""
    if maximum <= 0:
        return [0, 1]
    step = nice_step(maximum)
    if whole:
        step = max(1, math.ceil(step))
    top = step * math.ceil(maximum / step)
    count = round(top / step)
    return [round(i * step, 10) for i in range(count + 1)]


def year_ticks(first: date, last: date) -> list[date]:
    """1 January of each year inside the range, thinned to at most 8 labels."""
    years = [date(y, 1, 1) for y in range(first.year, last.year + 1) if date(y, 1, 1) >= first]
    every = max(1, math.ceil(len(years) / 8))
    return years[::every]


def line_chart(
    chart_id: str,
    title: str,
    unit: str,
    dates: Sequence[date],
    series: Sequence[Series],
    end_labels: Sequence[str],
    whole: bool = True,
) -> Markup:
    """An SVG line chart; `end_labels` are the printed values at the last date; `whole`
    when the values are counts (no tick at 0.5 of a project)."""
    plot_w = WIDTH - MARGIN_LEFT - MARGIN_RIGHT
    plot_h = HEIGHT - MARGIN_TOP - MARGIN_BOTTOM
    maximum = max((max(s.values) for s in series if s.values), default=0)
    ticks = y_ticks(maximum, whole)
    top = ticks[-1]
    first, last = dates[0], dates[-1]
    days = max((last - first).days, 1)

    def x(d: date) -> float:
        return MARGIN_LEFT + plot_w * (d - first).days / days

    def y(v: float) -> float:
        return MARGIN_TOP + plot_h * (1 - v / top)

    parts: list[str] = [
        el("title", {"id": f"{chart_id}-title"}, text(f"{title}, {unit}")),
        el(
            "desc",
            {"id": f"{chart_id}-desc"},
            text(
                f"From {first.isoformat()} to {last.isoformat()}; "
                + "; ".join(
                    f"{s.label}: {lab} at the end"
                    for s, lab in zip(series, end_labels, strict=True)
                )
            ),
        ),
    ]
    # Grid and y axis with its unit.
    for tick in ticks:
        parts.append(
            el(
                "line",
                {
                    "x1": MARGIN_LEFT,
                    "x2": WIDTH - MARGIN_RIGHT,
                    "y1": num(y(tick)),
                    "y2": num(y(tick)),
                    "class": "grid" if tick else "axis",
                },
            )
        )
        parts.append(
            el(
                "text",
                {
                    "x": MARGIN_LEFT - 6,
                    "y": num(y(tick) + 4),
                    "class": "tick",
                    "text-anchor": "end",
                },
                text(axis_number(tick)),
            )
        )
    parts.append(el("text", {"x": 4, "y": 16, "class": "unit"}, text(unit)))
    # x axis: years.
    for tick in year_ticks(first, last):
        parts.append(
            el(
                "line",
                {
                    "x1": num(x(tick)),
                    "x2": num(x(tick)),
                    "y1": HEIGHT - MARGIN_BOTTOM,
                    "y2": HEIGHT - MARGIN_BOTTOM + 5,
                    "class": "axis",
                },
            )
        )
        parts.append(
            el(
                "text",
                {
                    "x": num(x(tick)),
                    "y": HEIGHT - MARGIN_BOTTOM + 19,
                    "class": "tick",
                    "text-anchor": "middle",
                },
                text(tick.year),
            )
        )
    parts.append(
        el(
            "line",
            {
                "x1": MARGIN_LEFT,
                "x2": MARGIN_LEFT,
                "y1": MARGIN_TOP,
                "y2": HEIGHT - MARGIN_BOTTOM,
                "class": "axis",
            },
        )
    )
    # The lines, and the value at the end of each.
    label_ys: list[float] = []
    for index, (s, label) in enumerate(zip(series, end_labels, strict=True)):
        colour = COLOURS[index % len(COLOURS)]
        points = " ".join(f"{num(x(d))},{num(y(v))}" for d, v in zip(dates, s.values, strict=True))
        parts.append(
            el(
                "polyline",
                {
                    "points": points,
                    "fill": "none",
                    "stroke": colour,
                    "stroke-width": 2.5,
                    "stroke-dasharray": DASHES[index % len(DASHES)],
                    "class": "line",
                },
            )
        )
        end_x, end_y = x(dates[-1]), y(s.values[-1])
        parts.append(el("circle", {"cx": num(end_x), "cy": num(end_y), "r": 4, "fill": colour}))
        label_y = end_y + 4
        for other in label_ys:  # keep two end labels apart
            if abs(label_y - other) < 14:
                label_y = other + 14 if label_y >= other else other - 14
        label_ys.append(label_y)
        parts.append(
            el(
                "text",
                {"x": num(end_x + 8), "y": num(label_y), "class": "end-label", "fill": colour},
                text(label),
            )
        )
    return el(
        "svg",
        {
            "viewBox": f"0 0 {WIDTH} {HEIGHT}",
            "class": "chart",
            "role": "img",
            "aria-labelledby": f"{chart_id}-title {chart_id}-desc",
            "id": chart_id,
        },
        *parts,
    )

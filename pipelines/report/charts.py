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
PLOT_W = WIDTH - MARGIN_LEFT - MARGIN_RIGHT
PLOT_H = HEIGHT - MARGIN_TOP - MARGIN_BOTTOM


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
    maximum = max((max(s.values) for s in series if s.values), default=0)
    ticks = y_ticks(maximum, whole)
    plot = _Plot(dates[0], max((dates[-1] - dates[0]).days, 1), ticks[-1])
    parts = [
        *_description(chart_id, title, unit, dates, series, end_labels),
        *_y_axis(plot, ticks, unit),
        *_x_axis(plot, dates[0], dates[-1]),
        *_lines(plot, dates, series, end_labels),
    ]
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


@dataclass(frozen=True)
class _Plot:
    """Dates and values -> SVG coordinates inside the margins; values from 0 to `top`."""

    first: date
    days: int  # from the first date to the last, at least 1
    top: float  # the highest tick

    def x(self, d: date) -> float:
        return MARGIN_LEFT + PLOT_W * (d - self.first).days / self.days

    def y(self, v: float) -> float:
        return MARGIN_TOP + PLOT_H * (1 - v / self.top)


def _description(
    chart_id: str,
    title: str,
    unit: str,
    dates: Sequence[date],
    series: Sequence[Series],
    end_labels: Sequence[str],
) -> list[Markup]:
    """The <title> and <desc> the svg's aria-labelledby points to: what a screen reader
    says instead of the picture."""
    return [
        el("title", {"id": f"{chart_id}-title"}, text(f"{title}, {unit}")),
        el(
            "desc",
            {"id": f"{chart_id}-desc"},
            text(
                f"From {dates[0].isoformat()} to {dates[-1].isoformat()}; "
                + "; ".join(
                    f"{s.label}: {lab} at the end"
                    for s, lab in zip(series, end_labels, strict=True)
                )
            ),
        ),
    ]


def _y_axis(plot: _Plot, ticks: Sequence[float], unit: str) -> list[Markup]:
    """A horizontal grid line and a label per tick (the line at 0 is the x axis), and
    the unit above the axis."""
    parts: list[Markup] = []
    for tick in ticks:
        parts.append(
            el(
                "line",
                {
                    "x1": MARGIN_LEFT,
                    "x2": WIDTH - MARGIN_RIGHT,
                    "y1": num(plot.y(tick)),
                    "y2": num(plot.y(tick)),
                    "class": "grid" if tick else "axis",
                },
            )
        )
        parts.append(
            el(
                "text",
                {
                    "x": MARGIN_LEFT - 6,
                    "y": num(plot.y(tick) + 4),
                    "class": "tick",
                    "text-anchor": "end",
                },
                text(axis_number(tick)),
            )
        )
    parts.append(el("text", {"x": 4, "y": 16, "class": "unit"}, text(unit)))
    return parts


def _x_axis(plot: _Plot, first: date, last: date) -> list[Markup]:
    """A tick and a label at each year's 1 January, then the vertical axis line."""
    parts: list[Markup] = []
    for tick in year_ticks(first, last):
        parts.append(
            el(
                "line",
                {
                    "x1": num(plot.x(tick)),
                    "x2": num(plot.x(tick)),
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
                    "x": num(plot.x(tick)),
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
    return parts


def _lines(
    plot: _Plot, dates: Sequence[date], series: Sequence[Series], end_labels: Sequence[str]
) -> list[Markup]:
    """Each series' line (colour and dash by its index, as the page's legend has them),
    a dot at its last value and that value printed beside it."""
    parts: list[Markup] = []
    label_ys: list[float] = []
    for index, (s, label) in enumerate(zip(series, end_labels, strict=True)):
        colour = COLOURS[index % len(COLOURS)]
        points = " ".join(
            f"{num(plot.x(d))},{num(plot.y(v))}" for d, v in zip(dates, s.values, strict=True)
        )
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
        end_x, end_y = plot.x(dates[-1]), plot.y(s.values[-1])
        parts.append(el("circle", {"cx": num(end_x), "cy": num(end_y), "r": 4, "fill": colour}))
        label_y = _apart(end_y + 4, label_ys)
        label_ys.append(label_y)
        parts.append(
            el(
                "text",
                {"x": num(end_x + 8), "y": num(label_y), "class": "end-label", "fill": colour},
                text(label),
            )
        )
    return parts


def _apart(label_y: float, taken: Sequence[float]) -> float:
    """An end label's y moved off the labels already placed, so that two lines ending at
    about the same value do not print their values on top of each other."""
    for other in taken:
        if abs(label_y - other) < 14:
            label_y = other + 14 if label_y >= other else other - 14
    return label_y

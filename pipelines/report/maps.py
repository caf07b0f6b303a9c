"""The choropleth of partners per NUTS 2 region, as inline SVG.

Every region of marts.regional_coverage_history (at the page's date) that has a boundary
gets exactly one <path class="region" data-nuts=...> (a region of several islands is one
path of several subpaths), inside a link to its country's page when the page gives one.
Other regions of the boundary file are drawn in grey for context only. A country page
draws the same map zoomed to the country's regions (`zoom_to`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markupsafe import Markup

from pipelines.report.geo import Boundary, Frame, content_aspect
from pipelines.report.phrasing import thousands
from pipelines.report.svg import el, text

WIDTH = 1000
MAX_MAIN_HEIGHT = 1000
INSET_W, INSET_H, INSET_GAP, INSET_LABEL = 155, 110, 14, 40
INSETS_PER_ROW = max(1, (WIDTH + INSET_GAP) // (INSET_W + INSET_GAP))

# ColorBrewer YlGnBu, 5 classes (sequential, colour-blind safe, prints in grey).
CLASS_COLOURS = ("#c7e9b4", "#7fcdbb", "#41b6c4", "#2c7fb8", "#253494")
NO_PARTNERS = "#ffffff"
OUTSIDE = "#dddddd"
SEA = "#eef3f7"


@dataclass(frozen=True)
class Legend:
    breaks: list[int]  # lower bound of each class, ascending; first is 1

    def class_of(self, partners: int) -> int | None:
        """The class index of a count (None for 0)."""
        if partners <= 0:
            return None
        index = 0
        for i, lower in enumerate(self.breaks):
            if partners >= lower:
                index = i
        return index

    def colour(self, partners: int) -> str:
        index = self.class_of(partners)
        return NO_PARTNERS if index is None else CLASS_COLOURS[index]

    def labels(self) -> list[str]:
        out = []
        for i, lower in enumerate(self.breaks):
            upper = self.breaks[i + 1] - 1 if i + 1 < len(self.breaks) else None
            if upper is None:
                out.append(f"{thousands(lower)} or more")
            elif upper == lower:
                out.append(thousands(lower))
            else:
                out.append(f"{thousands(lower)}–{thousands(upper)}")
        return out

    def items(self) -> list[tuple[str, str]]:
        return list(zip(CLASS_COLOURS, self.labels(), strict=False))


def _nice(value: float) -> int:
    """Round up to 1, 2, 3, 5 or 10 times a power of ten (for class bounds)."""
    if value <= 1:
        return 1
    power = 10 ** math.floor(math.log10(value))
    for factor in (1, 2, 3, 5, 10):
        if value <= factor * power:
            return int(factor * power)
    return int(10 * power)


def legend_for(counts: Sequence[int]) -> Legend:
    """Up to five classes from the quintiles of the positive counts, at round bounds."""
    positive = sorted(c for c in counts if c > 0)
    if not positive:
        return Legend([1])
    breaks = [1]
    for q in (0.2, 0.4, 0.6, 0.8):
        value = positive[min(len(positive) - 1, int(q * len(positive)))]
        bound = _nice(value) + 1  # "1–5" then "6–10": bounds are round on the upper side
        if bound > breaks[-1] and bound <= positive[-1]:
            breaks.append(bound)
    return Legend(breaks)


@dataclass(frozen=True)
class MapResult:
    svg: Markup
    legend: Legend
    drawn: list[str]  # codes of regions with data that have a shape
    missing: list[str]  # codes of regions with data and no boundary in the file


def choropleth(
    regions: Sequence,
    boundaries: dict[str, Boundary],
    *,
    link: Callable[[object], str | None] = lambda region: None,
    zoom_to: Sequence | None = None,
    legend: Legend | None = None,
) -> MapResult:
    """`regions`: rows of marts.regional_coverage_history; `link`: a region's href;
    `zoom_to`: the regions to fit the map to (default all with data), the others drawn
    too; `legend`: the classes (a country page keeps the main page's, so colours agree)."""
    legend = legend or legend_for([r.partners for r in regions])
    with_shape = [r for r in regions if r.nuts2_code in boundaries]
    missing = sorted(r.nuts2_code for r in regions if r.nuts2_code not in boundaries)
    focus = {r.nuts2_code for r in (zoom_to if zoom_to is not None else with_shape)}
    main = [r for r in with_shape if boundaries[r.nuts2_code].in_europe]
    insets = sorted(
        (r for r in with_shape if not boundaries[r.nuts2_code].in_europe and r.nuts2_code in focus),
        key=lambda r: r.nuts2_code,
    )
    main_h, frame = _main_frame(main, with_shape, focus, boundaries)
    parts = [
        *_heading(main_h),
        *_main_map(regions, main, boundaries, frame, main_h, link, legend),
        *(
            shape
            for index, region in enumerate(insets)
            for shape in _inset(index, region, boundaries[region.nuts2_code], main_h, link, legend)
        ),
    ]
    svg = el(
        "svg",
        {
            "viewBox": f"0 0 {WIDTH} {main_h + _insets_height(len(insets))}",
            "class": "map",
            "role": "img",
            "aria-labelledby": "map-title map-desc",
            "id": "map",
        },
        *parts,
    )
    return MapResult(svg, legend, sorted(r.nuts2_code for r in with_shape), missing)


def _main_frame(
    main: Sequence, with_shape: Sequence, focus: set[str], boundaries: dict[str, Boundary]
) -> tuple[int, Frame]:
    """The main map's height and projection frame, fitted to the regions in focus that
    lie in Europe; failing those, to the ones in focus anywhere; failing those, to all
    regions with a shape (a zoom to no region still draws a map)."""
    fit_to = [boundaries[r.nuts2_code] for r in main if r.nuts2_code in focus] or [
        boundaries[r.nuts2_code] for r in with_shape if r.nuts2_code in focus
    ]
    fit_to = fit_to or [boundaries[r.nuts2_code] for r in (main or with_shape)]
    main_h = min(MAX_MAIN_HEIGHT, round(WIDTH * content_aspect(fit_to)))
    return main_h, Frame.fit(fit_to, (0, 0, WIDTH, main_h))


def _heading(main_h: int) -> list[Markup]:
    """The title and description the svg's aria-labelledby points to, the clip of the
    main map and its sea."""
    return [
        el("title", {"id": "map-title"}, text("Partners per NUTS 2 region")),
        el(
            "desc",
            {"id": "map-desc"},
            text(
                "Choropleth map: the darker a region, the more partners it has. "
                "White: in the programme area, no partner. Grey: outside the programme area."
            ),
        ),
        el("defs", {}, el("clipPath", {"id": "map-clip"}, el("rect", _rect(0, 0, WIDTH, main_h)))),
        el("rect", {**_rect(0, 0, WIDTH, main_h), "fill": SEA}),
    ]


def _main_map(
    regions: Sequence,
    main: Sequence,
    boundaries: dict[str, Boundary],
    frame: Frame,
    main_h: int,
    link: Callable[[object], str | None],
    legend: Legend,
) -> list[Markup]:
    """Two groups clipped to the main map: the context (every boundary of the file without
    data, grey) under the regions with data. Shapes outside the frame are left out."""
    with_data = {r.nuts2_code for r in regions}
    box = (0, 0, WIDTH, main_h)
    context = [
        el("path", {"d": frame.path(b)})
        for code, b in sorted(boundaries.items())
        if code not in with_data and b.in_europe and frame.visible(b, box)
    ]
    shown = [r for r in main if frame.visible(boundaries[r.nuts2_code], box)]
    return [
        el("g", {"class": "context", "clip-path": "url(#map-clip)"}, *context),
        el(
            "g",
            {"class": "regions", "clip-path": "url(#map-clip)"},
            *(
                _linked(link(r), _region_path(r, frame.path(boundaries[r.nuts2_code]), legend))
                for r in shown
            ),
        ),
    ]


def _insets_height(count: int) -> int:
    """The height of the rows of insets below the main map (0 without insets)."""
    if not count:
        return 0
    return math.ceil(count / INSETS_PER_ROW) * (INSET_H + INSET_LABEL + INSET_GAP) + INSET_GAP


def _inset(
    index: int,
    region,
    boundary: Boundary,
    main_h: int,
    link: Callable[[object], str | None],
    legend: Legend,
) -> list[Markup]:
    """The `index`th inset below the main map: a small frame fitted to the region (an
    outermost region, too far to draw on the main map), its shape, its name below."""
    left = (index % INSETS_PER_ROW) * (INSET_W + INSET_GAP)
    top = main_h + INSET_GAP + (index // INSETS_PER_ROW) * (INSET_H + INSET_LABEL + INSET_GAP)
    frame = Frame.fit(
        [boundary], (left, top, INSET_W, INSET_H), centre=boundary.centre(), margin=0.08
    )
    lines = _wrap(region.region_name or boundary.name or region.nuts2_code)
    return [
        el("rect", {**_rect(left, top, INSET_W, INSET_H), "class": "inset"}),
        _linked(link(region), _region_path(region, frame.path(boundary), legend)),
        el(
            "text",
            {"x": left + INSET_W / 2, "y": top + INSET_H + 17, "class": "inset-label"},
            *(
                el("tspan", {"x": left + INSET_W / 2, "dy": 0 if i == 0 else 17}, text(line))
                for i, line in enumerate(lines)
            ),
        ),
    ]


def _rect(x: float, y: float, w: float, h: float) -> dict[str, object]:
    return {"x": x, "y": y, "width": w, "height": h}


def _wrap(name: str, limit: int = 19) -> list[str]:
    """An inset's label in at most two lines of about `limit` characters."""
    lines: list[str] = []
    for word in name.split():
        if lines and len(lines[-1]) + 1 + len(word) <= limit:
            lines[-1] += " " + word
        else:
            lines.append(word)
    if len(lines) > 2:
        lines = [lines[0], " ".join(lines[1:])]
    return [line if len(line) <= limit + 2 else line[:limit] + "…" for line in lines]


def _linked(href: str | None, shape: Markup) -> Markup:
    """A shape inside a link (focusable, Enter follows it), or the shape alone."""
    return el("a", {"href": href, "class": "region-link"}, shape) if href else shape


def _region_path(region, d: str, legend: Legend) -> Markup:
    name = region.region_name or region.nuts2_code
    where = "" if region.is_eligible else " (outside the programme area)"
    partners = f"{thousands(region.partners)} partner{'s' if region.partners != 1 else ''}"
    projects = f"{thousands(region.projects)} project{'s' if region.projects != 1 else ''}"
    return el(
        "path",
        {
            "d": d,
            "class": "region" + ("" if region.is_eligible else " outside"),
            "fill": legend.colour(region.partners),
            "data-nuts": region.nuts2_code,
            "data-partners": region.partners,
        },
        el("title", {}, text(f"{name} ({region.nuts2_code}){where}: {partners}, {projects}")),
    )

"""The project pages' small map: the project's partner regions over a grey Europe.

Why this shape: 26,000 project pages at 100x cannot each project every boundary. Europe
is drawn once, as a file (assets/europe.svg), and each region's outline in the same
frame once too; a project page's inline SVG is that file as its background plus the few
paths of its partners' regions: a string join per page.
"""

from __future__ import annotations

from pathlib import Path

from markupsafe import Markup

from pipelines.report.geo import Boundary, Frame
from pipelines.report.svg import el, text

WIDTH, HEIGHT = 320, 280
BACKGROUND = "assets/europe.svg"


class MiniMap:
    def __init__(self, boundaries: dict[str, Boundary]) -> None:
        europe = [b for b in boundaries.values() if b.in_europe]
        self.frame = Frame.fit(europe, (0, 0, WIDTH, HEIGHT), margin=0.01)
        self.paths = {code: self.frame.path(b, tolerance=1.2) for code, b in boundaries.items()}
        self.in_europe = {code for code, b in boundaries.items() if b.in_europe}

    def write_background(self, site: Path) -> None:
        shapes = "".join(f'<path d="{self.paths[c]}"/>' for c in sorted(self.in_europe))
        (site / BACKGROUND).write_text(
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}">'
            f'<rect width="{WIDTH}" height="{HEIGHT}" fill="#eef3f7"/>'
            f'<g fill="#dddddd" stroke="#ffffff" stroke-width="0.4">{shapes}</g></svg>',
            encoding="utf-8",
        )

    def svg(self, regions: dict[str, str], prefix: str = "../") -> Markup | None:
        """`regions`: NUTS code -> its name, of the project's partners; None when none of
        them has a shape in Europe (the page then shows its table only)."""
        drawn = [code for code in sorted(regions) if code in self.in_europe]
        if not drawn:
            return None
        paths = (
            el("path", {"d": self.paths[code], "data-nuts": code}, el("title", {}, text(name)))
            for code, name in ((c, regions[c]) for c in drawn)
        )
        return el(
            "svg",
            {"viewBox": f"0 0 {WIDTH} {HEIGHT}", "class": "minimap", "role": "img",
             "aria-label": "The partners' regions: " + ", ".join(drawn)},
            el("image", {"href": prefix + BACKGROUND, "width": WIDTH, "height": HEIGHT}),
            el("g", {"class": "partner-regions"}, *paths),
        )  # fmt: skip

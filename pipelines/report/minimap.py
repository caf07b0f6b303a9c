"""The project page's small map: the project's partner regions over a grey Europe.

Why this shape: at 100x the 26,000 projects cannot each project every boundary. Europe
is drawn once, as a file (assets/europe.svg), and each region's outline in the same
frame once too (assets/regions.js); the project page draws that file as its background
and the few paths of its partners' regions over it (static/project.js).
"""

from __future__ import annotations

import json
from pathlib import Path

from pipelines.report.geo import Boundary, Frame

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

    def write_regions(self, site: Path) -> None:
        """assets/regions.js: each region's outline in the background's frame, for the
        project page's script to draw the partners' regions over it."""
        shapes = {
            "viewBox": f"0 0 {WIDTH} {HEIGHT}", "width": WIDTH, "height": HEIGHT,
            "paths": {code: self.paths[code] for code in sorted(self.in_europe)},
        }  # fmt: skip
        body = json.dumps(shapes, separators=(",", ":"))
        (site / "assets" / "regions.js").write_text(
            "window.__interreg = window.__interreg || {};"
            f" window.__interreg.regionShapes = {body};\n",
            encoding="utf-8",
        )

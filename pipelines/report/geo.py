"""NUTS boundaries (WGS84 GeoJSON) -> SVG paths, in a Lambert azimuthal equal-area
projection centred on Europe (the sphere version of EPSG:3035's projection).

The main map is fitted to the regions with data that lie in Europe; regions far from it
(the outermost regions: Canarias, Madeira, Açores, the French overseas regions) that have
data get a small inset each, below the main map, as Eurostat's maps do.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from pipelines.errors import SourceError

Ring = list[tuple[float, float]]  # (lon, lat)

# Europe for the main map; a region whose centre lies outside goes to an inset.
EUROPE_LON = (-25.0, 45.0)
EUROPE_LAT = (34.0, 72.0)
CENTRE = (10.0, 52.0)  # EPSG:3035's centre


@dataclass(frozen=True)
class Boundary:
    code: str
    name: str | None
    polygons: list[list[Ring]]  # each polygon: outer ring, then holes
    # Projected rings by projection centre: a site draws the same region on many maps.
    _projected: dict = field(default_factory=dict, compare=False, repr=False)

    def projected(self, centre: tuple[float, float] = CENTRE) -> list[list[float]]:
        """The rings in the projection, flattened [x0, y0, x1, y1, …], computed once."""
        found = self._projected.get(centre)
        if found is None:
            found = [
                [v for lon, lat in ring for v in laea(lon, lat, centre)]
                for polygon in self.polygons
                for ring in polygon
            ]
            self._projected[centre] = found
        return found

    def extent(self, centre: tuple[float, float] = CENTRE) -> tuple[float, float, float, float]:
        """min x, min y, max x, max y in the projection."""
        key = ("extent", centre)
        found = self._projected.get(key)
        if found is None:
            rings = self.projected(centre)
            xs = [v for r in rings for v in r[0::2]]
            ys = [v for r in rings for v in r[1::2]]
            found = self._projected[key] = (min(xs), min(ys), max(xs), max(ys))
        return found

    def points(self) -> Iterator[tuple[float, float]]:
        for polygon in self.polygons:
            for ring in polygon:
                yield from ring

    def centre(self) -> tuple[float, float]:
        """The centre of the bounding box of the largest polygon (in degrees)."""
        largest = max(self.polygons, key=lambda p: _ring_area(p[0]))
        lons = [p[0] for p in largest[0]]
        lats = [p[1] for p in largest[0]]
        return (min(lons) + max(lons)) / 2, (min(lats) + max(lats)) / 2

    @property
    def in_europe(self) -> bool:
        lon, lat = self.centre()
        return EUROPE_LON[0] <= lon <= EUROPE_LON[1] and EUROPE_LAT[0] <= lat <= EUROPE_LAT[1]


def read_boundaries(path: Path) -> dict[str, Boundary]:
    """NUTS 2 boundaries by code from a GeoJSON file in WGS84 (lon/lat degrees)."""
    try:
        doc = json.loads(Path(path).read_bytes().decode("utf-8-sig"))
    except (OSError, ValueError) as exc:
        raise SourceError(f"NUTS boundaries {path}: not a readable GeoJSON file ({exc})") from None
    features = doc.get("features") if isinstance(doc, dict) else None
    if not isinstance(features, list):
        raise SourceError(f"NUTS boundaries {path}: not a GeoJSON FeatureCollection")
    boundaries: dict[str, Boundary] = {}
    for feature in features:
        props = feature.get("properties") or {}
        code = props.get("NUTS_ID") or props.get("nuts_id") or props.get("id")
        level = props.get("LEVL_CODE")
        if not isinstance(code, str) or (level is not None and int(level) != 2):
            continue
        if level is None and len(code) != 4:
            continue
        polygons = _polygons(feature.get("geometry") or {})
        if not polygons:
            continue
        name = props.get("NAME_LATN") or props.get("NUTS_NAME") or props.get("Name")
        boundaries[code] = Boundary(code, name, polygons)
    if not boundaries:
        raise SourceError(f"NUTS boundaries {path}: no NUTS 2 regions (NUTS_ID, LEVL_CODE 2)")
    for b in boundaries.values():
        for lon, lat in b.points():
            if not (-180 <= lon <= 180 and -90 <= lat <= 90):
                raise SourceError(
                    f"NUTS boundaries {path}: coordinates are not longitude/latitude degrees"
                    " (WGS84); use the EPSG:4326 file, e.g. NUTS_RG_60M_2016_4326_LEVL_2.geojson"
                )
    return boundaries


def _polygons(geometry: dict) -> list[list[Ring]]:
    kind, coords = geometry.get("type"), geometry.get("coordinates")
    if kind == "Polygon":
        return [[_ring(r) for r in coords]]
    if kind == "MultiPolygon":
        return [[_ring(r) for r in polygon] for polygon in coords]
    if kind == "GeometryCollection":
        return [p for g in geometry.get("geometries", []) for p in _polygons(g)]
    return []


def _ring(coords: Iterable) -> Ring:
    return [(float(p[0]), float(p[1])) for p in coords]


def _ring_area(ring: Ring) -> float:
    pairs = zip(ring, ring[1:] + ring[:1], strict=True)
    return abs(sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in pairs)) / 2


# -- projection ----------------------------------------------------------------------------


def laea(lon: float, lat: float, centre: tuple[float, float] = CENTRE) -> tuple[float, float]:
    """Lambert azimuthal equal-area on the unit sphere; y grows northwards."""
    lam, phi = math.radians(lon - centre[0]), math.radians(lat)
    phi0 = math.radians(centre[1])
    k = math.sqrt(
        2 / (1 + math.sin(phi0) * math.sin(phi) + math.cos(phi0) * math.cos(phi) * math.cos(lam))
    )
    x = k * math.cos(phi) * math.sin(lam)
    y = k * (math.cos(phi0) * math.sin(phi) - math.sin(phi0) * math.cos(phi) * math.cos(lam))
    return x, y


@dataclass(frozen=True)
class Frame:
    """Projected (x, y) -> SVG coordinates: fit a bounding box into a box, keep the aspect."""

    centre: tuple[float, float]
    min_x: float
    max_y: float
    scale: float
    left: float
    top: float

    @classmethod
    def fit(
        cls,
        boundaries: Iterable[Boundary],
        box: tuple[float, float, float, float],  # left, top, width, height
        centre: tuple[float, float] = CENTRE,
        margin: float = 0.03,
    ) -> Frame:
        extents = [b.extent(centre) for b in boundaries]
        xs = [e[0] for e in extents] + [e[2] for e in extents]
        ys = [e[1] for e in extents] + [e[3] for e in extents]
        left, top, width, height = box
        span_x = max(max(xs) - min(xs), 1e-9) * (1 + 2 * margin)
        span_y = max(max(ys) - min(ys), 1e-9) * (1 + 2 * margin)
        scale = min(width / span_x, height / span_y)
        # Centre the content in the box.
        pad_x = (width - (max(xs) - min(xs)) * scale) / 2
        pad_y = (height - (max(ys) - min(ys)) * scale) / 2
        return cls(centre, min(xs), max(ys), scale, left + pad_x, top + pad_y)

    def point(self, lon: float, lat: float) -> tuple[float, float]:
        x, y = laea(lon, lat, self.centre)
        return self.left + (x - self.min_x) * self.scale, self.top + (self.max_y - y) * self.scale

    def path(self, boundary: Boundary, tolerance: float = 0.8) -> str:
        """SVG path data, one subpath per ring, to a tenth of a unit. A point closer than
        `tolerance` units to the last one kept is dropped: detailed boundary files (1:1
        million) draw no heavier than the 1:60 million ones."""
        parts = []
        for ring in boundary.projected(self.centre):
            # A ring too small for the tolerance (a small island) is kept whole.
            points = self._ring(ring, tolerance) or self._ring(ring, 0.1)
            if points:
                parts.append("M" + "L".join(points) + "Z")
        return "".join(parts)

    def visible(self, boundary: Boundary, box: tuple[float, float, float, float]) -> bool:
        """Whether the boundary's extent meets `box` (left, top, width, height): the
        shapes of a zoomed map outside its frame are left out, not only clipped."""
        x0, y0, x1, y1 = boundary.extent(self.centre)
        left = self.left + (x0 - self.min_x) * self.scale
        right = self.left + (x1 - self.min_x) * self.scale
        top = self.top + (self.max_y - y1) * self.scale
        bottom = self.top + (self.max_y - y0) * self.scale
        return (
            right >= box[0]
            and left <= box[0] + box[2]
            and bottom >= box[1]
            and top <= box[1] + box[3]
        )

    def _ring(self, ring: list[float], tolerance: float) -> list[str]:
        points: list[str] = []
        last_x = last_y = math.inf
        left, top, min_x, max_y, scale = self.left, self.top, self.min_x, self.max_y, self.scale
        for i in range(0, len(ring), 2):
            x = left + (ring[i] - min_x) * scale
            y = top + (max_y - ring[i + 1]) * scale
            if abs(x - last_x) + abs(y - last_y) >= tolerance:
                points.append(f"{x:.1f} {y:.1f}")
                last_x, last_y = x, y
        return points if len(points) >= 3 else []


def content_aspect(boundaries: Iterable[Boundary], centre: tuple[float, float] = CENTRE) -> float:
    """height / width of the projected bounding box."""
    extents = [b.extent(centre) for b in boundaries]
    width = max(e[2] for e in extents) - min(e[0] for e in extents)
    height = max(e[3] for e in extents) - min(e[1] for e in extents)
    return height / max(width, 1e-9)

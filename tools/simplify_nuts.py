"""Derive the bundled NUTS 2 layer (sample/nuts/) from a GISCO GeoJSON file.

    python tools/simplify_nuts.py SOURCE.geojson sample/nuts/NUTS_RG_60M_2016_4326_LEVL_2.geojson

Kept out of the runtime package: the page only reads the derived file. Why derive rather
than copy: the layer ships with the repository, so it should be small (coordinates to 3
decimals, about 100 m, finer than the 1:60 million source's detail; consecutive points
that round to the same place dropped; only the properties the page reads) and say where
it came from. Deterministic: the same source gives the same bytes.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

DECIMALS = 3
KEPT = ("NUTS_ID", "LEVL_CODE", "CNTR_CODE", "NUTS_NAME")
CREDIT = "© EuroGeographics for the administrative boundaries"


def simplify_ring(ring: list[list[float]]) -> list[list[float]]:
    """The ring at DECIMALS, without repeated points; closed as GeoJSON wants."""
    out: list[list[float]] = []
    for lon, lat in (p[:2] for p in ring):
        point = [round(lon, DECIMALS), round(lat, DECIMALS)]
        if not out or out[-1] != point:
            out.append(point)
    if out and out[0] != out[-1]:
        out.append(out[0])
    return out if len(out) >= 4 else []


def simplify_geometry(geometry: dict) -> dict | None:
    polygons = (
        [geometry["coordinates"]]
        if geometry["type"] == "Polygon"
        else geometry["coordinates"]
        if geometry["type"] == "MultiPolygon"
        else []
    )
    kept = []
    for polygon in polygons:
        rings = [r for r in (simplify_ring(ring) for ring in polygon) if r]
        if rings:
            kept.append(rings)
    if not kept:
        return None
    if len(kept) == 1:
        return {"type": "Polygon", "coordinates": kept[0]}
    return {"type": "MultiPolygon", "coordinates": kept}


def simplify(source: dict) -> dict:
    features = []
    for feature in source["features"]:
        props = feature.get("properties") or {}
        if props.get("LEVL_CODE") != 2:
            continue
        geometry = simplify_geometry(feature.get("geometry") or {"type": None})
        if geometry is not None:
            kept = {key: props[key] for key in KEPT if key in props}
            features.append({"type": "Feature", "properties": kept, "geometry": geometry})
    features.sort(key=lambda f: f["properties"]["NUTS_ID"])
    return {"type": "FeatureCollection", "credit": CREDIT, "features": features}


def main(argv: list[str]) -> int:
    source, target = Path(argv[0]), Path(argv[1])
    layer = simplify(json.loads(source.read_text(encoding="utf-8")))
    text = json.dumps(layer, ensure_ascii=False, separators=(",", ":"))
    target.write_text(text.replace('{"type":"Feature"', '\n{"type":"Feature"') + "\n")
    print(f"{target}: {len(layer['features'])} regions, {target.stat().st_size:,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

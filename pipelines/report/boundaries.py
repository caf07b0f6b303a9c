"""Which NUTS 2 boundaries the map is drawn from: INTERREG_NUTS_URL when set (landed like
any source), else the layer bundled for the export's NUTS version (sample/nuts/), else
none (the regions are a table and a note says how to get a map)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from pipelines.config import SAMPLE_NUTS_DIR
from pipelines.report.geo import Boundary, read_boundaries
from pipelines.sources.http import HttpClient, redact_url
from pipelines.sources.nuts import land_nuts_boundaries

log = logging.getLogger("pipelines.report")


@dataclass
class Boundaries:
    shapes: dict[str, Boundary]
    shown_source: str  # for the footer: a URL without secrets, or a file's name
    notes: list[str] = field(default_factory=list)


def bundled_layer(nuts_version: int | None, folder: Path = SAMPLE_NUTS_DIR) -> Path | None:
    """The bundled layer of a NUTS version, if the repository ships one."""
    if nuts_version is None:
        return None
    path = folder / f"NUTS_RG_60M_{nuts_version}_4326_LEVL_2.geojson"
    return path if path.is_file() else None


def load_boundaries(
    nuts_url: str | None,
    nuts_version: int | None,
    landing_root: Path,
    client: HttpClient | None = None,
) -> Boundaries | None:
    if nuts_url:
        blob = land_nuts_boundaries(nuts_url, landing_root, client=client)
        shapes = read_boundaries(blob.path)
        log.info("map: %d boundaries from %s", len(shapes), redact_url(nuts_url))
        return Boundaries(shapes, _shown_source(nuts_url))
    layer = bundled_layer(nuts_version)
    if layer is None:
        return None
    return Boundaries(read_boundaries(layer), f"bundled: sample/nuts/{layer.name}")


def missing_note(missing: list[str], nuts_version: int | None) -> str:
    shown = ", ".join(missing[:12]) + (" …" if len(missing) > 12 else "")
    return (
        f"{len(missing)} region(s) with data have no shape in the boundary file"
        f" ({shown}): are the boundaries of the programme's NUTS version"
        + (f" ({nuts_version})?" if nuts_version else "?")
    )


def _shown_source(nuts_url: str) -> str:
    if nuts_url.lower().startswith(("http://", "https://")):
        return redact_url(nuts_url)
    return Path(nuts_url).name

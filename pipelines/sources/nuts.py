"""NUTS boundaries for the results page's map: a GeoJSON file in WGS84 (e.g. GISCO's
NUTS_RG_60M_2016_4326_LEVL_2.geojson), from `INTERREG_NUTS_URL`.

Landed like any source (pipelines.sources.landing, source `nuts`): over HTTP(S) with the
resilient client (conditional on the ETag of the last fetch), or copied in from a
file:// URL or a path. The map reads the landed copy, never the original.
"""

from __future__ import annotations

from pathlib import Path

from pipelines.sources.http import HttpClient
from pipelines.sources.landing import LandedBlob, Landing
from pipelines.sources.location import url_or_path

SOURCE = "nuts"
MAX_BYTES = 256 << 20  # the 1:1 million file of all levels is about 100 MB
EXTENSION = ".geojson"


def land_nuts_boundaries(
    location: str, landing_root: Path, *, client: HttpClient | None = None
) -> LandedBlob:
    """Fetch or copy the GeoJSON at `location` into the landing area; returns the landed file."""
    landing = Landing(Path(landing_root), SOURCE)
    where = url_or_path(location, setting="INTERREG_NUTS_URL", local="a file path")
    if isinstance(where, Path):
        return landing.copy_in(where, extension=EXTENSION, max_bytes=MAX_BYTES)
    if client is None:
        # Public boundaries: no token, and a shorter budget than the monitoring export's.
        with HttpClient(total_budget=300.0) as own:
            return landing.fetch(own, where, extension=EXTENSION, max_bytes=MAX_BYTES)
    return landing.fetch(client, where, extension=EXTENSION, max_bytes=MAX_BYTES)

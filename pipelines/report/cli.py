"""`interreg report`: build the results page and say where it is."""

from __future__ import annotations

from datetime import date

from pipelines.config import Settings
from pipelines.report.site import build_site


def write_report(settings: Settings, as_of: date | None) -> int:
    result = build_site(settings.warehouse_dir, as_of, settings.nuts_url)
    index = result.path / "index.html"
    print(f"Results page as of {result.as_of.isoformat()}: {index}")
    if not result.map_drawn:
        print("No map: set INTERREG_NUTS_URL to a NUTS 2 GeoJSON (WGS84) to draw one.")
    for note in result.notes:
        print(f"Note: {note}")
    return 0

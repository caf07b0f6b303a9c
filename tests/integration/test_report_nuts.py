"""NUTS boundaries are fetched and landed like any source; the page asset runs in Dagster."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from dagster import materialize
from werkzeug import Response

from pipelines.errors import ConfigurationError, SourceError
from pipelines.report.assets import REPORT_KEY, results_page
from pipelines.sources.http import HttpClient
from pipelines.sources.nuts import land_nuts_boundaries
from pipelines.warehouse.resource import WarehouseResource


def geojson(path: Path, codes: list[str]) -> Path:
    """Squares for `codes`, in lon/lat."""
    where = {"FR10": (2, 48.5), "TR10": (29, 41)}
    features = []
    for code in codes:
        lon, lat = where[code]
        ring = [[lon, lat], [lon + 1, lat], [lon + 1, lat + 1], [lon, lat + 1], [lon, lat]]
        features.append(
            {
                "type": "Feature",
                "properties": {"NUTS_ID": code, "LEVL_CODE": 2, "NUTS_NAME": code},
                "geometry": {"type": "Polygon", "coordinates": [ring]},
            }
        )
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return path


def quick_client() -> HttpClient:
    return HttpClient(total_budget=5, max_attempts=2, backoff_base=0.01, sleep=lambda s: None)


def test_boundaries_over_http_are_landed_once_and_asked_for_conditionally(httpserver, tmp_path):
    body = geojson(tmp_path / "served.geojson", ["FR10"]).read_bytes()
    seen: list[str | None] = []

    def handler(request):
        seen.append(request.headers.get("If-None-Match"))
        if request.headers.get("If-None-Match") == '"v1"':
            return Response(status=304)
        return Response(body, headers={"ETag": '"v1"', "Content-Type": "application/geo+json"})

    httpserver.expect_request("/nuts/NUTS_RG_60M_2016_4326_LEVL_2.geojson").respond_with_handler(
        handler
    )
    url = httpserver.url_for("/nuts/NUTS_RG_60M_2016_4326_LEVL_2.geojson")
    with quick_client() as client:
        first = land_nuts_boundaries(url, tmp_path / "landing", client=client)
        second = land_nuts_boundaries(url, tmp_path / "landing", client=client)
    assert seen == [None, '"v1"']
    assert first.path == second.path and second.from_cache
    assert first.path.parent == tmp_path / "landing" / "nuts" and first.path.suffix == ".geojson"
    assert first.path.read_bytes() == body
    meta = json.loads(first.path.with_suffix(".meta.json").read_text())
    assert meta["url"] == url and meta["headers"]["ETag"] == '"v1"'


def test_a_missing_or_unsupported_location_fails_with_its_name(httpserver, tmp_path):
    httpserver.expect_request("/gone.geojson").respond_with_data("no", status=404)
    with quick_client() as client, pytest.raises(SourceError, match="gone.geojson answered 404"):
        land_nuts_boundaries(httpserver.url_for("/gone.geojson"), tmp_path, client=client)
    with pytest.raises(SourceError, match="no such file"):
        land_nuts_boundaries(str(tmp_path / "nope.geojson"), tmp_path)
    with pytest.raises(ConfigurationError, match="use http"):
        land_nuts_boundaries("ftp://example.org/nuts.geojson", tmp_path)


def test_the_page_asset_builds_the_site_from_the_published_file(
    published_sample, tmp_path, monkeypatch
):
    warehouse = tmp_path / "warehouse"
    warehouse.mkdir()
    shutil.copy(published_sample / "interreg.duckdb", warehouse / "interreg.duckdb")
    monkeypatch.setenv("INTERREG_NUTS_URL", str(geojson(tmp_path / "n.geojson", ["FR10"])))
    result = materialize(
        [results_page], resources={"warehouse": WarehouseResource(directory=str(warehouse))}
    )
    assert result.success
    [event] = result.get_asset_materialization_events()
    assert event.asset_key == REPORT_KEY
    metadata = event.materialization.metadata
    assert metadata["as_of"].value == "2024-05-15" and metadata["map"].value is True
    text = (warehouse / "site" / "index.html").read_text(encoding="utf-8")
    assert re.search(r'data-nuts="FR10"', text)

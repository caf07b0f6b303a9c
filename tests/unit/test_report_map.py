"""GeoJSON -> SVG: the projection, the boundaries reader, the choropleth and its legend."""

from __future__ import annotations

import json
import re
from pathlib import Path
from types import SimpleNamespace

import pytest

from pipelines.errors import SourceError
from pipelines.report.geo import CENTRE, Frame, laea, read_boundaries
from pipelines.report.maps import CLASS_COLOURS, NO_PARTNERS, choropleth, legend_for


def square(lon: float, lat: float, size: float = 1.0) -> list[list[float]]:
    return [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]


def feature(code: str, geometry: dict, level: int | None = 2, name: str | None = None) -> dict:
    props: dict = {"NUTS_ID": code, "NUTS_NAME": name or f"Region {code}"}
    if level is not None:
        props["LEVL_CODE"] = level
    return {"type": "Feature", "properties": props, "geometry": geometry}


def polygon(lon: float, lat: float) -> dict:
    return {"type": "Polygon", "coordinates": [square(lon, lat)]}


def write_geojson(path: Path, features: list[dict]) -> Path:
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return path


def region(code: str, partners: int, eligible: bool = True) -> SimpleNamespace:
    """A row of marts.regional_coverage_history, as the page reads it."""
    return SimpleNamespace(
        nuts2_code=code,
        country_code=code[:2],
        region_name=f"Region {code}" if eligible else None,
        is_eligible=eligible,
        partners=partners,
        projects=partners,
        lead_partners=0,
        policy_changes=0,
    )


@pytest.fixture
def boundaries(tmp_path):
    return read_boundaries(
        write_geojson(
            tmp_path / "nuts.geojson",
            [
                feature("FR10", polygon(2, 48)),
                feature("DE30", polygon(13, 52)),
                # Two islands: one region, one path.
                feature(
                    "EL42",
                    {
                        "type": "MultiPolygon",
                        "coordinates": [[square(26, 36, 0.5)], [square(27, 37, 0.5)]],
                    },
                ),
                feature("ES70", polygon(-16, 28)),  # Canarias: an inset
                feature("TR10", polygon(29, 41)),  # outside the programme: context
                feature("FR", polygon(2, 48), level=0),  # another level: ignored
            ],
        )
    )


def test_the_projection_centre_is_the_origin_and_north_is_up():
    assert laea(*CENTRE) == pytest.approx((0.0, 0.0))
    x_east, _ = laea(CENTRE[0] + 5, CENTRE[1])
    _, y_north = laea(CENTRE[0], CENTRE[1] + 5)
    assert x_east > 0 and y_north > 0


def test_the_reader_keeps_level_2_and_knows_the_outermost_regions(boundaries):
    assert sorted(boundaries) == ["DE30", "EL42", "ES70", "FR10", "TR10"]
    assert len(boundaries["EL42"].polygons) == 2
    assert boundaries["FR10"].in_europe and not boundaries["ES70"].in_europe


def test_the_reader_accepts_files_without_levels_by_code_length(tmp_path):
    path = write_geojson(
        tmp_path / "idris.geojson",
        [feature("AT11", polygon(16, 47), level=None), feature("AT1", polygon(16, 47), None)],
    )
    assert list(read_boundaries(path)) == ["AT11"]


def test_projected_coordinates_are_refused_with_a_hint(tmp_path):
    path = write_geojson(
        tmp_path / "3035.geojson",
        [feature("FR10", {"type": "Polygon", "coordinates": [square(3_760_000, 2_890_000, 1e4)]})],
    )
    with pytest.raises(SourceError, match="4326"):
        read_boundaries(path)


def test_a_file_without_nuts_2_regions_is_refused(tmp_path):
    with pytest.raises(SourceError, match="no NUTS 2 regions"):
        read_boundaries(write_geojson(tmp_path / "x.geojson", []))


def test_the_frame_fits_every_point_into_its_box(boundaries):
    frame = Frame.fit(boundaries.values(), (10, 20, 300, 200))
    for b in boundaries.values():
        for lon, lat in b.points():
            x, y = frame.point(lon, lat)
            assert 10 <= x <= 310 and 20 <= y <= 220


def test_one_shape_per_region_with_data_and_a_note_of_those_without(boundaries):
    counts = {"FR10": 12, "DE30": 0, "EL42": 3, "ES70": 40, "PL91": 5}
    regions = [region(code, partners) for code, partners in counts.items()]
    result = choropleth(regions, boundaries)
    svg = str(result.svg)
    shapes = re.findall(
        r'<path d="([^"]+)" class="region[^"]*" fill="([^"]+)" data-nuts="(\w+)"', svg
    )
    assert sorted(code for _, _, code in shapes) == ["DE30", "EL42", "ES70", "FR10"]
    assert result.missing == ["PL91"]
    by_code = {code: (d, fill) for d, fill, code in shapes}
    assert by_code["EL42"][0].count("M") == 2  # two islands, one path
    assert by_code["DE30"][1] == NO_PARTNERS
    assert by_code["ES70"][1] == CLASS_COLOURS[len(result.legend.breaks) - 1]
    # Context regions are drawn, without data attributes; the credit is the page's job.
    assert 'class="context"' in svg and svg.count("data-nuts=") == 4
    assert "Region ES70" in svg  # inset label and title


def test_the_legend_classes_cover_every_count_in_order():
    counts = [0, 1, 1, 2, 3, 4, 5, 6, 8, 9, 12, 15, 20, 25, 43]
    legend = legend_for(counts)
    assert legend.breaks[0] == 1 and legend.breaks == sorted(set(legend.breaks))
    assert len(legend.breaks) <= len(CLASS_COLOURS)
    classes = [legend.class_of(c) for c in counts]
    assert classes[0] is None
    assert classes[1:] == sorted(classes[1:])  # more partners, never a lighter class
    labels = legend.labels()
    assert labels[0].startswith("1") and labels[-1].endswith("or more")


def test_a_legend_of_one_value_has_one_class():
    assert legend_for([0, 0]).breaks == [1]
    assert legend_for([3, 3, 3]).labels() == ["1 or more"]

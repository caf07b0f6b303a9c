"""`interreg report` on a small published warehouse made here: every figure, date rule,
download, map and note of the page checked against the marts it was built from."""

from __future__ import annotations

import csv
import html
import json
import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import openpyxl
import pytest

from pipelines.cli import main
from pipelines.errors import PipelineError, SourceError
from pipelines.report.phrasing import approximate, thousands
from pipelines.report.site import EUROGEOGRAPHICS, build_site
from pipelines.warehouse.summary import FIGURES

# Three month ends; the figures grow. Budget and eligible regions are constants.
# as_of, projects, events, good practices identified and validated, people, action plans,
# instruments and of them SF, financial impact and of it SF, regions involved.
HEADLINE = [
    (date(2019, 12, 31), 120, 4_200, 1_100, 400, 7_000, 90, 210, 100,
     "310500000.25", "200000000.00", 3),
    (date(2020, 1, 31), 150, 14_980, 5_531, 1_200, 22_520, 700, 260, 130,
     "640250000.75", "410000000.10", 4),
    (date(2020, 2, 29), 151, 15_200, 5_600, 1_300, 22_900, 720, 300, 150,
     "700000000.00", "450000000.00", 4),
]  # fmt: skip
ELIGIBLE = 5

REGIONS = [
    # code, country, name, eligible, partners, projects, leads, changes
    ("DE30", "DE", "Berlin", True, 0, 0, 0, 0),
    ("EL42", "EL", "Νότιο Αιγαίο", True, 3, 3, 1, 1),
    ("ES70", "ES", "Canarias", True, 40, 30, 8, 2),
    ("FR10", "FR", "Île-de-France", True, 12, 10, 4, 1),
    ("NO01", "NO", None, False, 2, 2, 0, 0),
    ("PL91", "PL", "Warszawski stołeczny", True, 7, 6, 1, 0),
]

CHANGES = [
    # change_id, validated_on, acronym, organisation, country, nuts2, instrument, type, change
    # type, sf, other, description
    ("PC1", date(2019, 11, 2), "ALPHA", "Région Île-de-France", "FR", "FR10", "ROP IdF",
     "growth_and_jobs", "new_projects", "1000.50", "0.00", "A <b>bold</b> change"),
    ("PC2", date(2020, 1, 15), "BETA", "Cabildo de Gran Canaria", "ES", "ES70", "PO Canarias",
     "growth_and_jobs", "management", "2500000.00", "120.25", "=HYPERLINK(\"http://x\")"),
    ("PC3", date(2020, 1, 31), "GAMMA", "Περιφέρεια", "EL", None, "National plan", "other",
     "strategic_focus", "0.00", "99.99", None),
    ("PC4", date(2020, 2, 20), "ALPHA", "Région Île-de-France", "FR", "FR10", "Other plan",
     "etc", "management", "10.00", "0.00", "after January"),
]  # fmt: skip

PROJECTS = [
    ("ALPHA", "Alpha & Omega", 1, 1, "closed", date(2016, 4, 1), date(2020, 3, 31),
     "1500000.00", "1275000.00", 5, 4, "Région Île-de-France"),
    ("BETA", "Better islands", 2, 2, "approved", date(2017, 1, 1), date(2021, 12, 31),
     "2000000.00", "1700000.00", 8, 6, "Cabildo de Gran Canaria"),
    ("GAMMA", "Greek <script>alert(1)</script>", 3, 4, "approved", date(2018, 1, 1),
     date(2022, 12, 31), "900000.00", "765000.00", 4, 4, None),
]  # fmt: skip


def make_warehouse(directory: Path) -> Path:
    """A published file with the four marts (the columns the page reads) and the programme."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "interreg.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE SCHEMA marts; CREATE SCHEMA raw_monitoring")
    con.execute(
        "CREATE TABLE marts.headline_results (as_of_date DATE, projects BIGINT,"
        " policy_learning_events BIGINT, good_practices_identified BIGINT,"
        " good_practices_validated BIGINT, people_with_increased_capacity BIGINT,"
        " action_plans BIGINT, policy_instruments_influenced BIGINT,"
        " policy_instruments_influenced_sf BIGINT, financial_impact_eur DECIMAL(18,2),"
        " financial_impact_sf_eur DECIMAL(18,2), programme_budget_eur DECIMAL(18,2),"
        " nuts2_regions_involved BIGINT, nuts2_regions_eligible BIGINT,"
        " nuts2_coverage_pct DECIMAL(4,1))"
    )
    for row in HEADLINE:
        involved = row[-1]
        pct = (Decimal(1000 * involved) / ELIGIBLE).quantize(Decimal(1)) / 10
        con.execute(
            "INSERT INTO marts.headline_results VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
            " 359326000.07, ?, ?, ?)",
            [*row, ELIGIBLE, pct],
        )
    con.execute(
        "CREATE TABLE marts.regional_coverage (nuts2_code VARCHAR, country_code VARCHAR,"
        " region_name VARCHAR, is_eligible BOOLEAN, partners BIGINT, projects BIGINT,"
        " lead_partners BIGINT, policy_changes BIGINT)"
    )
    con.executemany("INSERT INTO marts.regional_coverage VALUES (?, ?, ?, ?, ?, ?, ?, ?)", REGIONS)
    con.execute(
        "CREATE TABLE marts.policy_changes (change_id VARCHAR, project_id VARCHAR,"
        " project_acronym VARCHAR, partner_id VARCHAR, organisation_name VARCHAR,"
        " country_code VARCHAR, nuts2_code VARCHAR, instrument_id VARCHAR,"
        " instrument_name VARCHAR, instrument_type VARCHAR, is_structural_funds BOOLEAN,"
        " change_type VARCHAR, description VARCHAR, sf_influenced_eur DECIMAL(18,2),"
        " other_influenced_eur DECIMAL(18,2), total_influenced_eur DECIMAL(18,2),"
        " validated_on DATE)"
    )
    for cid, day, acr, org, cc, nuts, inst, itype, ctype, sf, other, desc in CHANGES:
        con.execute(
            "INSERT INTO marts.policy_changes VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
            " ?::DECIMAL(18,2), ?::DECIMAL(18,2), ?::DECIMAL(18,2) + ?::DECIMAL(18,2), ?)",
            [cid, f"P-{acr}", acr, f"PP-{cid}", org, cc, nuts, f"I-{cid}", inst, itype,
             itype != "other", ctype, desc, sf, other, sf, other, day],
        )  # fmt: skip
    con.execute(
        "CREATE TABLE marts.projects (project_id VARCHAR, acronym VARCHAR, title VARCHAR,"
        " priority_axis INTEGER, call_no INTEGER, status VARCHAR, start_date DATE,"
        " end_date DATE, total_budget_eur DECIMAL(18,2), erdf_eur DECIMAL(18,2),"
        " partners BIGINT, countries BIGINT, lead_partner_name VARCHAR)"
    )
    con.executemany(
        "INSERT INTO marts.projects VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(f"P-{p[0]}", *p) for p in PROJECTS],
    )
    con.execute(
        "CREATE TABLE raw_monitoring.programme AS SELECT 'Interreg Test 2014-2020'"
        " AS programme_name, 2016 AS nuts_version"
    )
    con.close()
    return directory


def geojson(path: Path, codes: list[str]) -> Path:
    """Squares for `codes` (plus a context region), in lon/lat."""
    where = {"DE30": (13, 52), "EL42": (25, 36.5), "ES70": (-16, 28), "FR10": (2, 48.5),
             "NO01": (10.5, 59.8), "PL91": (21, 52), "TR10": (29, 41)}  # fmt: skip
    features = []
    for code in [*codes, "TR10"]:
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


@pytest.fixture
def warehouse(tmp_path) -> Path:
    return make_warehouse(tmp_path / "warehouse")


def page(warehouse: Path) -> str:
    return (warehouse / "site" / "index.html").read_text(encoding="utf-8")


def cards(text: str) -> dict[str, str]:
    return dict(re.findall(r'<li class="card" data-figure="(\w+)" data-value="([^"]+)"', text))


def exact_table(text: str) -> dict[str, str]:
    rows = re.findall(
        r'<tr data-figure="(\w+)"><th scope="row">[^<]*</th><td class="num">([^<]+)</td>', text
    )
    return dict(rows)


def table_rows(text: str, table_id: str) -> list[str]:
    body = text.split(f'id="{table_id}"', 1)[1].split("</tbody>", 1)[0]
    return re.findall(r"<tr[ >].*?</tr>", body.split("<tbody>", 1)[1], re.S)


def mart_row(warehouse: Path, as_of: date) -> dict[str, object]:
    with duckdb.connect(str(warehouse / "interreg.duckdb"), read_only=True) as con:
        row = con.execute(
            f"SELECT {', '.join(FIGURES)} FROM marts.headline_results WHERE as_of_date = ?",
            [as_of],
        ).fetchone()
    return dict(zip(FIGURES, row, strict=True))


def test_the_page_shows_the_figures_of_the_last_date_on_or_before_the_one_asked(warehouse):
    result = build_site(warehouse, date(2020, 2, 15))
    assert result.as_of == date(2020, 1, 31)
    text = page(warehouse)
    figures = mart_row(warehouse, date(2020, 1, 31))
    assert 'datetime="2020-01-31"' in text and "31 January 2020" in text
    assert "the last month end on or before 15 February 2020" in text
    shown = cards(text)
    for key in ("projects", "policy_learning_events", "action_plans", "nuts2_regions_involved"):
        assert shown[key] == str(figures[key])
    assert shown["financial_impact_eur"] == "640250000.75"
    # Phrased as the results page does, with the exact value beside it.
    assert "close to 15,000</span>" in text and 'Exactly <span class="exact-value">14,980' in text
    assert "over 5,500</span>" in text
    assert "640 MEUR</span>" in text and "EUR 640,250,000.75" in text
    assert "4 of 5</span>" in text and "80.0 % of the programme area" in text
    # Every figure of the mart, exactly.
    exact = exact_table(text)
    assert set(exact) == set(FIGURES)
    for key, value in figures.items():
        if isinstance(value, Decimal):
            expected = thousands(value, 1 if key == "nuts2_coverage_pct" else 2)
        else:
            expected = thousands(value)
        assert exact[key] == expected, key
    assert approximate(figures["people_with_increased_capacity"]) in text


def test_charts_show_the_series_up_to_the_date_only(warehouse):
    build_site(warehouse, date(2020, 1, 31))
    text = page(warehouse)
    charts = re.findall(r'<svg viewBox="0 0 520 280" class="chart"', text)
    assert len(charts) == 8
    events = text.split('id="chart-events"', 1)[1].split("</svg>", 1)[0]
    assert events.count("<polyline") == 1
    points = re.search(r'points="([^"]+)"', events).group(1).split()
    assert len(points) == 2  # 2019-12-31 and 2020-01-31, not 2020-02-29
    assert ">14,980</text>" in events and "15,200" not in events
    impact = text.split('id="chart-impact"', 1)[1].split("</svg>", 1)[0]
    assert ">MEUR</text>" in impact and ">640</text>" in impact and ">410</text>" in impact


def test_the_policy_change_list_and_its_download_are_cut_at_the_date(warehouse):
    build_site(warehouse, date(2020, 1, 31))
    text = page(warehouse)
    rows = table_rows(text, "changes-table")
    assert [re.search(r'data-id="(\w+)"', r).group(1) for r in rows] == ["PC3", "PC2", "PC1"]
    assert "<b>" not in text.split('id="changes-table"')[1]  # text is escaped
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text and "<script>alert" not in text
    assert 'data-sort="2500120.25">2,500,120.25</td>' in text
    # No published exports here: the page writes its own, as of the same date.
    assert 'href="downloads/policy_changes.csv"' in text
    with open(warehouse / "site" / "downloads" / "policy_changes.csv", encoding="utf-8-sig") as f:
        records = list(csv.DictReader(f))
    assert [r["change_id"] for r in records] == ["PC3", "PC2", "PC1"]
    assert records[1]["description"].startswith("'=HYPERLINK")  # never runs as a formula
    assert records[1]["total_influenced_eur"] == "2500120.25"
    assert records[0]["nuts2_code"] == "" and records[0]["is_structural_funds"] == "false"
    assert list(records[0]) == [  # every column of the mart, in its order
        "change_id", "project_id", "project_acronym", "partner_id", "organisation_name",
        "country_code", "nuts2_code", "instrument_id", "instrument_name", "instrument_type",
        "is_structural_funds", "change_type", "description", "sf_influenced_eur",
        "other_influenced_eur", "total_influenced_eur", "validated_on",
    ]  # fmt: skip
    xlsx = warehouse / "site" / "downloads" / "policy_changes.xlsx"
    sheet = openpyxl.load_workbook(xlsx).active
    assert [c.value for c in sheet[1]][:2] == ["change_id", "project_id"]
    assert [sheet.cell(r, 1).value for r in range(2, sheet.max_row + 1)] == ["PC3", "PC2", "PC1"]
    description = sheet.cell(3, 13)  # text, never a formula
    assert description.value.startswith("=HYPERLINK") and description.data_type == "s"
    assert 'href="downloads/policy_changes.xlsx"' in text


def test_the_published_exports_are_linked_when_the_page_is_as_of_the_latest_date(warehouse):
    exports = warehouse / "exports"
    exports.mkdir()
    (exports / "policy_changes.csv").write_text("change_id\n")
    (exports / "policy_changes.xlsx").write_bytes(b"PK")
    build_site(warehouse)
    text = page(warehouse)
    assert 'href="../exports/policy_changes.csv"' in text
    assert 'href="../exports/policy_changes.xlsx"' in text
    assert not (warehouse / "site" / "downloads").exists()
    # An earlier date: the exports hold later changes too, so the page writes its own.
    build_site(warehouse, date(2020, 1, 31))
    assert 'href="downloads/policy_changes.csv"' in page(warehouse)


def test_without_boundaries_the_regions_are_a_table_and_a_note_says_how_to_map_them(warehouse):
    result = build_site(warehouse)
    text = page(warehouse)
    assert not result.map_drawn
    assert 'class="map"' not in text and "INTERREG_NUTS_URL" in text
    assert '<details class="all-regions" open>' in text
    codes = [re.search(r'data-nuts="(\w+)"', r).group(1) for r in table_rows(text, "regions-table")]
    assert codes == [r[0] for r in REGIONS]
    top = table_rows(text, "top-regions")
    assert "Canarias" in top[0] and "Île-de-France" in top[1] and len(top) == 5  # partners > 0
    countries = table_rows(text, "top-countries")
    assert "Spain" in countries[0] and "1 of 1" in countries[0]


def test_with_boundaries_every_region_with_data_is_one_shape(warehouse, tmp_path):
    nuts = geojson(tmp_path / "nuts.geojson", ["DE30", "EL42", "ES70", "FR10", "NO01"])
    result = build_site(warehouse, nuts_url=str(nuts))
    text = page(warehouse)
    assert result.map_drawn
    shapes = re.findall(
        r'class="region[^"]*" fill="([^"]+)" data-nuts="(\w+)" data-partners="(\d+)"', text
    )
    assert sorted(code for _, code, _ in shapes) == ["DE30", "EL42", "ES70", "FR10", "NO01"]
    partners = {r[0]: r[4] for r in REGIONS}
    assert all(int(n) == partners[code] for _, code, n in shapes)
    assert html.escape(EUROGEOGRAPHICS, quote=False) in text
    assert "Partners</span>" in text and "or more" in text  # the legend
    # PL91 has data but no shape in this file: the page says so rather than hide it.
    assert any("PL91" in note for note in result.notes)
    assert "1 region(s) with data have no shape" in text
    # The boundaries were landed like any source.
    landed = list((warehouse / "landing" / "nuts").glob("*.geojson"))
    assert len(landed) == 1 and landed[0].read_bytes() == nuts.read_bytes()
    meta = json.loads(landed[0].with_suffix(".meta.json").read_text())
    assert meta["url"] == nuts.resolve().as_uri()


def test_the_page_references_nothing_outside_its_folder(warehouse, tmp_path):
    build_site(warehouse, nuts_url=str(geojson(tmp_path / "n.geojson", ["FR10"])))
    text = page(warehouse)
    references = re.findall(r'(?:src|href)="([^"]+)"', text)
    assert references, "no references at all?"
    for ref in references:
        assert not re.match(r"(https?:)?//", ref), ref
        if not ref.startswith("#"):
            assert (warehouse / "site" / ref).resolve().is_file(), ref
    assert "@import" not in (warehouse / "site" / "assets" / "report.css").read_text()
    assert "url(" not in (warehouse / "site" / "assets" / "report.css").read_text()


def test_a_failed_build_leaves_the_previous_page_as_it_was(warehouse, tmp_path):
    build_site(warehouse)
    before = page(warehouse)
    with pytest.raises(SourceError):
        build_site(warehouse, nuts_url=str(tmp_path / "missing.geojson"))
    assert page(warehouse) == before
    assert not list(warehouse.glob(".site-*"))
    with pytest.raises(PipelineError, match="no row on or before 2001-01-01"):
        build_site(warehouse, date(2001, 1, 1))
    assert page(warehouse) == before


def test_the_command_builds_the_page_and_reports_errors_in_one_line(warehouse, monkeypatch, capsys):
    monkeypatch.setenv("INTERREG_WAREHOUSE_DIR", str(warehouse))
    monkeypatch.delenv("INTERREG_NUTS_URL", raising=False)
    assert main(["report", "--as-of", "2020-01-31"]) == 0
    out = capsys.readouterr().out
    assert f"as of 2020-01-31: {warehouse / 'site' / 'index.html'}" in out
    assert "INTERREG_NUTS_URL" in out
    assert main(["report", "--as-of", "1999-12-31"]) == 1
    assert "interreg report failed" in capsys.readouterr().err


@pytest.mark.shared_data
@pytest.mark.parametrize(
    ("file", "missing"),
    [
        ("NUTS_RG_60M_2016_4326_LEVL_2.geojson", []),
        ("NUTS_RG_60M_2021_4326_LEVL_2.geojson", ["NO01"]),  # Norway was recoded in 2021
        ("nuts2013_level2_simplified_idris.geojson", ["PL91"]),  # PL12 before 2016
    ],
)
def test_the_reference_boundary_files_draw_the_regions_of_their_version(
    warehouse, shared_data, file, missing
):
    result = build_site(warehouse, nuts_url=str(shared_data / "nuts" / file))
    text = page(warehouse)
    drawn = re.findall(r'class="region[^"]*" fill="[^"]+" data-nuts="(\w+)"', text)
    assert sorted(drawn) == sorted(r[0] for r in REGIONS if r[0] not in missing)
    assert any(all(code in note for code in missing) for note in result.notes) or not missing
    # The context: the rest of Europe, grey.
    assert text.split('class="context"', 1)[1].count("<path") > 200

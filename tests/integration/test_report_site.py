"""`interreg report` on the warehouse `interreg run` publishes from the bundled sample:
the site as of a past date, every number on it checked against the marts at that date,
the bundled map layer, the country and project pages, the row files, the downloads.
"""

from __future__ import annotations

import csv
import json
import re
import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path
from urllib.parse import unquote

import duckdb
import pytest
from markupsafe import escape

from pipelines.cli import main
from pipelines.errors import PipelineError, SourceError
from pipelines.report.boundaries import bundled_layer
from pipelines.report.listings import project_page
from pipelines.report.phrasing import thousands
from pipelines.report.project_pages import bundle_of, read_bundle
from pipelines.report.site import build_site
from pipelines.warehouse.summary import FIGURES

PAST = date(2020, 6, 30)


@pytest.fixture(scope="module")
def published(published_sample) -> Path:
    return published_sample


@pytest.fixture
def warehouse(published, tmp_path) -> Path:
    """A copy of the published file to build into (tests must not share a site)."""
    directory = tmp_path / "warehouse"
    directory.mkdir()
    shutil.copy(published / "interreg.duckdb", directory / "interreg.duckdb")
    return directory


@pytest.fixture(scope="module")
def past_site(published, tmp_path_factory) -> tuple[Path, Path]:
    directory = tmp_path_factory.mktemp("past")
    shutil.copy(published / "interreg.duckdb", directory / "interreg.duckdb")
    result = build_site(directory, PAST)
    assert result.as_of == PAST and result.map_drawn
    return directory, directory / "site"


def query(warehouse: Path, sql: str, params=()) -> list[tuple]:
    with duckdb.connect(str(warehouse / "interreg.duckdb"), read_only=True) as con:
        return con.execute(sql, list(params)).fetchall()


def text_of(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def rows_of(folder: Path) -> list:
    """Every row of a table's row files, in page order."""
    rows = []
    pages = sorted(folder.glob("p*.js"), key=lambda p: int(p.stem[1:]))
    for page in pages:
        body = text_of(page)
        rows += json.loads(body[body.index("[") : body.rindex(")")])
    return rows


def table_rows(text: str, table_id: str) -> list[list[str]]:
    body = text.split(f'id="{table_id}"', 1)[1].split("</tbody>", 1)[0]
    rows = re.findall(r"<tr[ >].*?</tr>", body.split("<tbody>", 1)[1], re.S)
    return [
        [
            re.sub(r"<[^>]+>", "", c).strip()
            for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", r, re.S)
        ]
        for r in rows
    ]


def number(shown: str) -> Decimal:
    return Decimal(shown.replace(",", ""))


def test_the_page_for_a_past_date_shows_the_marts_at_that_date(past_site):
    warehouse, site = past_site
    text = text_of(site / "index.html")
    headline = dict(
        zip(
            FIGURES,
            query(warehouse, f"SELECT {', '.join(FIGURES)} FROM marts.headline_results"
                  " WHERE as_of_date = ?", [PAST])[0],
            strict=True,
        )
    )  # fmt: skip
    assert 'datetime="2020-06-30"' in text
    cards = dict(re.findall(r'<li class="card" data-figure="(\w+)" data-value="([^"]+)"', text))
    assert cards and all(cards[k] == str(headline[k]) for k in cards)
    keys = re.findall(r'<tr data-figure="(\w+)">', text)
    values = [row[1] for row in table_rows(text, "exact-figures")]
    assert sorted(keys) == sorted(FIGURES)
    for key, shown in zip(keys, values, strict=True):
        assert number(shown) == Decimal(str(headline[key])), key
    # The trends stop at the date.
    events = text.split('id="chart-events"', 1)[1].split("</svg>", 1)[0]
    assert f">{thousands(headline['policy_learning_events'])}</text>" in events
    # Regions at the date.
    regions = {
        r[0]: r
        for r in query(
            warehouse,
            "SELECT nuts2_code, partners, projects, lead_partners, policy_changes,"
            " financial_impact_eur FROM marts.regional_coverage_history WHERE as_of_date = ?",
            [PAST],
        )
    }
    shown = table_rows(text, "regions-table")
    assert len(shown) == len(regions)
    for row in shown:
        expected = regions[row[0]]
        assert [number(v) for v in row[3:8]] == [Decimal(v) for v in expected[1:]], row
    shapes = re.findall(r'data-nuts="(\w+)" data-partners="(\d+)"', text)
    assert {c: int(n) for c, n in shapes} == {c: r[1] for c, r in regions.items()}


def test_the_countries_table_is_country_results_at_the_date(past_site):
    warehouse, site = past_site
    countries = query(
        warehouse,
        "SELECT country_name, partners, projects, policy_changes, financial_impact_eur,"
        " good_practices_validated FROM marts.country_results WHERE as_of_date = ?"
        " AND partners > 0 ORDER BY partners DESC, country_code",
        [PAST],
    )
    shown = table_rows(text_of(site / "index.html"), "countries-table")
    assert [(r[0], *map(number, (r[1], r[2], r[4], r[5], r[6]))) for r in shown] == [
        (c[0], *map(Decimal, c[1:])) for c in countries
    ]
    assert f"{len(countries)} stories from {len(countries)} countries" in text_of(
        site / "index.html"
    )


def test_the_long_tables_are_row_files_cut_at_the_date(past_site):
    warehouse, site = past_site
    changes = query(
        warehouse,
        "SELECT validated_on, project_acronym, total_influenced_eur FROM marts.policy_changes"
        " WHERE validated_on <= ? ORDER BY validated_on DESC, change_id",
        [PAST],
    )
    rows = rows_of(site / "data" / "changes")
    assert [(r[0][0], r[0][1][0], Decimal(str(r[0][6][1]))) for r in rows] == [
        (d.isoformat(), a, Decimal(str(float(t)))) for d, a, t in changes
    ]
    projects = query(
        warehouse,
        "SELECT p.acronym, r.financial_impact_eur FROM marts.projects p"
        " JOIN marts.project_results r USING (project_id)"
        " WHERE p.approved_on <= ? AND r.as_of_date = ? ORDER BY p.acronym, p.project_id",
        [PAST, PAST],
    )
    shown = [(r[0][0][0], number(r[0][10][0])) for r in rows_of(site / "data" / "projects")]
    assert shown == [(a, f) for a, f in projects]
    index = text_of(site / "data" / "changes" / "index.js")
    assert index.startswith('__interreg.index("changes",')
    practices = query(
        warehouse, "SELECT count(*) FROM marts.good_practices WHERE submitted_on <= ?", [PAST]
    )
    assert len(rows_of(site / "data" / "practices")) == practices[0][0]


def status_on(day: date, start: date, end: date) -> str:
    """A project's status on a day, from its own dates (withdrawn ones are never listed)."""
    return "not started" if start > day else "ended" if end < day else "running"


def test_a_past_page_shows_each_projects_status_on_its_date(past_site):
    """Not today's status: a project closed since was running on the page's date."""
    warehouse, site = past_site
    projects = query(
        warehouse,
        "SELECT project_id, acronym, status, start_date, end_date FROM marts.projects"
        " WHERE approved_on <= ? ORDER BY acronym, project_id",
        [PAST],
    )
    expected = {acronym: status_on(PAST, start, end) for _, acronym, _, start, end in projects}
    shown = {r[0][0][0]: r[0][4] for r in rows_of(site / "data" / "projects")}
    assert shown == expected
    closed_since = [a for _, a, status, *_ in projects if status == "closed"]
    assert closed_since and {shown[a] for a in closed_since} >= {"running"}
    bundles = int(re.search(r'data-bundles="(\d+)"', text_of(site / "project.html"))[1])
    for project_id, acronym, _, start, end in projects[:: max(1, len(projects) // 20)]:
        bundle = site / "data" / "project" / f"b{bundle_of(project_id, bundles)}.js"
        assert read_bundle(bundle)[project_id]["status"] == status_on(PAST, start, end), acronym


def test_a_country_page_tells_its_story_from_the_marts(past_site):
    warehouse, site = past_site
    code, name, partners, changes, funds = query(
        warehouse,
        "SELECT country_code, country_name, partners, policy_changes, financial_impact_eur"
        " FROM marts.country_results WHERE as_of_date = ? ORDER BY policy_changes DESC LIMIT 1",
        [PAST],
    )[0]
    text = text_of(site / "countries" / f"{code}.html")
    figures = dict((r[0], r[1]) for r in table_rows(text, "country-figures"))
    assert number(figures["Partners"]) == partners
    assert number(figures["Policy changes validated"]) == changes
    assert number(figures["Funds influenced, EUR"]) == funds
    change_id, acronym, total, project_id = query(
        warehouse,
        "SELECT change_id, project_acronym, total_influenced_eur, project_id"
        " FROM marts.policy_changes WHERE country_code = ? AND validated_on <= ?"
        " ORDER BY total_influenced_eur DESC, change_id LIMIT 1",
        [code, PAST],
    )[0]
    assert f'data-change="{change_id}"' in text and f"EUR {thousands(total, 2)}" in text
    for (organisation,) in query(
        warehouse, "SELECT organisation_name FROM marts.partners WHERE project_id = ?", [project_id]
    ):
        assert str(escape(organisation)) in text
    assert len(rows_of(site / "data" / f"changes-{code}")) == changes
    assert f"<h1>{name}</h1>" in text


def test_a_project_page_shows_its_results_over_time(past_site):
    """The project page is one page drawn from the project's bundle: the bundle holds
    the marts' results at each year end and at the date, and every partner."""
    warehouse, site = past_site
    project_id, acronym = query(
        warehouse,
        "SELECT project_id, project_acronym FROM marts.project_results WHERE as_of_date = ?"
        " ORDER BY financial_impact_eur DESC, project_id LIMIT 1",
        [PAST],
    )[0]
    assert project_page(project_id) == f"project.html?id={project_id}"
    page = text_of(site / "project.html")
    bundles = int(re.search(r'data-bundles="(\d+)"', page)[1])
    bundle = site / "data" / "project" / f"b{bundle_of(project_id, bundles)}.js"
    project = read_bundle(bundle)[project_id]
    assert project["acronym"] == acronym
    results = query(
        warehouse,
        "SELECT policy_learning_events, good_practices_identified, good_practices_validated,"
        " people_with_increased_capacity, action_plans, policy_instruments_influenced,"
        " policy_instruments_influenced_sf, financial_impact_eur, financial_impact_sf_eur"
        " FROM marts.project_results WHERE project_id = ? AND as_of_date = ?",
        [project_id, PAST],
    )[0]
    last = max(project["history"])
    assert last[0] == PAST.isoformat()
    assert [Decimal(str(v)) for v in last[1:]] == [Decimal(v) for v in results]
    years = query(
        warehouse,
        "SELECT count(*) FROM marts.project_results WHERE project_id = ? AND as_of_date < ?"
        " AND month(as_of_date) = 12 AND day(as_of_date) = 31",
        [project_id, PAST],
    )[0][0]
    assert len(project["history"]) == years + 1
    partners = query(
        warehouse,
        "SELECT partner_id, nuts2_code FROM marts.partners WHERE project_id = ?",
        [project_id],
    )
    assert sorted(p[8] for p in project["partners"]) == sorted(p for p, _ in partners)
    changes = query(
        warehouse,
        "SELECT count(*) FROM marts.policy_changes WHERE project_id = ? AND validated_on <= ?",
        [project_id, PAST],
    )[0][0]
    assert len(project["changes"]) == changes
    # The small map: the background and every region's outline, drawn by the page.
    regions = text_of(site / "assets" / "regions.js")
    assert any(f'"{nuts}":' in regions for _, nuts in partners if nuts)
    assert (site / "assets" / "europe.svg").is_file() and "assets/regions.js" in page


def test_every_reference_stays_in_the_site(past_site):
    _, site = past_site
    pages = [site / "index.html", site / "project.html"]
    pages += sorted((site / "countries").glob("*.html"))[:3]
    count = int(re.search(r'data-bundles="(\d+)"', text_of(site / "project.html"))[1])
    for page in pages:
        for ref in re.findall(r'(?:src|href)="([^"#]+)', text_of(page)):
            if ref.startswith(("http://", "https://")):
                assert 'rel="noopener"' in text_of(page), ref  # a project's own website
                continue
            path, _, query_string = ref.partition("?")
            assert (page.parent / path).resolve().is_file(), (page, ref)
            if query_string:  # a project's page: the project is in its bundle
                project_id = unquote(query_string.removeprefix("id="))
                bundle = site / "data" / "project" / f"b{bundle_of(project_id, count)}.js"
                assert project_id in read_bundle(bundle), (page, ref)


def test_the_bundled_layer_draws_the_map_unless_a_url_overrides_it(warehouse, tmp_path):
    assert bundled_layer(2016) is not None and bundled_layer(2021) is None
    layer = json.loads(bundled_layer(2016).read_text(encoding="utf-8"))
    assert bundled_layer(2016).stat().st_size < 300_000 and len(layer["features"]) > 300
    result = build_site(warehouse)
    text = text_of(warehouse / "site" / "index.html")
    assert result.map_drawn and "sample/nuts/NUTS_RG_60M_2016_4326_LEVL_2.geojson" in text
    assert '<a href="countries/' in text.split('class="map"', 1)[1]  # regions link
    with pytest.raises(SourceError):  # the URL, when set, is used (and must work)
        build_site(warehouse, nuts_url=str(tmp_path / "missing.geojson"))
    with duckdb.connect(str(warehouse / "interreg.duckdb")) as con:
        con.execute("UPDATE raw_monitoring.programme SET nuts_version = 2021")
    result = build_site(warehouse)
    assert not result.map_drawn
    assert 'id="map-note"' in text_of(warehouse / "site" / "index.html")


def test_downloads_are_cut_at_the_date_and_a_failed_build_leaves_the_site(warehouse):
    build_site(warehouse, PAST)
    text = text_of(warehouse / "site" / "index.html")
    assert 'href="downloads/policy_changes.csv"' in text
    with open(warehouse / "site" / "downloads" / "policy_changes.csv", encoding="utf-8-sig") as f:
        ids = [r["change_id"] for r in csv.DictReader(f)]
    expected = query(
        warehouse,
        "SELECT change_id FROM marts.policy_changes WHERE validated_on <= ?"
        " ORDER BY validated_on DESC, change_id",
        [PAST],
    )
    assert ids == [i for (i,) in expected]
    with pytest.raises(PipelineError, match="no row on or before 2001-01-01"):
        build_site(warehouse, date(2001, 1, 1))
    assert text_of(warehouse / "site" / "index.html") == text
    assert not list(warehouse.glob(".site-*"))


def test_the_command_builds_the_site(warehouse, monkeypatch, capsys):
    monkeypatch.setenv("INTERREG_WAREHOUSE_DIR", str(warehouse))
    monkeypatch.delenv("INTERREG_NUTS_URL", raising=False)
    assert main(["report", "--as-of", "2020-01-31"]) == 0
    out = capsys.readouterr().out
    assert f"as of 2020-01-31: {warehouse / 'site' / 'index.html'}" in out
    assert main(["report", "--as-of", "1999-12-31"]) == 1
    assert "interreg report failed" in capsys.readouterr().err


def test_the_page_is_rebuilt_after_an_upgrade_of_its_code_not_on_every_run(warehouse, monkeypatch):
    """The build fingerprint leaves the page's code out (a new page needs no new warehouse):
    the page's own stamp names that code, so an upgrade rebuilds the page, and nothing else
    does while the release and the map source stay."""
    from pipelines.report import site

    assert site.refresh_published_page(warehouse, None) is not None
    assert site.refresh_published_page(warehouse, None) is None
    monkeypatch.setattr(site, "page_code_digest", lambda: "the next version of the page")
    assert site.refresh_published_page(warehouse, None) is not None
    assert site.refresh_published_page(warehouse, None) is None


def test_the_page_code_digest_follows_every_file_of_the_report_package(tmp_path):
    from pipelines.report.site import HERE, page_code_digest

    package = Path(shutil.copytree(HERE, tmp_path / "report"))
    before = page_code_digest(package)
    assert page_code_digest(package) == before
    (package / "static" / "report.css").write_text("body { color: red }", encoding="utf-8")
    assert page_code_digest(package) != before

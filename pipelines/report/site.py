"""Build the results page: one static folder, `$INTERREG_WAREHOUSE_DIR/site/`.

    site/
      index.html               everything, charts and map as inline SVG
      assets/report.css        bundled: no external script, style sheet or font
      assets/tables.js         sort and filter for the two long tables (the page works without)
      downloads/               the policy-change list, when the page does not link ../exports/

The folder is written next to the old one and swapped in by renames, so a reader never
sees half a page, and a failed build leaves the previous page as it was.
"""

from __future__ import annotations

import logging
import os
import shutil
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import duckdb
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from pipelines.report import phrasing
from pipelines.report.charts import COLOURS, DASHES, Series, line_chart
from pipelines.report.countries import country_name
from pipelines.report.data import ReportData, Table, policy_changes_as_of, query_report_data
from pipelines.report.geo import read_boundaries
from pipelines.report.maps import NO_PARTNERS, OUTSIDE, MapResult, choropleth
from pipelines.sources.http import HttpClient, redact_url
from pipelines.sources.nuts import land_nuts_boundaries
from pipelines.warehouse.exports import write_csv
from pipelines.warehouse.store import Warehouse
from pipelines.warehouse.summary import FIGURES
from pipelines.warehouse.xlsx import write_xlsx

log = logging.getLogger("pipelines.report")

HERE = Path(__file__).parent
SITE_DIR = "site"
BUILT_FROM = ".built-from"  # in site/: the release and map source the page was built from
EXPORTS_DIR = "exports"  # written by the publish step, beside site/
EUROGEOGRAPHICS = "© EuroGeographics for the administrative boundaries"
STALE_SECONDS = 3600  # a build folder older than this was left by a killed build

CHANGE_TYPES = {
    "new_projects": "New projects",
    "management": "Improved management",
    "strategic_focus": "Change in strategic focus",
}
INSTRUMENT_TYPES = {
    "growth_and_jobs": "Investment for growth and jobs",
    "etc": "European territorial cooperation",
    "other": "Other",
}


@dataclass(frozen=True)
class Card:
    key: str  # the marts.headline_results column
    phrase: str  # "close to 15,000"
    label: str  # "policy-learning events"
    exact: str  # "14,980" / "EUR 1,474,038,108.11"
    value: str  # the mart's value, as text (data-value)
    detail: str | None = None


@dataclass(frozen=True)
class Chart:
    chart_id: str
    title: str
    svg: str
    legend: list[tuple[str, str | None, str]]  # colour, dash pattern, label


@dataclass(frozen=True)
class Download:
    label: str
    href: str
    note: str


@dataclass
class SiteResult:
    path: Path
    as_of: date
    map_drawn: bool
    notes: list[str] = field(default_factory=list)


# -- figures --------------------------------------------------------------------------------


def headline_cards(figures: dict[str, object]) -> list[Card]:
    """The headline figures as the results page words them; exact values alongside."""
    f = figures

    def count(key: str, label: str, detail: str | None = None) -> Card:
        value = int(f[key])
        return Card(
            key, phrasing.approximate(value), label, phrasing.thousands(value), str(value), detail
        )

    def money(key: str, label: str, detail: str | None = None) -> Card:
        amount = Decimal(str(f[key]))
        return Card(key, phrasing.meur(amount), label, phrasing.euro(amount), str(amount), detail)

    involved, eligible = int(f["nuts2_regions_involved"]), int(f["nuts2_regions_eligible"])
    sf_changes = int(f["policy_instruments_influenced_sf"])
    return [
        count("projects", "projects approved"),
        count("policy_learning_events", "policy-learning events"),
        count(
            "good_practices_identified",
            "good practices identified",
            f"{phrasing.thousands(int(f['good_practices_validated']))} validated by experts",
        ),
        count("people_with_increased_capacity", "people with increased professional capacity"),
        count("action_plans", "action plans"),
        count(
            "policy_instruments_influenced",
            "policy instruments influenced",
            f"{phrasing.thousands(sf_changes)} of them Structural Funds programmes",
        ),
        money(
            "financial_impact_eur",
            "of funds influenced by the changes",
            f"{phrasing.meur(Decimal(str(f['financial_impact_sf_eur'])))} of it Structural Funds",
        ),
        Card(
            "nuts2_regions_involved",
            f"{phrasing.thousands(involved)} of {phrasing.thousands(eligible)}",
            "NUTS 2 regions involved",
            phrasing.thousands(involved),
            str(involved),
            f"{phrasing.percent(f['nuts2_coverage_pct'])} of the programme area",
        ),
        money("programme_budget_eur", "programme budget (ERDF)"),
    ]


def exact_rows(figures: dict[str, object]) -> list[tuple[str, str, str]]:
    """(column, label, value as printed) for every figure of the mart."""
    rows = []
    for key, label in FIGURES.items():
        value = figures[key]
        if key == "nuts2_coverage_pct":
            shown = phrasing.thousands(Decimal(str(value)), 1)
        elif isinstance(value, Decimal):
            shown = phrasing.thousands(value, 2)
        else:
            shown = phrasing.thousands(int(value))
        rows.append((key, label, shown))
    return rows


@dataclass(frozen=True)
class Trend:
    chart_id: str
    title: str
    unit: str  # of the y axis
    columns: tuple[tuple[str, str], ...]  # (column of marts.headline_results, line label)
    money: bool = False  # EUR in the mart, MEUR on the chart


TRENDS = [
    Trend("projects", "Projects approved", "projects", (("projects", "Projects"),)),
    Trend("events", "Policy-learning events", "events", (("policy_learning_events", "Events"),)),
    Trend(
        "practices",
        "Good practices",
        "good practices",
        (("good_practices_identified", "Identified"), ("good_practices_validated", "Validated")),
    ),
    Trend(
        "people",
        "People with increased professional capacity",
        "people",
        (("people_with_increased_capacity", "People"),),
    ),
    Trend("plans", "Action plans", "action plans", (("action_plans", "Action plans"),)),
    Trend(
        "instruments",
        "Policy instruments influenced",
        "policy instruments",
        (
            ("policy_instruments_influenced", "All"),
            ("policy_instruments_influenced_sf", "Structural Funds"),
        ),
    ),
    Trend(
        "impact",
        "Funds influenced by policy changes",
        "MEUR",
        (("financial_impact_eur", "All"), ("financial_impact_sf_eur", "Structural Funds")),
        money=True,
    ),
    Trend(
        "regions",
        "NUTS 2 regions involved",
        "regions",
        (("nuts2_regions_involved", "Involved"), ("nuts2_regions_eligible", "In the programme")),
    ),
]


def trend_charts(data: ReportData) -> list[Chart]:
    dates = list(data.series)
    charts = []
    for trend in TRENDS:
        series, labels = [], []
        for column, label in trend.columns:
            raw = [row[column] for row in data.series.values()]
            if trend.money:
                series.append(Series(label, [phrasing.meur_number(v) for v in raw]))
                labels.append(phrasing.thousands(Decimal(str(raw[-1])) / phrasing.MILLION))
            else:
                series.append(Series(label, [int(v) for v in raw]))
                labels.append(phrasing.thousands(int(raw[-1])))
        chart_id = f"chart-{trend.chart_id}"
        svg = line_chart(
            chart_id, trend.title, trend.unit, dates, series, labels, whole=not trend.money
        )
        legend = [
            (COLOURS[i % len(COLOURS)], DASHES[i % len(DASHES)], s.label)
            for i, s in enumerate(series)
        ]
        charts.append(Chart(chart_id, trend.title, str(svg), legend if len(series) > 1 else []))
    return charts


# -- downloads ------------------------------------------------------------------------------


def downloads(
    con: duckdb.DuckDBPyConnection, data: ReportData, warehouse_dir: Path, out: Path
) -> list[Download]:
    """Links to the policy-change list: the published exports when the page is as of the
    latest date and they exist, else copies cut at the page's date in site/downloads/, by
    the exports' own writers."""
    links = []
    exports = warehouse_dir / EXPORTS_DIR
    count = phrasing.thousands(len(data.policy_changes.rows))
    relation, order_by = policy_changes_as_of(data.as_of)
    for ext, label in (("csv", "CSV"), ("xlsx", "Excel (XLSX)")):
        published = exports / f"policy_changes.{ext}"
        if data.is_latest and published.is_file():
            href, note = f"../{EXPORTS_DIR}/policy_changes.{ext}", "published export"
        else:
            target = out / "downloads" / f"policy_changes.{ext}"
            target.parent.mkdir(parents=True, exist_ok=True)
            if ext == "csv":
                write_csv(con, relation, target, order_by=order_by)
            else:
                write_xlsx(con, relation, target, sheet="policy_changes", order_by=order_by)
            href, note = f"downloads/policy_changes.{ext}", f"{count} rows"
        links.append(Download(label, href, note))
    return links


# -- the map --------------------------------------------------------------------------------


def region_map(
    data: ReportData, nuts_url: str | None, landing_root: Path, client: HttpClient | None
) -> tuple[MapResult | None, list[str]]:
    if not nuts_url:
        return None, []
    blob = land_nuts_boundaries(nuts_url, landing_root, client=client)
    boundaries = read_boundaries(blob.path)
    result = choropleth(data.regions, boundaries)
    notes = []
    if result.missing:
        shown = ", ".join(result.missing[:12]) + (" …" if len(result.missing) > 12 else "")
        notes.append(
            f"{len(result.missing)} region(s) with data have no shape in the boundary file"
            f" ({shown}): are the boundaries of the programme's NUTS version"
            + (f" ({data.programme_nuts_version})?" if data.programme_nuts_version else "?")
        )
    log.info("map: %d regions drawn from %s", len(result.drawn), redact_url(nuts_url))
    return result, notes


# -- the page -------------------------------------------------------------------------------


def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["thousands"] = phrasing.thousands
    env.filters["long_date"] = phrasing.long_date
    env.filters["country"] = country_name
    env.filters["change_type"] = lambda v: CHANGE_TYPES.get(v, v)
    env.filters["instrument_type"] = lambda v: INSTRUMENT_TYPES.get(v, v)
    return env


def render(
    data: ReportData,
    *,
    map_result: MapResult | None,
    links: list[Download],
    notes: list[str],
    nuts_url: str | None,
    generated_at: datetime,
) -> str:
    regions_with_data = [r for r in data.regions if r.partners > 0]
    top_regions = sorted(regions_with_data, key=lambda r: (-r.partners, r.nuts2_code))[:10]
    countries = sorted(data.countries(), key=lambda c: (-c.partners, c.country_code))
    figures = data.figures
    return (
        environment()
        .get_template("index.html.j2")
        .render(
            data=data,
            title=data.programme_name or "Programme results",
            cards=headline_cards(figures),
            exact=exact_rows(figures),
            charts=trend_charts(data),
            map=map_result,
            no_partners_colour=NO_PARTNERS,
            outside_colour=OUTSIDE,
            credit=EUROGEOGRAPHICS,
            nuts_url_shown=_shown_source(nuts_url),
            regions=sorted(data.regions, key=lambda r: r.nuts2_code),
            regions_with_data=len(regions_with_data),
            top_regions=top_regions,
            top_countries=countries[:10],
            countries=countries,
            changes=records(data.policy_changes),
            projects=records(data.projects),
            links=links,
            notes=notes,
            generated_at=generated_at,
            involved=int(figures["nuts2_regions_involved"]),
            eligible=int(figures["nuts2_regions_eligible"]),
            coverage=phrasing.percent(figures["nuts2_coverage_pct"]),
            change_types=CHANGE_TYPES,
        )
    )


def records(table: Table) -> list[SimpleNamespace]:
    """A table's rows with their columns as attributes: what Jinja looks up first (a dict
    key costs it a failed getattr per cell: a quarter of the page's time at scale 20)."""
    return [SimpleNamespace(**dict(zip(table.columns, r, strict=True))) for r in table.rows]


def _shown_source(nuts_url: str | None) -> str | None:
    """Where the boundaries came from, for the footer: a URL, or just a file's name."""
    if not nuts_url:
        return None
    if nuts_url.lower().startswith(("http://", "https://")):
        return redact_url(nuts_url)
    return Path(nuts_url).name


def build_site(
    warehouse_dir: Path,
    as_of: date | None = None,
    nuts_url: str | None = None,
    *,
    client: HttpClient | None = None,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> SiteResult:
    """Build the page from the published warehouse and swap it in as `site/`."""
    warehouse = Warehouse(Path(warehouse_dir))
    _remove_stale(warehouse.directory)
    work = warehouse.directory / f".site-build-{uuid.uuid4().hex}"
    try:
        (work / "assets").mkdir(parents=True)
        with warehouse.connect_published() as con:
            data = query_report_data(con, as_of)
            links = downloads(con, data, warehouse.directory, work)
        map_result, notes = region_map(data, nuts_url, warehouse.landing_root, client)
        html = render(
            data,
            map_result=map_result,
            links=links,
            notes=notes,
            nuts_url=nuts_url,
            generated_at=now(),
        )
        (work / "index.html").write_text(html, encoding="utf-8")
        for asset in (HERE / "static").iterdir():
            shutil.copyfile(asset, work / "assets" / asset.name)
        target = _swap_in(work, warehouse.directory / SITE_DIR)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return SiteResult(target, data.as_of, map_result is not None, notes)


def refresh_published_page(warehouse_dir: Path, nuts_url: str | None) -> SiteResult | None:
    """The page of the published release, as of its latest date: built unless the page in
    place was built from that release with that map source (then None). After each
    publish, and after a rollback, so that the page never shows a release that is gone."""
    warehouse = Warehouse(Path(warehouse_dir))
    built_from = f"{warehouse.current_release()}\n{nuts_url}\n"
    stamp = warehouse.directory / SITE_DIR / BUILT_FROM
    if stamp.exists() and stamp.read_text(encoding="utf-8") == built_from:
        return None
    result = build_site(warehouse.directory, None, nuts_url)
    if result.map_drawn or nuts_url is None:  # a map that failed is tried again next time
        (result.path / BUILT_FROM).write_text(built_from, encoding="utf-8")
    return result


def _swap_in(work: Path, target: Path) -> Path:
    old = target.with_name(f".site-old-{uuid.uuid4().hex}")
    if target.exists():
        os.rename(target, old)
    os.rename(work, target)
    shutil.rmtree(old, ignore_errors=True)
    return target


def _remove_stale(directory: Path) -> None:
    """Build folders that a killed build left behind (never a build still running)."""
    if not directory.is_dir():
        return
    for leftover in directory.glob(".site-*-*"):
        try:
            age = time.time() - leftover.stat().st_mtime
        except FileNotFoundError:
            continue
        if age > STALE_SECONDS:
            shutil.rmtree(leftover, ignore_errors=True)

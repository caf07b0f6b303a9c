"""Build the results site: one static folder, `$INTERREG_WAREHOUSE_DIR/site/`.

    site/
      index.html               the whole programme as of the date: figures, trends, map,
                               countries with their stories, and the long tables
      countries/XX.html        a page per country with partners (its story)
      project.html?id=<id>     the page of a project approved by the date (one page; the
                               projects in bundles, data/project/b<N>.js: project_pages.py)
      data/<table>/p<N>.js     the long tables' rows, loaded when asked (rows.py)
      assets/                  style sheet, scripts, the project maps' background
      downloads/               the policy-change list, when the page does not link ../exports/

The folder is written next to the old one and swapped in by renames, so a reader never
sees half a site, and a failed build leaves the previous one as it was.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb

from pipelines.report import phrasing
from pipelines.report.boundaries import Boundaries, load_boundaries, missing_note
from pipelines.report.data import ReportData, policy_changes_as_of, query_report_data
from pipelines.report.figures import exact_rows, headline_cards, trend_charts
from pipelines.report.listings import define_macros
from pipelines.report.maps import NO_PARTNERS, OUTSIDE
from pipelines.report.minimap import MiniMap
from pipelines.report.pages import (
    country_lines,
    country_map,
    environment,
    main_map,
    regions_by_country,
    write_tables,
)
from pipelines.report.project_pages import write_project_pages
from pipelines.sources.http import HttpClient
from pipelines.warehouse.exports import write_csv
from pipelines.warehouse.store import Warehouse
from pipelines.warehouse.xlsx import write_xlsx

log = logging.getLogger("pipelines.report")

HERE = Path(__file__).parent
SITE_DIR = "site"
BUILT_FROM = ".built-from"  # in site/: the release and map source the page was built from
EXPORTS_DIR = "exports"  # written by the publish step, beside site/
EUROGEOGRAPHICS = "© EuroGeographics for the administrative boundaries"
STALE_SECONDS = 3600  # a build folder older than this was left by a killed build


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


# -- downloads ------------------------------------------------------------------------------


def downloads(
    con: duckdb.DuckDBPyConnection, data: ReportData, warehouse_dir: Path, out: Path
) -> list[Download]:
    """Links to the policy-change list: the published exports when the page is as of the
    latest date and they exist, else copies cut at the page's date in site/downloads/, by
    the exports' own writers."""
    links = []
    exports = warehouse_dir / EXPORTS_DIR
    count = phrasing.thousands(data.counts["changes"])
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


# -- the site ------------------------------------------------------------------------------


def build_site(
    warehouse_dir: Path,
    as_of: date | None = None,
    nuts_url: str | None = None,
    *,
    client: HttpClient | None = None,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> SiteResult:
    """Build the site from the published warehouse and swap it in as `site/`."""
    warehouse = Warehouse(Path(warehouse_dir))
    _remove_stale(warehouse.directory)
    work = warehouse.directory / f".site-build-{uuid.uuid4().hex}"
    try:
        (work / "assets").mkdir(parents=True)
        started = time.perf_counter()
        with warehouse.connect_published() as con:
            data = query_report_data(con, as_of)
            links = downloads(con, data, warehouse.directory, work)
            log.info("site: marts read in %.1f s", time.perf_counter() - started)
            boundaries = load_boundaries(
                nuts_url, data.programme_nuts_version, warehouse.landing_root, client
            )
            result = write_pages(work, con, data, links, boundaries, now())
        for asset in (HERE / "static").iterdir():
            shutil.copyfile(asset, work / "assets" / asset.name)
        result.path = _swap_in(work, warehouse.directory / SITE_DIR)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return result


def write_pages(
    site: Path,
    con: duckdb.DuckDBPyConnection,
    data: ReportData,
    links: list[Download],
    boundaries: Boundaries | None,
    generated_at: datetime,
) -> SiteResult:
    """Every page of the site into `site`: from `data`, and the long lists from `con`
    (a connection to the published file, left open for the build)."""
    started, cpu_started = time.perf_counter(), time.process_time()  # CPU: all threads
    env = environment()
    define_macros(con)
    map_result, legend = main_map(data, boundaries)
    notes = list(boundaries.notes) if boundaries else []
    if map_result and map_result.missing:
        notes.append(missing_note(map_result.missing, data.programme_nuts_version))
    common = {
        "data": data,
        "title": data.programme_name or "Programme results",
        "credit": EUROGEOGRAPHICS,
        "boundaries": boundaries,
        "generated_at": generated_at,
        "no_partners_colour": NO_PARTNERS,
        "outside_colour": OUTSIDE,
    }
    codes = [c.country_code for c in data.countries if c.partners > 0]
    timings = {"tables": time.perf_counter()}
    tables, country_sets = write_tables(con, site, data, codes)
    timings["index"] = time.perf_counter()
    write_index(site, env, data, map_result, notes, links, tables, common)
    timings["countries"] = time.perf_counter()
    countries = write_country_pages(site, env, data, boundaries, legend, country_sets, common)
    timings["projects"] = time.perf_counter()
    minimap = MiniMap(boundaries.shapes) if boundaries else None
    if minimap:
        minimap.write_background(site)
    projects = write_project_pages(con, site, env, data, minimap, common)
    ended = time.perf_counter()
    log.info(
        "site: %d country pages and %d projects in %.1f s, %.1f CPU s (%s)",
        countries, projects, ended - started, time.process_time() - cpu_started,
        ", ".join(f"{name} {end - begin:.1f} s" for (name, begin), end in
                  zip(timings.items(), [*list(timings.values())[1:], ended], strict=True)),
    )  # fmt: skip
    return SiteResult(site, data.as_of, map_result is not None, notes)


def write_index(site: Path, env, data, map_result, notes, links, tables, common) -> None:
    """The main page (its row files are written already: `tables`)."""
    index = env.get_template("index.html.j2").render(
        common,
        root="",
        cards=headline_cards(data.figures),
        exact=exact_rows(data.figures),
        charts=trend_charts(data),
        map=map_result,
        notes=notes,
        regions=data.regions,
        top_regions=sorted(
            (r for r in data.regions if r.partners > 0), key=lambda r: (-r.partners, r.nuts2_code)
        )[:10],
        countries=country_lines(data),
        tables=tables,
        links=links,
        country_options=[(c.country_code, c.country_name) for c in data.countries],
        change_types=data.change_types,
    )
    (site / "index.html").write_text(index, encoding="utf-8")


def write_country_pages(
    site: Path, env, data: ReportData, boundaries, legend, tables: dict, common: dict
) -> int:
    """A page per country with partners by the date: figures, story, map, lists (their
    row files are written already: `tables`, by country code)."""
    template = env.get_template("country.html.j2")
    (site / "countries").mkdir(exist_ok=True)
    regions = regions_by_country(data.regions)
    written = 0
    for country in data.countries:
        if country.partners == 0:
            continue
        code = country.country_code
        html = template.render(
            common,
            root="../",
            country=country,
            story=data.stories.get(code),
            map=country_map(data.regions, code, boundaries, legend),
            regions=regions[code],
            tables=tables[code],
        )
        (site / "countries" / f"{code}.html").write_text(html, encoding="utf-8")
        written += 1
    return written


def refresh_published_page(warehouse_dir: Path, nuts_url: str | None) -> SiteResult | None:
    """The page of the published release, as of its latest date: built unless the page in
    place was built from that release, with that map source, by this code (then None).
    After each publish, and after a rollback, so that the page never shows a release that
    is gone; and after an upgrade of the page's code, which the build fingerprint leaves
    out (a new page needs no new warehouse)."""
    warehouse = Warehouse(Path(warehouse_dir))
    built_from = f"{warehouse.current_release()}\n{nuts_url}\n{page_code_digest()}\n"
    stamp = warehouse.directory / SITE_DIR / BUILT_FROM
    if stamp.exists() and stamp.read_text(encoding="utf-8") == built_from:
        return None
    result = build_site(warehouse.directory, None, nuts_url)
    if result.map_drawn or nuts_url is None:  # a map that failed is tried again next time
        (result.path / BUILT_FROM).write_text(built_from, encoding="utf-8")
    return result


def page_code_digest(package: Path = HERE) -> str:
    """A sha256 of the page's code: every file of pipelines/report (templates, style sheet
    and scripts included), by name and content."""
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(path.relative_to(package).as_posix().encode() + b"\0")
            digest.update(path.read_bytes())
    return digest.hexdigest()


def _swap_in(work: Path, target: Path) -> Path:
    old = target.with_name(f".site-old-{uuid.uuid4().hex}")
    if target.exists():
        os.rename(target, old)
    os.rename(work, target)
    if old.exists():
        _remove_later(old)
    return target


def _remove_later(folder: Path) -> None:
    """Remove the replaced site in a detached process. Why: at 100x it is 600 MB, and
    deleting it took 11 s of the build's wall time (the file system discards the freed
    blocks) while the new site was already in place. A folder it leaves (killed, say) is
    removed by a later build (_remove_stale)."""
    try:
        subprocess.Popen(
            [sys.executable, "-c", "import shutil, sys; shutil.rmtree(sys.argv[1], True)",
             str(folder)],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True,
        )  # fmt: skip
    except OSError:
        shutil.rmtree(folder, ignore_errors=True)


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

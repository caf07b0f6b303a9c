"""The site's main page and country pages (one compiled Jinja template each), their maps
and the long tables' row files; the project page is project_pages.py's.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import duckdb
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from pipelines.report import phrasing
from pipelines.report.boundaries import Boundaries
from pipelines.report.data import ReportData
from pipelines.report.listings import LISTINGS, country_page, project_page
from pipelines.report.maps import Legend, MapResult, choropleth, legend_for
from pipelines.report.rows import RowSet, stage, write_by_country, write_main
from pipelines.report.stories import one_line

HERE = Path(__file__).parent


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
    env.filters["euro"] = phrasing.euro
    env.filters["meur"] = phrasing.meur
    env.globals["project_page"] = project_page
    env.globals["country_page"] = country_page
    return env


def write_tables(
    con: duckdb.DuckDBPyConnection, site: Path, data: ReportData, codes: list[str]
) -> tuple[dict[str, RowSet], dict[str, dict[str, RowSet]]]:
    """The long tables' row files: the whole programme's (paged, indexed for search) and
    each country's in `codes` (the same rows cut by country), written by DuckDB."""
    main: dict[str, RowSet] = {}
    by_country: dict[str, dict[str, RowSet]] = {code: {} for code in codes}
    for listing in LISTINGS:
        count = stage(con, listing, data.as_of)
        main[listing.name] = write_main(con, site, listing, count)
        for code, rows in write_by_country(con, site, listing, codes).items():
            by_country[code][listing.name] = rows
        con.execute(f"DROP TABLE rows_{listing.name}")
    return main, by_country


def main_map(data: ReportData, boundaries: Boundaries | None) -> tuple[MapResult | None, Legend]:
    legend = legend_for([r.partners for r in data.regions])
    if boundaries is None:
        return None, legend
    result = choropleth(
        data.regions,
        boundaries.shapes,
        link=lambda r: country_page(r.country_code) if r.partners else None,
        legend=legend,
    )
    return result, legend


def country_map(
    regions: list, code: str, boundaries: Boundaries | None, legend: Legend
) -> MapResult | None:
    """The map zoomed to the country's regions; its neighbours drawn, linked to theirs."""
    if boundaries is None:
        return None
    own = [r for r in regions if r.country_code == code]
    return choropleth(
        regions,
        boundaries.shapes,
        link=lambda r: f"{r.country_code}.html" if r.partners and r.country_code != code else None,
        zoom_to=own,
        legend=legend,
    )


def country_lines(data: ReportData) -> list[tuple[object, str]]:
    """The main page's list of countries with partners, one line of story each."""
    with_partners = [c for c in data.countries if c.partners > 0]
    ranked = sorted(with_partners, key=lambda c: (-c.partners, c.country_code))
    return [(c, one_line(c, data.stories.get(c.country_code))) for c in ranked]


def regions_by_country(regions: list) -> dict[str, list]:
    grouped: dict[str, list] = defaultdict(list)
    for region in regions:
        grouped[region.country_code].append(region)
    return grouped

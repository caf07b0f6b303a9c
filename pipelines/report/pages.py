"""The site's pages: the main page, a page per country with partners (its story) and a
page per project. Each is one compiled Jinja template; the data is grouped once here
(by country, by project) so that 26,000 project pages cost a render each, no query.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from pipelines.report import phrasing
from pipelines.report.boundaries import Boundaries
from pipelines.report.data import ReportData
from pipelines.report.listings import (
    CHANGE_COLUMNS,
    PRACTICE_COLUMNS,
    PROJECT_COLUMNS,
    change_row,
    country_page,
    practice_row,
    project_page,
    project_row,
)
from pipelines.report.maps import Legend, MapResult, choropleth, legend_for
from pipelines.report.minimap import MiniMap
from pipelines.report.rows import RowSet, write_rows
from pipelines.report.stories import Story, one_line, stories

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


@dataclass
class Grouped:
    """The page's lists grouped once, by country and by project."""

    changes_by_country: dict[str, list] = field(default_factory=lambda: defaultdict(list))
    changes_by_project: dict[str, list] = field(default_factory=lambda: defaultdict(list))
    practices_by_country: dict[str, list] = field(default_factory=lambda: defaultdict(list))
    practices_by_project: dict[str, list] = field(default_factory=lambda: defaultdict(list))
    partners_by_project: dict[str, list] = field(default_factory=lambda: defaultdict(list))
    projects_by_country: dict[str, list] = field(default_factory=lambda: defaultdict(list))
    regions_by_country: dict[str, list] = field(default_factory=lambda: defaultdict(list))
    stories: dict[str, Story] = field(default_factory=dict)


def group(data: ReportData) -> Grouped:
    g = Grouped()
    for c in data.policy_changes:
        g.changes_by_country[c.country_code].append(c)
        g.changes_by_project[c.project_id].append(c)
    for p in data.good_practices:
        g.practices_by_country[p.country_code].append(p)
        g.practices_by_project[p.project_id].append(p)
    countries_of: dict[str, set[str]] = defaultdict(set)
    for partner in data.partners:
        g.partners_by_project[partner.project_id].append(partner)
        countries_of[partner.project_id].add(partner.country_code)
    for project in data.projects:  # as lead or partner, in the list's order
        for code in sorted(countries_of[project.project_id]):
            g.projects_by_country[code].append(project)
    for region in data.regions:
        g.regions_by_country[region.country_code].append(region)
    g.stories = stories(data.policy_changes, data.projects, data.partners)
    return g


def main_tables(site: Path, data: ReportData) -> dict[str, RowSet]:
    """The whole programme's long tables, paged and indexed for search."""
    return {
        "changes": write_rows(
            site, "data/changes", "changes", CHANGE_COLUMNS,
            [change_row(c) for c in data.policy_changes], indexed=True,
        ),
        "projects": write_rows(
            site, "data/projects", "projects", PROJECT_COLUMNS,
            [project_row(p) for p in data.projects], indexed=True,
        ),
        "practices": write_rows(
            site, "data/practices", "practices", PRACTICE_COLUMNS,
            [practice_row(g) for g in data.good_practices], indexed=True,
        ),
    }  # fmt: skip


def country_tables(site: Path, code: str, g: Grouped) -> dict[str, RowSet]:
    """A country's long tables: a few pages each, searched without an index."""

    def rows(name: str, columns, items, make) -> RowSet:
        return write_rows(
            site, f"data/{name}-{code}", f"{name}-{code}", columns,
            [make(item, "../") for item in items], prefix="../",
        )  # fmt: skip

    return {
        "changes": rows("changes", CHANGE_COLUMNS, g.changes_by_country[code], change_row),
        "projects": rows("projects", PROJECT_COLUMNS, g.projects_by_country[code], project_row),
        "practices": rows(
            "practices", PRACTICE_COLUMNS, g.practices_by_country[code], practice_row
        ),
    }


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


def country_lines(data: ReportData, g: Grouped) -> list[tuple[object, str]]:
    """The main page's list of countries with partners, one line of story each."""
    with_partners = [c for c in data.countries if c.partners > 0]
    ranked = sorted(with_partners, key=lambda c: (-c.partners, c.country_code))
    return [(c, one_line(c, g.stories.get(c.country_code))) for c in ranked]


def project_regions(partners: list) -> dict[str, str]:
    return {
        p.nuts2_code: f"{p.region_name or p.nuts2_code} ({p.nuts2_code}): {p.organisation_name}"
        for p in partners
        if p.nuts2_code
    }


# The project pages' work, set before forking so the workers inherit it (nothing pickled).
_PROJECT_JOB: tuple | None = None
PARALLEL_FROM = 2_000  # projects: below, forking costs more than it saves


def write_project_pages(
    site: Path, env: Environment, data: ReportData, g: Grouped, minimap: MiniMap | None,
    common: dict,
) -> int:  # fmt: skip
    """One page per project approved by the date: one compiled template, no query; at
    scale split over the machine's cores (forked workers share the data read once)."""
    global _PROJECT_JOB
    (site / "projects").mkdir(exist_ok=True)
    _PROJECT_JOB = (site, env.get_template("project.html.j2"), data, g, minimap, common)
    workers = min(os.cpu_count() or 1, 4)
    try:
        if len(data.projects) < PARALLEL_FROM or workers == 1:
            _write_projects((0, 1))
        else:
            with multiprocessing.get_context("fork").Pool(workers) as pool:
                pool.map(_write_projects, [(i, workers) for i in range(workers)])
    finally:
        _PROJECT_JOB = None
    return len(data.projects)


def _write_projects(share: tuple[int, int]) -> None:
    """Every `share[1]`-th project from the `share[0]`-th: one worker's pages."""
    site, template, data, g, minimap, common = _PROJECT_JOB
    first, step = share
    for project in data.projects[first::step]:
        pid = project.project_id
        partners = g.partners_by_project[pid]
        html = template.render(
            common,
            root="../",
            project=project,
            partners=partners,
            history=data.project_history.get(pid, []),
            changes=g.changes_by_project[pid],
            practices=g.practices_by_project[pid],
            minimap=minimap.svg(project_regions(partners)) if minimap else None,
        )
        (site / project_page(pid)).write_text(html, encoding="utf-8")

"""The project page: one page, `project.html?id=<project id>`, for every project approved
by the date (its results over time, partners with a small map, policy changes and good
practices), and the projects' data it shows, in bundles.

Why one page and bundles: at 100x there are 26,000 projects. A static page each took 50 s
to render with Jinja, and creating (then replacing) 26,000 files costs seconds on its own
whatever they hold. DuckDB writes each project as JSON, grouped into bundles of about
BUNDLE_SIZE projects, `data/project/b<N>.js` (N: a hash of the id that
static/project.js computes alike), and the shared page, rendered once by Jinja, fills its
sections from the bundle with a small script (textContent: no markup from the data).
Works from file://: a query string is kept and <script> tags load local files.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
from jinja2 import Environment

from pipelines.report.minimap import MiniMap

BUNDLE_SIZE = 100  # projects per bundle: a page loads one (about 0.5 MB at 100x)
PAGE = "project.html"

# The bundle of a project id: as static/project.js's bundle(): h = (h * 31 + code point)
# mod 1000003 over the id's characters, then mod the number of bundles.
BUNDLE_SQL = (
    "list_reduce(list_prepend(0, list_transform(string_split({id}, ''), c -> unicode(c))),"
    " (h, c) -> (h * 31 + c) % 1000003) % {count}"
)

# One JSON object per project (the fields static/project.js reads); $day: the date, and the
# status is the project's on that date (project_results.progress_status). The
# lists carry their sort keys and are sorted by the page: an ordered aggregate
# (string_agg … ORDER BY) took DuckDB seconds at 100x, the sort in the page nothing.
PROJECT_SQL = """
WITH last AS (SELECT max(as_of_date) AS d FROM marts.project_results WHERE as_of_date <= $day),
progress AS (
  SELECT project_id, replace(progress_status, '_', ' ') AS status
  FROM marts.project_results WHERE as_of_date = (SELECT d FROM last)),
history AS (
  SELECT project_id, string_agg(json_array(iso(as_of_date), policy_learning_events,
    good_practices_identified, good_practices_validated, people_with_increased_capacity,
    action_plans, policy_instruments_influenced, policy_instruments_influenced_sf,
    financial_impact_eur::VARCHAR, financial_impact_sf_eur::VARCHAR)::VARCHAR, ',') AS rows
  FROM marts.project_results
  WHERE as_of_date <= $day AND (month(as_of_date) = 12 AND day(as_of_date) = 31
        OR as_of_date = (SELECT d FROM last))
  GROUP BY project_id),
partners AS (
  SELECT project_id, string_agg(json_array(organisation_name, organisation_name_en,
    CASE WHEN is_lead_partner THEN 'lead partner' ELSE role END, country_code, country_name,
    region_name, nuts2_code, budget_eur::VARCHAR, partner_id)::VARCHAR, ',') AS rows
  FROM marts.partners WHERE project_approved_on <= $day GROUP BY project_id),
changes AS (
  SELECT project_id, string_agg(json_array(change_id, iso(validated_on),
    organisation_name, country_name, instrument_name, instrument_type_label,
    change_type_label, total_influenced_eur::VARCHAR, description)::VARCHAR, ',') AS rows
  FROM marts.policy_changes WHERE validated_on <= $day GROUP BY project_id),
practices AS (
  SELECT project_id, string_agg(json_array(title, organisation_name,
    CASE WHEN status = 'validated' AND validated_on > $day THEN 'submitted' ELSE status END,
    CASE WHEN validated_on <= $day THEN iso(validated_on) END, iso(submitted_on),
    good_practice_id)::VARCHAR, ',') AS rows
  FROM marts.good_practices WHERE submitted_on <= $day OR validated_on <= $day
  GROUP BY project_id),
projects AS (
  SELECT {bundle} AS bundle, to_json(p.project_id)::VARCHAR || ':' || left(json_object(
    'acronym', p.acronym, 'title', p.title, 'priority', p.priority_axis,
    'priority_label', p.priority_axis_label, 'call', p.call_no, 'status', s.status,
    'approved', iso(p.approved_on), 'start', iso(p.start_date), 'end', iso(p.end_date),
    'budget', p.total_budget_eur::VARCHAR, 'erdf', p.erdf_eur::VARCHAR,
    'website', p.website, 'themes', p.keep_themes, 'description', p.keep_description
  )::VARCHAR, -1) || ',"history":[' || coalesce(h.rows, '') || '],"partners":['
    || coalesce(pa.rows, '') || '],"changes":[' || coalesce(c.rows, '')
    || '],"practices":[' || coalesce(g.rows, '') || ']}' AS entry
  FROM marts.projects p
  LEFT JOIN progress s ON s.project_id = p.project_id
  LEFT JOIN history h ON h.project_id = p.project_id
  LEFT JOIN partners pa ON pa.project_id = p.project_id
  LEFT JOIN changes c ON c.project_id = p.project_id
  LEFT JOIN practices g ON g.project_id = p.project_id
  WHERE p.approved_on <= $day)
SELECT bundle, entry FROM projects
"""


def bundles_for(projects: int) -> int:
    return max(1, -(-projects // BUNDLE_SIZE))


def write_project_pages(
    con: duckdb.DuckDBPyConnection, site: Path, env: Environment, data, minimap: MiniMap | None,
    common: dict,
) -> int:  # fmt: skip
    """The project page and every project's bundle; how many projects. The macros of
    listings.define_macros must be set."""
    count = bundles_for(data.counts["projects"])
    html = env.get_template("project.html.j2").render(
        common, root="", bundles=count, regions=minimap is not None
    )
    (site / PAGE).write_text(html, encoding="utf-8")
    if minimap:
        minimap.write_regions(site)
    folder = site / "data" / "project"
    folder.mkdir(parents=True, exist_ok=True)
    sql = PROJECT_SQL.replace("{bundle}", BUNDLE_SQL.format(id="p.project_id", count=count))
    bundles: list[list[str]] = [[] for _ in range(count)]
    result = con.execute(sql, {"day": data.as_of})  # joined here: cheaper than string_agg
    while batch := result.fetchmany(4096):
        for n, entry in batch:
            bundles[n].append(entry)
    for n, entries in enumerate(bundles):  # a bundle no project hashes to is written too
        text = "__interreg.projects({" + ",".join(entries) + "});\n"
        (folder / f"b{n}.js").write_text(text, encoding="utf-8")
    return data.counts["projects"]


def bundle_of(project_id: str, count: int) -> int:
    """The bundle a project is in (BUNDLE_SQL and static/project.js, in Python)."""
    h = 0
    for char in project_id:
        h = (h * 31 + ord(char)) % 1000003
    return h % count


def read_bundle(path: Path) -> dict:
    """A bundle's projects (for tests and tools): the object the script is called with."""
    text = path.read_text(encoding="utf-8")
    return json.loads(text[text.index("(") + 1 : text.rindex(")")])


def first_project(site: Path) -> str | None:
    """The smallest project id of the site (for screenshots), None without projects."""
    ids = [pid for b in (site / "data" / "project").glob("b*.js") for pid in read_bundle(b)]
    return min(ids, default=None)

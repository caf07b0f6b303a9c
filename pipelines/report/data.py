"""What the results page shows, read from the published warehouse (read-only, marts only,
plus the programme's name and NUTS version from the raw programme table when it is there).

Everything is as of one date, the rule of `interreg headline`: the marts.headline_results
row of the last as-of date on or before the date asked for. The dated marts
(project_results, regional_coverage_history, country_results) are read at that date; the
lists are cut at it: policy changes by validated_on, projects and partners by the
project's approval, good practices by submission. Labels (country names, types of
change) come from the marts: one rule, in dbt.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from types import SimpleNamespace

import duckdb

from pipelines.errors import PipelineError
from pipelines.report.stories import Story, stories
from pipelines.warehouse.summary import FIGURES, headline_as_of

# The results of a project (marts.project_results, and marts.projects as of the export).
PROJECT_FIGURES = [
    "policy_learning_events",
    "good_practices_identified",
    "good_practices_validated",
    "people_with_increased_capacity",
    "action_plans",
    "policy_instruments_influenced",
    "policy_instruments_influenced_sf",
    "financial_impact_eur",
    "financial_impact_sf_eur",
]

REGION_COLUMNS = [
    "nuts2_code",
    "country_code",
    "country_name",
    "region_name",
    "is_eligible",
    "is_involved",
    "partners",
    "projects",
    "lead_partners",
    "policy_changes",
    "financial_impact_eur",
]

COUNTRY_COLUMNS = [
    "country_code",
    "country_name",
    "partners",
    "projects",
    "regions_eligible",
    "regions_involved",
    "policy_changes",
    "financial_impact_eur",
    "financial_impact_sf_eur",
    "good_practices_validated",
]

POLICY_CHANGE_COLUMNS = [
    "change_id",
    "validated_on",
    "project_id",
    "project_acronym",
    "partner_id",
    "organisation_name",
    "country_code",
    "country_name",
    "nuts2_code",
    "instrument_name",
    "instrument_type",
    "instrument_type_label",
    "is_structural_funds",
    "change_type",
    "change_type_label",
    "sf_influenced_eur",
    "other_influenced_eur",
    "total_influenced_eur",
    "description",
]

PROJECT_COLUMNS = [
    "project_id",
    "acronym",
    "title",
    "priority_axis",
    "priority_axis_label",
    "call_no",
    "status",
    "approved_on",
    "start_date",
    "end_date",
    "total_budget_eur",
    "erdf_eur",
    "partners",
    "countries",
    "lead_partner_name",
    "lead_partner_country_code",
    "lead_partner_country_name",
    "website",
    "is_in_keep",
    "keep_themes",
    "keep_description",
]

PARTNER_COLUMNS = [
    "partner_id",
    "project_id",
    "project_acronym",
    "organisation_name",
    "organisation_name_en",
    "role",
    "is_lead_partner",
    "legal_status",
    "country_code",
    "country_name",
    "nuts2_code",
    "region_name",
    "is_in_programme_area",
    "budget_eur",
    "erdf_eur",
]

GOOD_PRACTICE_COLUMNS = [
    "good_practice_id",
    "project_id",
    "project_acronym",
    "organisation_name",
    "country_code",
    "country_name",
    "nuts2_code",
    "title",
    "status",
    "submitted_on",
    "validated_on",
]

FRESHNESS_COLUMNS = ["source", "source_date", "url", "sha256", "loaded_at", "run_id", "built_at"]


def records(con: duckdb.DuckDBPyConnection, sql: str, columns: list[str], params=()) -> list:
    """Rows as objects with the columns as attributes: what Jinja looks up first (a dict
    key costs it a failed getattr per cell)."""
    rows = con.execute(sql, list(params)).fetchall()
    return [SimpleNamespace(**dict(zip(columns, r, strict=True))) for r in rows]


@dataclass
class ReportData:
    """What the pages need in Python: the figures, the small marts and counts. The long
    lists (policy changes, projects, partners, good practices) stay in DuckDB: the row
    files and the projects' data are rendered there (rows.py, project_pages.py); at 100x
    reading them into Python objects took 17 s."""

    as_of: date  # the headline row's date (on or before the date asked for)
    asked: date | None  # the date asked for; None = the latest
    latest: date  # the last as-of date of the mart (the export's)
    figures: dict[str, object]  # column of marts.headline_results -> value at `as_of`
    series: dict[date, dict[str, object]]  # every as-of date up to `as_of`
    regions: list  # marts.regional_coverage_history at `as_of`
    countries: list  # marts.country_results at `as_of`
    counts: dict[str, int]  # rows of the lists at `as_of`: changes, projects, practices
    change_types: list[tuple[str, str]]  # (change_type, label) of the changes listed
    stories: dict[str, Story] = field(default_factory=dict)  # country_code -> its story
    freshness: list = field(default_factory=list)
    programme_name: str | None = None
    programme_nuts_version: int | None = None

    @property
    def is_latest(self) -> bool:
        return self.as_of == self.latest


def policy_changes_as_of(as_of: date) -> tuple[str, str]:
    """The downloadable list as of a date, every mart column in the mart's order: the
    relation (a date is no injection: it is formatted, not pasted) and its row order."""
    return (
        f"(SELECT * FROM marts.policy_changes WHERE validated_on <= DATE '{as_of.isoformat()}')",
        "validated_on DESC, change_id",
    )


def query_report_data(con: duckdb.DuckDBPyConnection, as_of: date | None = None) -> ReportData:
    found = headline_as_of(con, as_of)
    if found is None:
        raise PipelineError(
            "marts.headline_results has no row on or before "
            f"{as_of.isoformat() if as_of else 'any date'}; nothing to report"
        )
    day, figures = found
    latest = con.execute("SELECT max(as_of_date) FROM marts.headline_results").fetchone()[0]
    rows = con.execute(
        f"SELECT as_of_date, {', '.join(FIGURES)} FROM marts.headline_results"
        " WHERE as_of_date <= ? ORDER BY as_of_date",
        [day],
    ).fetchall()
    name, nuts_version = _programme(con)
    return ReportData(
        as_of=day,
        asked=as_of,
        latest=latest,
        figures=figures,
        series={r[0]: dict(zip(FIGURES, r[1:], strict=True)) for r in rows},
        regions=_dated(con, "regional_coverage_history", REGION_COLUMNS, day, "nuts2_code"),
        countries=_dated(con, "country_results", COUNTRY_COLUMNS, day, "country_code"),
        counts=_counts(con, day),
        change_types=[
            (t, label)
            for t, label in con.execute(
                "SELECT DISTINCT change_type, change_type_label FROM marts.policy_changes"
                " WHERE validated_on <= ? ORDER BY ALL",
                [day],
            ).fetchall()
        ],
        stories=_stories(con, day),
        freshness=records(
            con,
            f"SELECT {', '.join(FRESHNESS_COLUMNS)} FROM marts.data_freshness ORDER BY source",
            FRESHNESS_COLUMNS,
        ),
        programme_name=name,
        programme_nuts_version=nuts_version,
    )


def _counts(con: duckdb.DuckDBPyConnection, day: date) -> dict[str, int]:
    changes, projects, practices = con.execute(
        "SELECT (SELECT count(*) FROM marts.policy_changes WHERE validated_on <= $1),"
        " (SELECT count(*) FROM marts.projects WHERE approved_on <= $1),"
        " (SELECT count(*) FROM marts.good_practices WHERE submitted_on <= $1"
        " OR validated_on <= $1)",
        [day],
    ).fetchone()
    return {"changes": changes, "projects": projects, "practices": practices}


def _stories(con: duckdb.DuckDBPyConnection, day: date) -> dict[str, Story]:
    """Each country's story: only its featured change, that project and its partners are
    read (the rule is stories.py's; the query keeps the candidates, one per country)."""
    changes = records(
        con,
        f"SELECT {', '.join(POLICY_CHANGE_COLUMNS)} FROM marts.policy_changes"
        " WHERE validated_on <= ? QUALIFY row_number() OVER (PARTITION BY country_code"
        " ORDER BY total_influenced_eur DESC, change_id) = 1",
        POLICY_CHANGE_COLUMNS,
        [day],
    )
    ids = sorted({c.project_id for c in changes})
    projects = _projects(con, day, ids)
    partners = records(
        con,
        f"SELECT {', '.join(PARTNER_COLUMNS)} FROM marts.partners"
        " WHERE project_approved_on <= ? AND list_contains(?, project_id)"
        " ORDER BY project_acronym, partner_id",
        PARTNER_COLUMNS,
        [day, ids],
    )
    return stories(changes, projects, partners)


def _dated(
    con: duckdb.DuckDBPyConnection, mart: str, columns: list[str], day: date, order: str
) -> list:
    """A dated mart's rows at the last of its as-of dates on or before `day`."""
    return records(
        con,
        f"SELECT {', '.join(columns)} FROM marts.{mart} WHERE as_of_date ="
        f" (SELECT max(as_of_date) FROM marts.{mart} WHERE as_of_date <= ?) ORDER BY {order}",
        columns,
        [day],
    )


def _projects(con: duckdb.DuckDBPyConnection, day: date, ids: list[str]) -> list:
    """The projects `ids` if approved by `day`, with their results at `day` (0 when the
    mart has no row for them: a project approved after the last month end before `day`)."""
    results = ", ".join(f"coalesce(r.{c}, 0) AS {c}" for c in PROJECT_FIGURES)
    columns = ", ".join(f"p.{c}" for c in PROJECT_COLUMNS)
    return records(
        con,
        f"SELECT {columns}, {results} FROM marts.projects p"
        " LEFT JOIN marts.project_results r ON r.project_id = p.project_id"
        " AND r.as_of_date = (SELECT max(as_of_date) FROM marts.project_results"
        " WHERE as_of_date <= ?) WHERE p.approved_on <= ? AND list_contains(?, p.project_id)"
        " ORDER BY p.acronym, p.project_id",
        PROJECT_COLUMNS + PROJECT_FIGURES,
        [day, day, ids],
    )


def _programme(con: duckdb.DuckDBPyConnection) -> tuple[str | None, int | None]:
    """The programme's name and NUTS version, if the raw programme table is there."""
    try:
        row = con.execute(
            "SELECT programme_name, nuts_version FROM raw_monitoring.programme LIMIT 1"
        ).fetchone()
    except duckdb.CatalogException:
        return None, None
    if row is None:
        return None, None
    return row[0], int(row[1]) if row[1] is not None else None

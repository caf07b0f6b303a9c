"""What the results page shows, read from the published warehouse (read-only, marts only,
plus the programme's name from the raw programme table when it is there).

The as-of rule is `interreg headline`'s: the marts.headline_results row of the last as-of
date on or before the date asked for. The figures' series run from the first as-of date
to that one. The policy-change list is cut at the same date (a change counts from its
validated_on, as policy_instruments_influenced does). The regional marts and the project
list have no date dimension: they are as of the export, and the page says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import duckdb

from pipelines.errors import PipelineError
from pipelines.warehouse.summary import FIGURES, headline_as_of


@dataclass(frozen=True)
class Region:
    nuts2_code: str
    country_code: str
    region_name: str | None
    is_eligible: bool
    partners: int
    projects: int
    lead_partners: int
    policy_changes: int


@dataclass(frozen=True)
class Country:
    country_code: str
    partners: int
    regions_with_partners: int
    regions_eligible: int
    policy_changes: int


@dataclass(frozen=True)
class Table:
    columns: list[str]
    rows: list[tuple]


@dataclass(frozen=True)
class ReportData:
    as_of: date  # the headline row's date (on or before the date asked for)
    asked: date | None  # the date asked for; None = the latest
    latest: date  # the last as-of date of the mart (the export's)
    figures: dict[str, object]  # column of marts.headline_results -> value at `as_of`
    series: dict[date, dict[str, object]]  # every as-of date up to `as_of`
    regions: list[Region]
    policy_changes: Table  # validated_on <= as_of
    projects: Table
    programme_name: str | None
    programme_nuts_version: int | None

    @property
    def is_latest(self) -> bool:
        return self.as_of == self.latest

    def countries(self) -> list[Country]:
        by_code: dict[str, dict[str, int]] = {}
        for r in self.regions:
            c = by_code.setdefault(
                r.country_code,
                {"partners": 0, "with": 0, "eligible": 0, "changes": 0},
            )
            c["partners"] += r.partners
            c["with"] += r.partners > 0
            c["eligible"] += r.is_eligible
            c["changes"] += r.policy_changes
        return [
            Country(code, c["partners"], c["with"], c["eligible"], c["changes"])
            for code, c in by_code.items()
        ]


POLICY_CHANGE_COLUMNS = [
    "change_id",
    "validated_on",
    "project_acronym",
    "organisation_name",
    "country_code",
    "nuts2_code",
    "instrument_name",
    "instrument_type",
    "is_structural_funds",
    "change_type",
    "sf_influenced_eur",
    "other_influenced_eur",
    "total_influenced_eur",
    "description",
]

PROJECT_COLUMNS = [
    "acronym",
    "title",
    "priority_axis",
    "call_no",
    "status",
    "start_date",
    "end_date",
    "total_budget_eur",
    "erdf_eur",
    "partners",
    "countries",
    "lead_partner_name",
]


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
    series = {r[0]: dict(zip(FIGURES, r[1:], strict=True)) for r in rows}
    regions = [
        Region(*r)
        for r in con.execute(
            "SELECT nuts2_code, country_code, region_name, is_eligible, partners, projects,"
            " lead_partners, policy_changes FROM marts.regional_coverage ORDER BY nuts2_code"
        ).fetchall()
    ]
    changes = con.execute(
        f"SELECT {', '.join(POLICY_CHANGE_COLUMNS)} FROM marts.policy_changes"
        " WHERE validated_on <= ? ORDER BY validated_on DESC, change_id",
        [day],
    ).fetchall()
    projects = con.execute(
        f"SELECT {', '.join(PROJECT_COLUMNS)} FROM marts.projects ORDER BY acronym"
    ).fetchall()
    name, nuts_version = _programme(con)
    return ReportData(
        as_of=day,
        asked=as_of,
        latest=latest,
        figures=figures,
        series=series,
        regions=regions,
        policy_changes=Table(POLICY_CHANGE_COLUMNS, changes),
        projects=Table(PROJECT_COLUMNS, projects),
        programme_name=name,
        programme_nuts_version=nuts_version,
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

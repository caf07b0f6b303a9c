"""An independent reference implementation of the headline results (contract v1).

It reads the export's CSV files with nothing but the standard library (csv, decimal,
datetime) and follows "Headline results: definitions" of docs/monitoring-export.md line
by line, so that tests can check the dbt marts against it cell by cell. It shares no code
with the pipeline on purpose: a misreading of the contract has to be made twice, in two
different languages, to go unnoticed.

It assumes an export that follows the contract (valid rows, keys unique, references
resolvable); checking that is the pipeline's job, not this module's.

    >>> dates = headline_dates(export_dir)
    >>> headline_as_of(export_dir, dates[-1])["projects"]
    258
"""

from __future__ import annotations

import csv
import functools
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

CENT = Decimal("0.01")
TENTH = Decimal("0.1")

# Indicator code -> headline figure (contract: "The codes that feed the headline results").
INDICATOR_FIGURES = {
    "O1": "policy_learning_events",
    "O2": "good_practices_identified",
    "O3": "people_with_increased_capacity",
    "O4": "action_plans",
}
# Instrument types that are Structural Funds programmes (policy_instruments_influenced_sf).
SF_INSTRUMENT_TYPES = ("growth_and_jobs", "etc")

HEADLINE_KEYS = (
    "projects",
    "policy_learning_events",
    "good_practices_identified",
    "good_practices_validated",
    "people_with_increased_capacity",
    "action_plans",
    "policy_instruments_influenced",
    "policy_instruments_influenced_sf",
    "financial_impact_eur",
    "financial_impact_sf_eur",
    "programme_budget_eur",
    "nuts2_regions_involved",
    "nuts2_regions_eligible",
    "nuts2_coverage_pct",
)


# --------------------------------------------------------------------------- reading


def read_rows(path: Path) -> Iterator[dict[str, str | None]]:
    """The records of one CSV file as dicts keyed by header name; an empty field is None.

    utf-8-sig drops a leading BOM if there is one; newline="" lets the csv module handle
    LF or CRLF line ends and newlines inside quoted fields.
    """
    with path.open(encoding="utf-8-sig", newline="") as handle:
        for record in csv.DictReader(handle):
            yield {name: (value if value != "" else None) for name, value in record.items()}


def parse_date(text: str | None) -> date | None:
    return None if text is None else date.fromisoformat(text)


def parse_amount(text: str) -> Decimal:
    return Decimal(text).quantize(CENT)


def exported_on(export_dir: Path) -> date:
    """The (UTC) date of manifest.json's exported_at."""
    manifest = json.loads((Path(export_dir) / "manifest.json").read_text(encoding="utf-8-sig"))
    stamp = manifest["exported_at"]
    if stamp.endswith("Z"):
        stamp = stamp[:-1] + "+00:00"
    moment = datetime.fromisoformat(stamp)
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.date()


@dataclass(frozen=True)
class Export:
    """The columns of an export that the headline definitions use, parsed once."""

    exported_on: date
    erdf_budget_eur: Decimal
    eligible_regions: tuple[str, ...]
    # project_id -> (status, approved_on), every row of projects.csv
    projects: dict[str, tuple[str, date]]
    # (project_id, nuts2_code or None)
    partners: tuple[tuple[str, str | None], ...]
    # (report_id, project_id, period_no, version, status, approved_on or None)
    reports: tuple[tuple[str, str, int, int, str, date | None], ...]
    # report_id -> {indicator_code: value}
    values: dict[str, dict[str, int]]
    # instrument_id -> instrument_type
    instrument_types: dict[str, str]
    # (project_id, instrument_id, status, validated_on, sf_influenced_eur, other_influenced_eur)
    changes: tuple[tuple[str, str, str, date | None, Decimal, Decimal], ...]
    # (project_id, status, validated_on)
    good_practices: tuple[tuple[str, str, date | None], ...]

    def is_withdrawn(self, project_id: str) -> bool:
        status = self.projects.get(project_id, (None, None))[0]
        return status == "withdrawn"


def load_export(export_dir: Path) -> Export:
    """Read every file that a headline figure depends on."""
    folder = Path(export_dir)

    def rows(name: str) -> Iterator[dict[str, str | None]]:
        return read_rows(folder / name)

    programme = list(rows("programme.csv"))
    if len(programme) != 1:
        raise ValueError(f"programme.csv must have exactly 1 row, has {len(programme)}")

    values: dict[str, dict[str, int]] = {}
    for r in rows("indicator_values.csv"):
        values.setdefault(r["report_id"], {})[r["indicator_code"]] = int(r["value"])

    return Export(
        exported_on=exported_on(folder),
        erdf_budget_eur=parse_amount(programme[0]["erdf_budget_eur"]),
        eligible_regions=tuple(r["nuts2_code"] for r in rows("eligible_regions.csv")),
        projects={
            r["project_id"]: (r["status"], parse_date(r["approved_on"]))
            for r in rows("projects.csv")
        },
        partners=tuple((r["project_id"], r["nuts2_code"]) for r in rows("partners.csv")),
        reports=tuple(
            (
                r["report_id"],
                r["project_id"],
                int(r["period_no"]),
                int(r["version"]),
                r["status"],
                parse_date(r["approved_on"]),
            )
            for r in rows("progress_reports.csv")
        ),
        values=values,
        instrument_types={
            r["instrument_id"]: r["instrument_type"] for r in rows("policy_instruments.csv")
        },
        changes=tuple(
            (
                r["project_id"],
                r["instrument_id"],
                r["status"],
                parse_date(r["validated_on"]),
                parse_amount(r["sf_influenced_eur"]),
                parse_amount(r["other_influenced_eur"]),
            )
            for r in rows("policy_changes.csv")
        ),
        good_practices=tuple(
            (r["project_id"], r["status"], parse_date(r["validated_on"]))
            for r in rows("good_practices.csv")
        ),
    )


def _export(export: Path | str | Export) -> Export:
    """An Export as given, or the folder's files read (once while they stay unchanged)."""
    if isinstance(export, Export):
        return export
    folder = Path(export).resolve()
    signature = tuple(
        (path.name, path.stat().st_mtime_ns, path.stat().st_size)
        for path in sorted(folder.iterdir())
        if path.is_file()
    )
    return _load_cached(folder, signature)


@functools.lru_cache(maxsize=8)
def _load_cached(folder: Path, signature: tuple) -> Export:
    return load_export(folder)


# --------------------------------------------------------------------------- dates


def month_end(d: date) -> date:
    first_of_next = date(d.year + d.month // 12, d.month % 12 + 1, 1)
    return first_of_next - timedelta(days=1)


def headline_dates(export_dir: Path | str | Export) -> list[date]:
    """The dates D of the published time series.

    Every calendar month end from the month of the earliest projects.approved_on (over all
    rows of projects.csv, withdrawn ones included) up to and including the month of
    exported_at; the last one is replaced by the date of exported_at when that is earlier.
    """
    export = _export(export_dir)
    earliest = min(approved_on for _, approved_on in export.projects.values())
    return as_of_dates(earliest, export.exported_on)


def as_of_dates(earliest: date, last: date) -> list[date]:
    """Every month end from the month of `earliest` to the month of `last`, the last one
    replaced by `last` when that is earlier (headline_dates, from the two dates)."""
    dates: list[date] = []
    year, month = earliest.year, earliest.month
    while (year, month) <= (last.year, last.month):
        dates.append(month_end(date(year, month, 1)))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    if dates and last < dates[-1]:
        dates[-1] = last
    return dates


# --------------------------------------------------------------------------- figures


def effective_reports(export: Export, d: date) -> dict[tuple[str, int], str]:
    """(project_id, period_no) -> report_id of the effective report as of d.

    The approved version with the highest version among those approved on or before d;
    submitted and rejected versions never count; withdrawn projects are left out.
    """
    best: dict[tuple[str, int], tuple[int, str]] = {}
    for report_id, project_id, period_no, version, status, approved_on in export.reports:
        if status != "approved" or approved_on is None or approved_on > d:
            continue
        if export.is_withdrawn(project_id):
            continue
        key = (project_id, period_no)
        if key not in best or version > best[key][0]:
            best[key] = (version, report_id)
    return {key: report_id for key, (_, report_id) in best.items()}


def headline_as_of(export_dir: Path | str | Export, d: date) -> dict:
    """Every headline figure as of date d, keyed as HEADLINE_KEYS.

    Counts are int, amounts Decimal with 2 places, the coverage a Decimal with 1 place
    (rounded half up; None only if eligible_regions.csv were empty).
    """
    export = _export(export_dir)
    figures: dict = {}

    # projects: approved on or before d, withdrawn ones excluded.
    live_projects = {
        project_id
        for project_id, (status, approved_on) in export.projects.items()
        if status != "withdrawn" and approved_on <= d
    }
    figures["projects"] = len(live_projects)

    # The indicator sums over the effective reports.
    sums = dict.fromkeys(INDICATOR_FIGURES.values(), 0)
    for report_id in effective_reports(export, d).values():
        for code, value in export.values.get(report_id, {}).items():
            if code in INDICATOR_FIGURES:
                sums[INDICATOR_FIGURES[code]] += value
    figures.update(sums)

    # Good practices validated on or before d.
    figures["good_practices_validated"] = sum(
        1
        for project_id, status, validated_on in export.good_practices
        if status == "validated"
        and validated_on is not None
        and validated_on <= d
        and not export.is_withdrawn(project_id)
    )

    # Policy changes validated on or before d, and their amounts.
    counted = [
        (instrument_id, sf, other)
        for project_id, instrument_id, status, validated_on, sf, other in export.changes
        if status == "validated"
        and validated_on is not None
        and validated_on <= d
        and not export.is_withdrawn(project_id)
    ]
    figures["policy_instruments_influenced"] = len(counted)
    figures["policy_instruments_influenced_sf"] = sum(
        1
        for instrument_id, _, _ in counted
        if export.instrument_types.get(instrument_id) in SF_INSTRUMENT_TYPES
    )
    figures["financial_impact_eur"] = sum(
        (sf + other for _, sf, other in counted), Decimal("0")
    ).quantize(CENT)
    figures["financial_impact_sf_eur"] = sum((sf for _, sf, _ in counted), Decimal("0")).quantize(
        CENT
    )

    figures["programme_budget_eur"] = export.erdf_budget_eur

    # NUTS-2 coverage: eligible regions where a partner of a live project sits.
    partner_regions = {
        nuts2_code
        for project_id, nuts2_code in export.partners
        if nuts2_code is not None and project_id in live_projects
    }
    eligible = export.eligible_regions
    involved = sum(1 for code in set(eligible) if code in partner_regions)
    figures["nuts2_regions_involved"] = involved
    figures["nuts2_regions_eligible"] = len(eligible)
    figures["nuts2_coverage_pct"] = (
        (Decimal(100) * involved / Decimal(len(eligible))).quantize(TENTH, ROUND_HALF_UP)
        if eligible
        else None
    )

    return {key: figures[key] for key in HEADLINE_KEYS}


def headline_series(export_dir: Path | str | Export) -> dict[date, dict]:
    """headline_as_of for every date of headline_dates, reading the files once."""
    export = _export(export_dir)
    return {d: headline_as_of(export, d) for d in headline_dates(export)}

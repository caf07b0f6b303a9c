"""An independent reading of the analysts' marts, from the export's CSV files alone.

Like reference_headline.py it shares no code with the pipeline: partners, regions,
countries and good practices are counted in plain Python, and a project's results are
the contract's headline definitions applied to an export that holds only that project
(a project's share of a summable figure is the figure computed on its own rows).
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from datetime import date
from pathlib import Path

from support.reference_headline import Export, headline_as_of, load_export, read_rows

PROJECT_FIGURES = (
    "policy_learning_events",
    "good_practices_identified",
    "people_with_increased_capacity",
    "action_plans",
    "good_practices_validated",
    "policy_instruments_influenced",
    "policy_instruments_influenced_sf",
    "financial_impact_eur",
    "financial_impact_sf_eur",
)


def _projects(export_dir: Path) -> dict[str, tuple[str, date]]:
    return {
        r["project_id"]: (r["status"], date.fromisoformat(r["approved_on"]))
        for r in read_rows(Path(export_dir) / "projects.csv")
    }


def live_partners(export_dir: Path, as_of: date | None = None) -> list[dict]:
    """Partner rows of non-withdrawn projects approved by `as_of` (every one when None)."""
    projects = _projects(export_dir)
    return [
        r
        for r in read_rows(Path(export_dir) / "partners.csv")
        if projects[r["project_id"]][0] != "withdrawn"
        and (as_of is None or projects[r["project_id"]][1] <= as_of)
    ]


def partners_per_country(export_dir: Path, as_of: date | None = None) -> Counter:
    return Counter(r["country_code"] for r in live_partners(export_dir, as_of))


def partners_per_region(export_dir: Path, as_of: date | None = None) -> Counter:
    """Keyed by NUTS-2 code; None counts the partners without one."""
    return Counter(r["nuts2_code"] for r in live_partners(export_dir, as_of))


def regions_involved(export_dir: Path, as_of: date) -> set[str]:
    """Eligible regions with a partner of a non-withdrawn project approved by `as_of`."""
    eligible = {r["nuts2_code"] for r in read_rows(Path(export_dir) / "eligible_regions.csv")}
    return {r["nuts2_code"] for r in live_partners(export_dir, as_of)} & eligible


def good_practices_per_country(export_dir: Path, status: str | None = None) -> Counter:
    """Good practices of non-withdrawn projects per the practice's country, of one status."""
    projects = _projects(export_dir)
    return Counter(
        r["country_code"]
        for r in read_rows(Path(export_dir) / "good_practices.csv")
        if projects[r["project_id"]][0] != "withdrawn" and status in (None, r["status"])
    )


def project_results(export: Export, project_id: str, as_of: date) -> dict:
    """The headline figures of an export cut down to one project's rows."""
    instruments_of_project = {
        instrument_id for pid, instrument_id, *_ in export.changes if pid == project_id
    }
    alone = dataclasses.replace(
        export,
        projects={project_id: export.projects[project_id]},
        partners=tuple(p for p in export.partners if p[0] == project_id),
        reports=tuple(r for r in export.reports if r[1] == project_id),
        changes=tuple(c for c in export.changes if c[0] == project_id),
        good_practices=tuple(g for g in export.good_practices if g[0] == project_id),
        instrument_types={
            i: t for i, t in export.instrument_types.items() if i in instruments_of_project
        },
    )
    figures = headline_as_of(alone, as_of)
    return {name: figures[name] for name in PROJECT_FIGURES}


__all__ = [
    "PROJECT_FIGURES",
    "good_practices_per_country",
    "live_partners",
    "load_export",
    "partners_per_country",
    "partners_per_region",
    "project_results",
    "regions_involved",
]

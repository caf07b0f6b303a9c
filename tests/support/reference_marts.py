"""An independent reading of the analysts' marts, from the export's CSV files alone.

Like reference_headline.py it shares no code with the pipeline: partners, regions,
countries and good practices are counted in plain Python (csv, decimal, datetime), and a
project's results are the contract's headline definitions applied to the project's own rows.

Two parts:

* small counts for the tests that check one aspect of the bundled sample (live_partners,
  partners_per_country, project_results, ...);
* `expected_marts(export_dir)`: the expected rows of every monitoring mart, at every grain
  and on every as-of date, by the rule that every mart follows (below, "Every mart").
"""

from __future__ import annotations

import dataclasses
import functools
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from support.reference_headline import (
    CENT,
    INDICATOR_FIGURES,
    SF_INSTRUMENT_TYPES,
    TENTH,
    Export,
    as_of_dates,
    exported_on,
    headline_as_of,
    load_export,
    read_rows,
)

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


# =========================================================================== every mart
#
# The rule of "as of", the same in every mart:
#
# * E is the UTC date of the manifest's exported_at. The dates D are the headline's: every
#   month end from the month of the earliest approved_on (withdrawn projects included) to
#   the month of E, the last one replaced by E.
# * Everything of a withdrawn project is left out everywhere: partners, reports, changes,
#   good practices.
# * A row dated after D counts on no date <= D. Nothing dated after E is in any mart.
#
# The programme is replayed through time: every dated fact of a non-withdrawn project (its
# approval, a report version's approval, a policy change's validation, a good practice's
# validation) is an event; the events are applied in date order to a running state, which
# is read on each date D once every event dated <= D has been applied. Each fact is looked
# at once, whatever the number of dates.

REPO_ROOT = Path(__file__).resolve().parents[2]
SEEDS_DIR = REPO_ROOT / "dbt_project" / "seeds"

# Column types of the contract's files (docs: "Files and columns"); every other column is text.
DATE_COLUMNS = frozenset(
    {"approved_on", "start_date", "end_date", "period_start", "period_end", "submitted_on",
     "validated_on"}
)  # fmt: skip
AMOUNT_COLUMNS = frozenset(
    {"erdf_budget_eur", "total_budget_eur", "erdf_eur", "budget_eur", "sf_influenced_eur",
     "other_influenced_eur"}
)  # fmt: skip
INTEGER_COLUMNS = frozenset({"nuts_version", "priority_axis", "call_no", "period_no", "version"})
INTEGER_COLUMNS |= {"value"}

ZERO = Decimal("0.00")

# The grain of every mart: its key columns.
MART_KEYS: dict[str, tuple[str, ...]] = {
    "headline_results": ("as_of_date",),
    "project_results": ("as_of_date", "project_id"),
    "country_results": ("as_of_date", "country_code"),
    "regional_coverage_history": ("as_of_date", "nuts2_code"),
    "regional_coverage": ("nuts2_code",),
    "projects": ("project_id",),
    "partners": ("partner_id",),
    "policy_changes": ("change_id",),
    "good_practices": ("good_practice_id",),
    "progress_reports": ("report_id",),
}

# Mart -> key (the MART_KEYS columns' values, in order) -> row (every column the reference
# knows, keys included): counts int, amounts Decimal, dates date, flags bool, text str.
Marts = dict[str, dict[tuple, dict[str, object]]]


def _typed(record: dict[str, str | None]) -> dict[str, object]:
    row: dict[str, object] = {}
    for name, text in record.items():
        if text is None:
            row[name] = None
        elif name in DATE_COLUMNS:
            row[name] = date.fromisoformat(text)
        elif name in AMOUNT_COLUMNS:
            row[name] = Decimal(text).quantize(CENT)
        elif name in INTEGER_COLUMNS:
            row[name] = int(text)
        else:
            row[name] = text
    return row


@dataclass(frozen=True)
class Files:
    """Every record of an export, typed, keyed by its file's key (in file order)."""

    exported_on: date
    programme: dict[str, object]
    eligible_regions: dict[str, dict]  # nuts2_code ->
    projects: dict[str, dict]
    partners: dict[str, dict]
    reports: dict[str, dict]
    values: dict[str, dict[str, int]]  # report_id -> indicator_code -> value
    instruments: dict[str, dict]
    changes: dict[str, dict]
    good_practices: dict[str, dict]


def read_files(export_dir: Path | str) -> Files:
    folder = Path(export_dir)

    def keyed(name: str, key: str) -> dict[str, dict]:
        return {row[key]: row for row in map(_typed, read_rows(folder / name))}

    values: dict[str, dict[str, int]] = defaultdict(dict)
    for r in read_rows(folder / "indicator_values.csv"):
        values[r["report_id"]][r["indicator_code"]] = int(r["value"])
    (programme,) = [_typed(r) for r in read_rows(folder / "programme.csv")]
    return Files(
        exported_on=exported_on(folder),
        programme=programme,
        eligible_regions=keyed("eligible_regions.csv", "nuts2_code"),
        projects=keyed("projects.csv", "project_id"),
        partners=keyed("partners.csv", "partner_id"),
        reports=keyed("progress_reports.csv", "report_id"),
        values=dict(values),
        instruments=keyed("policy_instruments.csv", "instrument_id"),
        changes=keyed("policy_changes.csv", "change_id"),
        good_practices=keyed("good_practices.csv", "good_practice_id"),
    )


@dataclass(frozen=True)
class Labels:
    """The label lists of dbt_project/seeds: a code without a label has a null label."""

    country_names: dict[str, str]
    priority_axes: dict[int, str]
    instrument_types: dict[str, str]
    change_types: dict[str, str]
    partner_roles: dict[str, str]
    legal_statuses: dict[str, str]
    project_statuses: dict[str, str]


@functools.cache
def read_labels(seeds_dir: Path = SEEDS_DIR) -> Labels:
    def pairs(name: str, key: str, label: str) -> dict[str, str]:
        return {r[key]: r[label] for r in read_rows(seeds_dir / name)}

    return Labels(
        country_names=pairs("country_names.csv", "country_code", "country_name"),
        priority_axes={
            int(k): v
            for k, v in pairs("priority_axes.csv", "priority_axis", "priority_axis_label").items()
        },
        instrument_types=pairs("instrument_types.csv", "instrument_type", "instrument_type_label"),
        change_types=pairs("change_types.csv", "change_type", "change_type_label"),
        partner_roles=pairs("partner_roles.csv", "role", "role_label"),
        legal_statuses=pairs("legal_statuses.csv", "legal_status", "legal_status_label"),
        project_statuses=pairs("project_statuses.csv", "status", "status_label"),
    )


def progress_status(project: dict, d: date) -> str:
    """The project's status as of d, from its own dates."""
    if project["approved_on"] > d:
        return "not_approved"
    if project["start_date"] > d:
        return "not_started"
    if project["end_date"] < d:
        return "ended"
    return "running"


def _zero_figures() -> dict[str, object]:
    return {f: (ZERO if f.endswith("_eur") else 0) for f in PROJECT_FIGURES}


class Programme:
    """The state of the programme as of a date: the events applied so far.

    Counts per project, country and region, updated as each event is applied.
    """

    def __init__(self, files: Files, live: dict[str, dict]):
        self.files, self.live = files, live
        self.partners_of: dict[str, list[dict]] = defaultdict(list)
        for partner in files.partners.values():
            if partner["project_id"] in live:
                self.partners_of[partner["project_id"]].append(partner)
        self.approved: set[str] = set()
        self.figures: dict[str, dict[str, object]] = {pid: _zero_figures() for pid in live}
        # (project_id, period_no) -> the effective report (highest version approved so far)
        self.effective: dict[tuple[str, int], dict] = {}
        # Partners of approved projects, per region and country.
        self.region_partners: Counter = Counter()
        self.region_leads: Counter = Counter()
        self.region_projects: dict[str, set[str]] = defaultdict(set)
        self.country_partners: Counter = Counter()
        self.country_projects: dict[str, set[str]] = defaultdict(set)
        # Validated policy changes per the instrument's region and the responsible partner's
        # country; good practices validated per the practice's country.
        self.region_changes: Counter = Counter()
        self.region_impact: dict[str, Decimal] = defaultdict(lambda: ZERO)
        self.country_changes: Counter = Counter()
        self.country_impact: dict[str, Decimal] = defaultdict(lambda: ZERO)
        self.country_impact_sf: dict[str, Decimal] = defaultdict(lambda: ZERO)
        self.country_good_practices: Counter = Counter()

    # ----------------------------------------------------------------------- events

    def approve_project(self, project_id: str) -> None:
        """From its approval on, a project's partners count for their region and country."""
        self.approved.add(project_id)
        for partner in self.partners_of[project_id]:
            region, country = partner["nuts2_code"], partner["country_code"]
            if region is not None:
                self.region_partners[region] += 1
                self.region_leads[region] += partner["role"] == "lead"
                self.region_projects[region].add(project_id)
            self.country_partners[country] += 1
            self.country_projects[country].add(project_id)

    def approve_report(self, report: dict) -> None:
        """The approved version with the highest version number is the effective report of
        its period: an approval of a lower version than the effective one changes nothing."""
        key = (report["project_id"], report["period_no"])
        current = self.effective.get(key)
        if current is not None and current["version"] > report["version"]:
            return
        figures = self.figures[report["project_id"]]
        if current is not None:
            for code, value in self.files.values.get(current["report_id"], {}).items():
                if code in INDICATOR_FIGURES:
                    figures[INDICATOR_FIGURES[code]] -= value
        for code, value in self.files.values.get(report["report_id"], {}).items():
            if code in INDICATOR_FIGURES:
                figures[INDICATOR_FIGURES[code]] += value
        self.effective[key] = report

    def validate_change(self, change: dict) -> None:
        instrument = self.files.instruments[change["instrument_id"]]
        sf = change["sf_influenced_eur"]
        total = sf + change["other_influenced_eur"]
        figures = self.figures[change["project_id"]]
        figures["policy_instruments_influenced"] += 1
        figures["policy_instruments_influenced_sf"] += (
            instrument["instrument_type"] in SF_INSTRUMENT_TYPES
        )
        figures["financial_impact_eur"] += total
        figures["financial_impact_sf_eur"] += sf
        if instrument["nuts2_code"] is not None:  # a national instrument is in no region
            self.region_changes[instrument["nuts2_code"]] += 1
            self.region_impact[instrument["nuts2_code"]] += total
        country = self.files.partners[instrument["partner_id"]]["country_code"]
        self.country_changes[country] += 1
        self.country_impact[country] += total
        self.country_impact_sf[country] += sf

    def validate_good_practice(self, good_practice: dict) -> None:
        self.figures[good_practice["project_id"]]["good_practices_validated"] += 1
        self.country_good_practices[good_practice["country_code"]] += 1


def _events(files: Files, live: dict[str, dict]) -> list[tuple[date, str, dict]]:
    """Every dated fact of the non-withdrawn projects, in date order."""
    events: list[tuple[date, str, dict]] = [(p["approved_on"], "project", p) for p in live.values()]
    events += [
        (r["approved_on"], "report", r)
        for r in files.reports.values()
        if r["project_id"] in live and r["status"] == "approved"
    ]
    events += [
        (c["validated_on"], "change", c)
        for c in files.changes.values()
        if c["project_id"] in live and c["status"] == "validated"
    ]
    events += [
        (g["validated_on"], "good_practice", g)
        for g in files.good_practices.values()
        if g["project_id"] in live and g["status"] == "validated"
    ]
    events.sort(key=lambda event: event[0])
    return events


def expected_marts(export_dir: Path | str, labels: Labels | None = None) -> Marts:
    """The rows every monitoring mart must hold for the export in `export_dir`."""
    files = read_files(export_dir)
    labels = labels or read_labels()
    names = labels.country_names
    live = {pid: p for pid, p in files.projects.items() if p["status"] != "withdrawn"}
    dates = as_of_dates(min(p["approved_on"] for p in files.projects.values()), files.exported_on)
    export_date = dates[-1] if dates else None  # E itself, as the last date is E
    eligible = files.eligible_regions

    # The spines: every key a dated mart has a row for on every date.
    regions = sorted(
        set(eligible)
        | {
            p["nuts2_code"]
            for p in files.partners.values()
            if p["project_id"] in live and p["nuts2_code"] is not None
        }
    )
    countries = sorted(
        {p["country_code"] for p in files.partners.values() if p["project_id"] in live}
        | {r["country_code"] for r in eligible.values()}
        | {
            g["country_code"]
            for g in files.good_practices.values()
            if g["project_id"] in live
            and g["status"] == "validated"
            and export_date is not None
            and g["validated_on"] <= export_date
        }
    )

    marts: Marts = {name: {} for name in MART_KEYS}
    state = Programme(files, live)
    events = iter(_events(files, live))
    pending = next(events, None)
    apply = {
        "project": lambda p: state.approve_project(p["project_id"]),
        "report": state.approve_report,
        "change": state.validate_change,
        "good_practice": state.validate_good_practice,
    }
    for d in dates:
        while pending is not None and pending[0] <= d:
            apply[pending[1]](pending[2])
            pending = next(events, None)
        _read_dated_marts(marts, d, state, files, live, regions, countries, names)
    if export_date is not None:
        _undated_marts(marts, export_date, files, live, labels)
        _progress_reports(marts, export_date, files, live)
    return marts


def _read_dated_marts(
    marts: Marts,
    d: date,
    state: Programme,
    files: Files,
    live: dict[str, dict],
    regions: list[str],
    countries: list[str],
    names: dict[str, str],
) -> None:
    """The rows of the dated marts on date d, from the state as of d."""
    eligible = files.eligible_regions

    # project_results: a project from its approval on, or earlier on a date where one of
    # its figures is not zero (a change validated before the project's approval).
    for pid, project in live.items():
        figures = state.figures[pid]
        if project["approved_on"] <= d or any(figures.values()):
            marts["project_results"][(d, pid)] = {
                "as_of_date": d,
                "project_id": pid,
                "project_acronym": project["acronym"],
                **figures,
                "progress_status": progress_status(project, d),
            }

    # headline_results: the programme's figures are the sums of the projects' own.
    involved = sum(1 for code in eligible if state.region_partners[code] > 0)
    headline = {
        "as_of_date": d,
        "projects": len(state.approved),
        **{
            figure: sum(
                (f[figure] for f in state.figures.values()),
                ZERO if figure.endswith("_eur") else 0,
            )
            for figure in PROJECT_FIGURES
        },
        "programme_budget_eur": files.programme["erdf_budget_eur"],
        "nuts2_regions_involved": involved,
        "nuts2_regions_eligible": len(eligible),
        "nuts2_coverage_pct": (
            (Decimal(100) * involved / Decimal(len(eligible))).quantize(TENTH, ROUND_HALF_UP)
            if eligible
            else None
        ),
    }
    marts["headline_results"][(d,)] = headline

    for code in regions:
        country = eligible[code]["country_code"] if code in eligible else code[:2]
        partners = state.region_partners[code]
        marts["regional_coverage_history"][(d, code)] = {
            "as_of_date": d,
            "nuts2_code": code,
            "country_code": country,
            "country_name": names.get(country),
            "region_name": eligible[code]["region_name"] if code in eligible else None,
            "is_eligible": code in eligible,
            "is_involved": partners > 0,
            "partners": partners,
            "projects": len(state.region_projects[code]),
            "lead_partners": state.region_leads[code],
            "policy_changes": state.region_changes[code],
            "financial_impact_eur": state.region_impact[code],
        }

    # country_results: regions by the eligible region's own country_code.
    regions_eligible = Counter(r["country_code"] for r in eligible.values())
    regions_involved = Counter(
        r["country_code"] for code, r in eligible.items() if state.region_partners[code] > 0
    )
    for code in countries:
        marts["country_results"][(d, code)] = {
            "as_of_date": d,
            "country_code": code,
            "country_name": names.get(code),
            "partners": state.country_partners[code],
            "projects": len(state.country_projects[code]),
            "regions_eligible": regions_eligible[code],
            "regions_involved": regions_involved[code],
            "policy_changes": state.country_changes[code],
            "financial_impact_eur": state.country_impact[code],
            "financial_impact_sf_eur": state.country_impact_sf[code],
            "good_practices_validated": state.country_good_practices[code],
        }


def _progress_reports(marts: Marts, e: date, files: Files, live: dict[str, dict]) -> None:
    """Every version of a non-withdrawn project's report submitted by E, as it stood at E;
    effective at E: the highest version of its project and period approved by E."""
    approved_by_e = {
        rid: r for rid, r in files.reports.items()
        if r["project_id"] in live and r["status"] == "approved" and r["approved_on"] <= e
    }  # fmt: skip
    highest: dict[tuple, int] = {}
    for r in approved_by_e.values():
        period = (r["project_id"], r["period_no"])
        highest[period] = max(highest.get(period, 0), r["version"])
    for rid, r in files.reports.items():
        project = live.get(r["project_id"])
        if project is None or r["submitted_on"] > e:
            continue
        approved = rid in approved_by_e
        marts["progress_reports"][(rid,)] = {
            "report_id": rid,
            "project_id": r["project_id"],
            "project_acronym": project["acronym"],
            "period_no": r["period_no"],
            "period_start_on": r["period_start"],
            "period_end_on": r["period_end"],
            "version": r["version"],
            "status": "approved"
            if approved
            else "submitted"
            if r["status"] == "approved"
            else r["status"],
            "submitted_on": r["submitted_on"],
            "approved_on": r["approved_on"] if approved else None,
            "approval_days": (r["approved_on"] - r["submitted_on"]).days if approved else None,
            "is_effective_at_export": approved
            and highest[(r["project_id"], r["period_no"])] == r["version"],
        }


def _undated_marts(
    marts: Marts, e: date, files: Files, live: dict[str, dict], labels: Labels
) -> None:
    """The undated marts: the data as of the export's date E."""
    names = labels.country_names
    eligible = files.eligible_regions

    def region_name(code: str | None) -> str | None:
        return eligible[code]["region_name"] if code in eligible else None

    # regional_coverage: the history at E, of the regions eligible or with a partner then (a
    # region whose only partners belong to projects approved after E has no row).
    columns = ("nuts2_code", "country_code", "country_name", "region_name", "is_eligible",
               "partners", "projects", "lead_partners", "policy_changes")  # fmt: skip
    for (d, code), row in marts["regional_coverage_history"].items():
        if d == e and (row["is_eligible"] or row["partners"] > 0):
            marts["regional_coverage"][(code,)] = {c: row[c] for c in columns}

    # projects: approved by E, with all their partners and their results at E.
    partners_of: dict[str, list[dict]] = defaultdict(list)
    for partner in files.partners.values():
        partners_of[partner["project_id"]].append(partner)
    for pid, p in live.items():
        if p["approved_on"] > e:
            continue
        results = marts["project_results"].get((e, pid), _zero_figures())
        (lead,) = [x for x in partners_of[pid] if x["role"] == "lead"]
        marts["projects"][(pid,)] = {
            **{c: p[c] for c in ("project_id", "acronym", "title", "priority_axis")},
            "priority_axis_label": labels.priority_axes.get(p["priority_axis"]),
            **{
                c: p[c]
                for c in (
                    "call_no",
                    "status",
                    "approved_on",
                    "start_date",
                    "end_date",
                    "total_budget_eur",
                    "erdf_eur",
                    "website",
                )
            },  # fmt: skip
            "status_label": labels.project_statuses.get(p["status"]),
            "partners": len(partners_of[pid]),
            "countries": len({x["country_code"] for x in partners_of[pid]}),
            "lead_partner_name": lead["organisation_name"],
            "lead_partner_country_code": lead["country_code"],
            "lead_partner_country_name": names.get(lead["country_code"]),
            "lead_partner_nuts2_code": lead["nuts2_code"],
            "lead_partner_region_name": region_name(lead["nuts2_code"]),
            **{f: results[f] for f in PROJECT_FIGURES},
        }

    # partners: of the projects approved by E.
    for partner in files.partners.values():
        project = live.get(partner["project_id"])
        if project is None or project["approved_on"] > e:
            continue
        marts["partners"][(partner["partner_id"],)] = {
            "partner_id": partner["partner_id"],
            "project_id": partner["project_id"],
            "project_acronym": project["acronym"],
            "organisation_name": partner["organisation_name"],
            "organisation_name_en": partner["organisation_name_en"],
            "role": partner["role"],
            "role_label": labels.partner_roles.get(partner["role"]),
            "is_lead_partner": partner["role"] == "lead",
            "legal_status": partner["legal_status"],
            "legal_status_label": labels.legal_statuses.get(partner["legal_status"]),
            "country_code": partner["country_code"],
            "country_name": names.get(partner["country_code"]),
            "nuts2_code": partner["nuts2_code"],
            "region_name": region_name(partner["nuts2_code"]),
            "is_in_programme_area": partner["nuts2_code"] in eligible,
            "budget_eur": partner["budget_eur"],
            "erdf_eur": partner["erdf_eur"],
            "project_approved_on": project["approved_on"],
        }

    # policy_changes: validated by E (whatever the project's approval date).
    for change in files.changes.values():
        project = live.get(change["project_id"])
        if project is None or change["status"] != "validated" or change["validated_on"] > e:
            continue
        instrument = files.instruments[change["instrument_id"]]
        partner = files.partners[instrument["partner_id"]]
        sf, other = change["sf_influenced_eur"], change["other_influenced_eur"]
        marts["policy_changes"][(change["change_id"],)] = {
            "change_id": change["change_id"],
            "project_id": change["project_id"],
            "project_acronym": project["acronym"],
            "partner_id": instrument["partner_id"],
            "organisation_name": partner["organisation_name"],
            "country_code": partner["country_code"],
            "country_name": names.get(partner["country_code"]),
            "nuts2_code": instrument["nuts2_code"],
            "region_name": region_name(instrument["nuts2_code"]),
            "instrument_id": change["instrument_id"],
            "instrument_name": instrument["name"],
            "instrument_type": instrument["instrument_type"],
            "instrument_type_label": labels.instrument_types.get(instrument["instrument_type"]),
            "is_structural_funds": instrument["instrument_type"] in SF_INSTRUMENT_TYPES,
            "change_type": change["change_type"],
            "change_type_label": labels.change_types.get(change["change_type"]),
            "description": change["description"],
            "sf_influenced_eur": sf,
            "other_influenced_eur": other,
            "total_influenced_eur": sf + other,
            "validated_on": change["validated_on"],
        }

    # good_practices: those that exist at E (submitted by E, or validated by E), with their
    # status as of E: one validated after E is still 'submitted' there.
    for gp in files.good_practices.values():
        project = live.get(gp["project_id"])
        if project is None:
            continue
        validated_by_e = gp["status"] == "validated" and gp["validated_on"] <= e
        if not (gp["submitted_on"] <= e or validated_by_e):
            continue
        if validated_by_e:
            status = "validated"
        elif gp["status"] == "validated":
            status = "submitted"
        else:
            status = gp["status"]
        partner = files.partners.get(gp["partner_id"])
        if partner is not None and partner["project_id"] not in live:
            partner = None
        marts["good_practices"][(gp["good_practice_id"],)] = {
            "good_practice_id": gp["good_practice_id"],
            "project_id": gp["project_id"],
            "project_acronym": project["acronym"],
            "partner_id": gp["partner_id"],
            "organisation_name": partner["organisation_name"] if partner else None,
            "country_code": gp["country_code"],
            "country_name": names.get(gp["country_code"]),
            "nuts2_code": partner["nuts2_code"] if partner else None,
            "region_name": region_name(partner["nuts2_code"]) if partner else None,
            "title": gp["title"],
            "status": status,
            "submitted_on": gp["submitted_on"],
            "validated_on": gp["validated_on"] if validated_by_e else None,
        }


__all__ = [
    "MART_KEYS",
    "PROJECT_FIGURES",
    "Files",
    "Labels",
    "Marts",
    "expected_marts",
    "good_practices_per_country",
    "live_partners",
    "load_export",
    "partners_per_country",
    "partners_per_region",
    "progress_status",
    "project_results",
    "read_files",
    "read_labels",
    "regions_involved",
]

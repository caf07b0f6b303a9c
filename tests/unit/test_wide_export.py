"""The wide export (tools/samples/wide_export.py): every case contract v1 allows, and the
pipeline accepts every row of it.

The bundled sample is one programme in one byte shape; exports made by others to the
letter of the contract were wider, and broke the pipeline. The wide export is random but
always valid to the contract. What it must contain is specified here, case by case: each
case has a detector that reads the files with the csv module alone (never the generator's
code), so a case the generator stops making fails by name, on every seed.

SEEDS: 0, 4 and 8 between them put the export day on a month end, the 1st and mid-month,
and use NUTS 2013, 2016 and 2021; SAMPLE_SEED=<n> in the environment adds a seed.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from pipelines.sources.monitoring import validate
from schemas.monitoring_contract import MONITORING
from tools.samples import monitoring, wide_export

SEEDS = [0, 4, 8] + ([int(os.environ["SAMPLE_SEED"])] if os.environ.get("SAMPLE_SEED") else [])
HEADLINE_CODES = ("O1", "O2", "O3", "O4")
DAY = timedelta(days=1)


# ----------------------------------------------------------------------------- reading an export


@dataclass
class Export:
    """An export as the csv module reads it: every value text, "" for an empty field."""

    manifest: dict
    day: date  # the date of exported_at
    raw: dict[str, bytes]
    rows: dict[str, list[dict[str, str]]]

    def live(self, name: str) -> list[dict[str, str]]:
        """The rows of `name` that belong to projects that are not withdrawn."""
        withdrawn = self.project_ids("withdrawn")
        return [r for r in self.rows[name] if r["project_id"] not in withdrawn]

    def project_ids(self, status: str) -> set[str]:
        return {p["project_id"] for p in self.rows["projects.csv"] if p["status"] == status}

    def header(self, name: str) -> list[str]:
        return list(self.rows[name][0]) if self.rows[name] else []

    def header_line(self, name: str) -> bytes:
        return self.raw[name].removeprefix(b"\xef\xbb\xbf").split(b"\n", 1)[0].rstrip(b"\r")


def read_export(folder: Path) -> Export:
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    raw = {name: (folder / name).read_bytes() for name in MONITORING.file_names}
    rows = {
        name: list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))
        for name, data in raw.items()
    }
    return Export(manifest, date.fromisoformat(manifest["exported_at"][:10]), raw, rows)


@pytest.fixture(scope="module")
def exports(tmp_path_factory):
    """generate(seed, scale) once per module: the folder it wrote."""
    made: dict[tuple[int, float], Path] = {}

    def get(seed: int, scale: float = 0.05) -> Path:
        if (seed, scale) not in made:
            folder = tmp_path_factory.mktemp(f"wide_{seed}_{scale}")
            wide_export.generate(folder, seed=seed, scale=scale)
            made[seed, scale] = folder
        return made[seed, scale]

    return get


# ----------------------------------------------------------------------------- helpers


def day_of(value: str) -> date | None:
    return date.fromisoformat(value) if value else None


def month_end(d: date) -> date:
    return (d.replace(day=28) + 4 * DAY).replace(day=1) - DAY


def windows_after(day: date) -> list[tuple[date, date]]:
    """Days after the export in its own month (none if it is a month end: no day of its
    month comes after it), and the days of the next month."""
    end = month_end(day)
    same_month = [(day + DAY, end)] if day < end else []
    return [*same_month, (end + DAY, month_end(end + DAY))]


def within(value: str, window: tuple[date, date]) -> bool:
    return bool(value) and window[0] <= date.fromisoformat(value) <= window[1]


def periods(x: Export) -> list[list[dict[str, str]]]:
    """The versions of each (project, period) of live projects, by version number."""
    found: dict[tuple[str, str], list[dict[str, str]]] = {}
    for report in x.live("progress_reports.csv"):
        found.setdefault((report["project_id"], int(report["period_no"])), []).append(report)
    return [sorted(v, key=lambda r: int(r["version"])) for v in found.values()]


def approved_pairs(x: Export):
    """(lower, higher) approved versions of one period of a live project."""
    for versions in periods(x):
        approved = [v for v in versions if v["status"] == "approved"]
        for i, lower in enumerate(approved):
            for higher in approved[i + 1 :]:
                yield lower, higher


def validated_on(rows: list[dict[str, str]]) -> list[str]:
    return [r["validated_on"] for r in rows if r["status"] == "validated"]


def decimals(value: str) -> int:
    return len(value.partition(".")[2])


AMOUNTS = {
    "projects.csv": ("total_budget_eur", "erdf_eur"),
    "partners.csv": ("budget_eur", "erdf_eur"),
    "policy_changes.csv": ("sf_influenced_eur", "other_influenced_eur"),
}
SCRIPTS = {
    "Greek": r"[\u0370-\u03ff]",
    "Cyrillic": r"[\u0400-\u04ff]",
    "Polish": r"[ąćęłńśźżĄĆĘŁŃŚŹŻ]",
    "Nordic": r"[æøåÆØÅ]",
}
TEXT_COLUMNS = {
    "partners.csv": "organisation_name",
    "projects.csv": "title",
    "policy_changes.csv": "description",
    "policy_instruments.csv": "name",
}


# ----------------------------------------------------------------------------- the cases

CASES: dict[str, Callable[[Export], bool]] = {}


def case(detector: Callable[[Export], bool]) -> Callable[[Export], bool]:
    CASES[detector.__name__] = detector
    return detector


@case
def exported_at_is_a_utc_timestamp_with_a_time_of_day(x: Export) -> bool:
    return re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", x.manifest["exported_at"]) is not None


@case
def rows_are_dated_on_the_export_day(x: Export) -> bool:
    day = x.day.isoformat()
    return (
        any(r["approved_on"] == day for r in x.rows["progress_reports.csv"])
        and day in validated_on(x.rows["policy_changes.csv"])
        and day in validated_on(x.rows["good_practices.csv"])
    )


@case
def report_versions_are_submitted_and_approved_after_the_export(x: Export) -> bool:
    reports = x.rows["progress_reports.csv"]
    return all(
        any(within(r["submitted_on"], w) and within(r["approved_on"], w) for r in reports)
        for w in windows_after(x.day)
    )


@case
def policy_changes_are_validated_after_the_export(x: Export) -> bool:
    validated = validated_on(x.rows["policy_changes.csv"])
    return all(any(within(v, w) for v in validated) for w in windows_after(x.day))


@case
def good_practices_are_submitted_and_validated_after_the_export(x: Export) -> bool:
    practices = x.rows["good_practices.csv"]
    return all(
        any(within(g["submitted_on"], w) and within(g["validated_on"], w) for g in practices)
        for w in windows_after(x.day)
    )


@case
def a_project_is_approved_after_the_export(x: Export) -> bool:
    return any(day_of(p["approved_on"]) > x.day for p in x.rows["projects.csv"])


@case
def a_later_version_is_approved_after_a_month_end(x: Export) -> bool:
    """v1 counts at a month end, v2 (approved in the next month, by the export) after it."""
    return any(
        day_of(lower["approved_on"]) <= day_of(higher["approved_on"]).replace(day=1) - DAY
        and day_of(higher["approved_on"]) <= x.day
        for lower, higher in approved_pairs(x)
    )


@case
def a_later_version_is_approved_after_the_export(x: Export) -> bool:
    return any(
        day_of(lower["approved_on"]) <= x.day < day_of(higher["approved_on"])
        for lower, higher in approved_pairs(x)
    )


@case
def a_higher_version_is_approved_before_a_lower_one(x: Export) -> bool:
    return any(higher["approved_on"] < lower["approved_on"] for lower, higher in approved_pairs(x))


@case
def rejected_and_submitted_versions_follow_an_approved_one(x: Export) -> bool:
    for versions in periods(x):
        statuses = [v["status"] for v in versions]
        if "approved" in statuses:
            later = statuses[statuses.index("approved") + 1 :]
            if "rejected" in later and "submitted" in later:
                return True
    return False


@case
def a_withdrawn_project_has_everything(x: Export) -> bool:
    """Partners and a lead, approved reports with values, instruments, validated changes
    and validated good practices: all of which the headline must leave out."""
    valued = {v["report_id"] for v in x.rows["indicator_values.csv"]}
    for pid in x.project_ids("withdrawn"):

        def of(name: str, pid: str = pid) -> list[dict[str, str]]:
            return [r for r in x.rows[name] if r["project_id"] == pid]

        partners, reports = of("partners.csv"), of("progress_reports.csv")
        if (
            len(partners) >= 2
            and [p["role"] for p in partners].count("lead") == 1
            and any(r["status"] == "approved" and r["report_id"] in valued for r in reports)
            and of("policy_instruments.csv")
            and validated_on(of("policy_changes.csv"))
            and validated_on(of("good_practices.csv"))
        ):
            return True
    return False


@case
def an_eligible_region_is_reached_by_a_withdrawn_project_alone(x: Export) -> bool:
    withdrawn = x.project_ids("withdrawn")
    reached: dict[str, set[bool]] = {}
    for p in x.rows["partners.csv"]:
        reached.setdefault(p["nuts2_code"], set()).add(p["project_id"] in withdrawn)
    return any(reached.get(r["nuts2_code"]) == {True} for r in x.rows["eligible_regions.csv"])


@case
def a_partner_has_no_region(x: Export) -> bool:
    return any(p["nuts2_code"] == "" for p in x.live("partners.csv"))


@case
def a_partner_has_a_code_of_another_nuts_version(x: Export) -> bool:
    """Not eligible, though its country has eligible regions."""
    eligible = {r["nuts2_code"] for r in x.rows["eligible_regions.csv"]}
    countries = {code[:2] for code in eligible}
    return any(
        p["nuts2_code"] and p["nuts2_code"] not in eligible and p["nuts2_code"][:2] in countries
        for p in x.live("partners.csv")
    )


@case
def a_partner_is_outside_the_programme_area(x: Export) -> bool:
    countries = {r["country_code"] for r in x.rows["eligible_regions.csv"]}
    return any(
        p["nuts2_code"] and p["nuts2_code"][:2] not in countries for p in x.live("partners.csv")
    )


@case
def national_structural_funds_instruments_have_validated_changes(x: Export) -> bool:
    """growth_and_jobs and etc instruments without a territory, each validated changed."""
    changed = {c["instrument_id"] for c in x.rows["policy_changes.csv"] if c["validated_on"]}
    national = {
        i["instrument_type"]
        for i in x.live("policy_instruments.csv")
        if i["nuts2_code"] == "" and i["instrument_id"] in changed
    }
    return {"growth_and_jobs", "etc"} <= national


@case
def a_good_practice_is_validated_two_years_after_submission(x: Export) -> bool:
    return any(
        day_of(g["validated_on"]) - day_of(g["submitted_on"]) >= 730 * DAY
        for g in x.live("good_practices.csv")
        if g["validated_on"]
    )


@case
def a_good_practice_is_validated_before_it_was_submitted(x: Export) -> bool:
    return any(
        g["validated_on"] and g["validated_on"] < g["submitted_on"]
        for g in x.rows["good_practices.csv"]
    )


@case
def a_policy_change_is_validated_before_its_project_was_approved(x: Export) -> bool:
    approved = {p["project_id"]: p["approved_on"] for p in x.rows["projects.csv"]}
    return any(
        c["validated_on"] and c["validated_on"] < approved[c["project_id"]]
        for c in x.rows["policy_changes.csv"]
    )


@case
def amounts_have_0_1_and_2_decimals(x: Export) -> bool:
    return all(
        {decimals(r[c]) for r in x.rows[name] for c in columns} == {0, 1, 2}
        for name, columns in AMOUNTS.items()
    )


@case
def zero_amounts_are_written_0_and_0_00(x: Export) -> bool:
    return all(
        {"0", "0.00"} <= {r[c] for r in x.rows[name] for c in AMOUNTS[name]}
        for name in ("partners.csv", "policy_changes.csv")
    )


@case
def erdf_equals_the_budget(x: Export) -> bool:
    return all(
        any(Decimal(r[erdf]) == Decimal(r[budget]) for r in x.rows[name])
        for name, (budget, erdf) in (
            ("projects.csv", AMOUNTS["projects.csv"]),
            ("partners.csv", AMOUNTS["partners.csv"]),
        )
    )


@case
def codes_beyond_o1_to_o4_have_values(x: Export) -> bool:
    codes = {
        v["indicator_code"]
        for v in x.rows["indicator_values.csv"]
        if v["indicator_code"] not in HEADLINE_CODES and int(v["value"]) > 0
    }
    return "O5" in codes and len(codes) >= 2


@case
def a_headline_value_of_an_approved_report_is_0(x: Export) -> bool:
    approved = {r["report_id"] for r in x.live("progress_reports.csv") if r["approved_on"]}
    return any(
        v["report_id"] in approved and v["indicator_code"] in HEADLINE_CODES and v["value"] == "0"
        for v in x.rows["indicator_values.csv"]
    )


@case
def a_project_approved_by_the_export_has_no_reports(x: Export) -> bool:
    reported = {r["project_id"] for r in x.rows["progress_reports.csv"]}
    return any(
        p["project_id"] not in reported and day_of(p["approved_on"]) <= x.day
        for p in x.rows["projects.csv"]
        if p["status"] != "withdrawn"
    )


@case
def a_project_has_only_its_lead(x: Export) -> bool:
    roles: dict[str, list[str]] = {}
    for p in x.live("partners.csv"):
        roles.setdefault(p["project_id"], []).append(p["role"])
    return ["lead"] in roles.values()


@case
def a_project_has_reports_none_of_them_approved(x: Export) -> bool:
    statuses: dict[str, set[str]] = {}
    for r in x.live("progress_reports.csv"):
        statuses.setdefault(r["project_id"], set()).add(r["status"])
    return any("approved" not in s for s in statuses.values())


@case
def names_in_four_scripts_hold_commas_quotes_and_line_breaks(x: Export) -> bool:
    """In organisation names, titles, descriptions and instrument names: Greek, Cyrillic,
    Polish and Nordic names with a comma, a double quote and a line break (CR LF in some,
    LF alone in others) inside the field."""
    for name, column in TEXT_COLUMNS.items():
        values = [r[column] for r in x.rows[name]]
        tricky = [v for v in values if "," in v and '"' in v and "\n" in v]
        if not all(any(re.search(s, v) for v in tricky) for s in SCRIPTS.values()):
            return False
        if not any("\r\n" in v for v in tricky) or not any(
            re.search(r"(?<!\r)\n", v) for v in tricky
        ):
            return False
    return True


def both_ways(x: Export, has: Callable[[str], bool]) -> bool:
    """Some files have it and some do not."""
    return {has(name) for name in MONITORING.file_names} == {True, False}


@case
def some_files_start_with_a_bom(x: Export) -> bool:
    return both_ways(x, lambda name: x.raw[name].startswith(b"\xef\xbb\xbf"))


@case
def some_files_end_lines_with_crlf_and_others_with_lf(x: Export) -> bool:
    return both_ways(x, lambda name: x.raw[name].split(b"\n", 1)[0].endswith(b"\r"))


@case
def some_files_have_their_columns_reordered(x: Export) -> bool:
    def reordered(name: str) -> bool:
        contract = MONITORING.file(name).column_names
        return tuple(c for c in x.header(name) if c in contract) != contract

    return both_ways(x, reordered)


@case
def some_files_have_extra_columns(x: Export) -> bool:
    return both_ways(
        x, lambda name: bool(set(x.header(name)) - set(MONITORING.file(name).column_names))
    )


@case
def some_files_quote_every_field_and_others_only_where_needed(x: Export) -> bool:
    every_field = re.compile(rb'"(?:[^"]|"")*"(?:,"(?:[^"]|"")*")*')
    return both_ways(x, lambda name: every_field.fullmatch(x.header_line(name)) is not None)


@case
def some_files_end_with_a_line_end_and_others_without(x: Export) -> bool:
    return both_ways(x, lambda name: x.raw[name].endswith(b"\n"))


@case
def region_codes_are_nuts_2_codes_of_the_nuts_version(x: Export) -> bool:
    (programme,) = x.rows["programme.csv"]
    regions = x.rows["eligible_regions.csv"]
    countries = {r["country_code"] for r in regions}
    return (
        int(programme["nuts_version"]) in (2013, 2016, 2021)
        and all(re.fullmatch(r"[A-Z]{2}[0-9A-Z]{2}", r["nuts2_code"]) for r in regions)
        and all(r["country_code"] == r["nuts2_code"][:2] for r in regions)
        and {"EL", "UK"} <= countries
        and not {"GR", "GB"} & countries
    )


@case
def integers_are_written_with_leading_zeros(x: Export) -> bool:
    """Integers are "digits only": 01 is 1."""
    return any(r["period_no"].startswith("0") for r in x.rows["progress_reports.csv"]) and any(
        len(v["value"]) > 1 and v["value"].startswith("0") for v in x.rows["indicator_values.csv"]
    )


@pytest.mark.parametrize("name", CASES)
@pytest.mark.parametrize("seed", SEEDS)
def test_every_case_is_in_the_export(exports, seed, name):
    assert CASES[name](read_export(exports(seed))), f"seed {seed}: no {name.replace('_', ' ')}"


# ----------------------------------------------------------------------------- across seeds


def test_the_seed_moves_the_export_day_the_nuts_version_the_rows_and_the_shapes(exports):
    read = [read_export(exports(seed)) for seed in (0, 4, 8)]
    days = [x.day for x in read]
    assert any(d == month_end(d) for d in days), "an export on a month end"
    assert any(d.day == 1 for d in days), "an export on the 1st"
    assert any(1 < d.day < month_end(d).day for d in days), "an export mid-month"
    versions = [x.rows["programme.csv"][0]["nuts_version"] for x in read]
    assert {int(v) for v in versions} == {2013, 2016, 2021}
    assert any(v.startswith("0") for v in versions), "a nuts_version written with a leading 0"
    withdrawn = [sorted(x.project_ids("withdrawn")) for x in read]
    shapes = [[x.raw[name][:3] + x.header_line(name) for name in sorted(x.raw)] for x in read]
    assert withdrawn[0] != withdrawn[1] or withdrawn[1] != withdrawn[2]
    assert shapes[0] != shapes[1] != shapes[2]


def test_the_same_seed_and_scale_give_the_same_bytes_and_another_seed_other_bytes(tmp_path):
    names = [*MONITORING.file_names, "manifest.json"]
    for folder, seed in (("a", -7), ("b", -7), ("c", -6)):
        wide_export.generate(tmp_path / folder, seed=seed, scale=0.05)
    for name in names:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    for name in ("projects.csv", "partners.csv", "progress_reports.csv", "manifest.json"):
        assert (tmp_path / "a" / name).read_bytes() != (tmp_path / "c" / name).read_bytes(), name


def test_scale_sets_the_number_of_projects(exports):
    assert len(read_export(exports(4, 0.05)).rows["projects.csv"]) == 13
    x = read_export(exports(4, 1.0))
    assert len(x.rows["projects.csv"]) == 258
    assert 1_700 <= len(x.rows["partners.csv"]) <= 2_300
    with pytest.raises(ValueError, match="at least 0.05"):
        wide_export.generate(Path("unused"), seed=1, scale=0.04)


# ----------------------------------------------------------------------------- the manifest


@pytest.mark.parametrize("seed", SEEDS)
def test_the_manifest_lists_every_file_with_its_hash_and_record_count(exports, seed):
    folder = exports(seed)
    x = read_export(folder)
    assert x.manifest["schema_version"] == "1"
    assert x.manifest["programme_id"] == x.rows["programme.csv"][0]["programme_id"]
    listed = {f["name"]: f for f in x.manifest["files"]}
    assert sorted(listed) == sorted(MONITORING.file_names)
    assert len(x.manifest["files"]) == len(listed)
    for name, entry in listed.items():
        assert entry["sha256"] == hashlib.sha256(x.raw[name]).hexdigest(), name
        assert entry["rows"] == len(x.rows[name]), name
    # Records, not lines: quoted fields span lines, so some files have more lines than rows.
    assert any(x.raw[n].count(b"\n") > listed[n]["rows"] + 1 for n in listed)


# ----------------------------------------------------------------------------- the pipeline


@pytest.mark.parametrize(
    ("seed", "scale", "path"),
    [(0, 0.05, "as run"), (4, 0.05, "as run"), (8, 0.05, "as run")]
    + [(4, 0.3, "as run"), (8, 0.3, "as run")]
    + [(s, 0.3, "as run") for s in SEEDS[3:]]
    + [(0, 0.05, "exact"), (4, 0.3, "exact")],
)
def test_the_pipeline_accepts_every_row(exports, monkeypatch, seed, scale, path):
    """validate_export quarantines nothing: as it runs (DuckDB's screen accepts most files
    whole) and with that fast path off, the exact parser and Pandera judging every file."""
    if path == "exact":
        monkeypatch.setattr(validate, "read_contract_csv_fast", lambda *args, **kwargs: None)
    folder = exports(seed, scale)
    x = read_export(folder)
    expected = {f["name"]: f["rows"] for f in x.manifest["files"]}
    validated = validate.validate_export({name: folder / name for name in expected}, expected)
    assert validated.rejected.empty, validated.summary()
    assert validated.row_counts == expected
    assert path == "as run" or not validated.fast_files
    # Extra columns are schema drift: reported, and fine.
    extra = {
        name: [h for h in x.header(name) if h not in MONITORING.file(name).column_names]
        for name in expected
    }
    assert validated.drift == {name: columns for name, columns in extra.items() if columns}


# ----------------------------------------------------------------------------- the command line


def test_the_sample_command_writes_the_wide_export_with_wide(tmp_path, exports):
    monitoring.main(["--wide", "--out", str(tmp_path / "cli"), "--seed", "4", "--scale", "0.05"])
    for name in [*MONITORING.file_names, "manifest.json"]:
        assert (tmp_path / "cli" / name).read_bytes() == (exports(4) / name).read_bytes()


def test_a_fractional_scale_needs_wide(tmp_path):
    with pytest.raises(SystemExit):
        monitoring.main(["--out", str(tmp_path), "--scale", "0.5"])

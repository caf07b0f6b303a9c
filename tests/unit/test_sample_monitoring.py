"""The synthetic monitoring sample and the reference implementation of the headline.

* tools/samples/monitoring.py is deterministic, and sample/monitoring is exactly what
  it generates (so the committed sample cannot drift from its generator);
* the sample follows the contract's shape, uses real NUTS 2016 codes and lands near the
  programme's published figures;
* tests/support/reference_headline.py follows the contract's definitions, checked on
  tiny hand-written exports where every figure can be worked out by hand.
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections import Counter
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from support.reference_headline import HEADLINE_KEYS, headline_as_of, headline_dates

from schemas.monitoring_contract import MONITORING
from tools.samples.monitoring import REGIONS_FILE, generate, refresh_programme_area

REPO_ROOT = Path(__file__).resolve().parents[2]
SAMPLE = REPO_ROOT / "sample" / "monitoring"
EXPORT_FILES = (*MONITORING.file_names, "manifest.json")
REGENERATE = "python -m tools.samples.monitoring --out sample/monitoring"


def read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def fresh(tmp_path_factory) -> Path:
    """The default sample, generated now."""
    folder = tmp_path_factory.mktemp("fresh")
    generate(folder)
    return folder


# ----------------------------------------------------------------------------- determinism


def test_the_same_seed_gives_the_same_bytes_and_another_seed_other_bytes(fresh, tmp_path):
    generate(tmp_path / "again", seed=2014)
    generate(tmp_path / "other", seed=2015)
    for name in EXPORT_FILES:
        assert (tmp_path / "again" / name).read_bytes() == (fresh / name).read_bytes(), name
    differing = [
        name
        for name in EXPORT_FILES
        if (tmp_path / "other" / name).read_bytes() != (fresh / name).read_bytes()
    ]
    assert "projects.csv" in differing and "manifest.json" in differing


def test_the_committed_sample_is_exactly_what_the_generator_makes(fresh):
    assert sorted(p.name for p in SAMPLE.iterdir()) == sorted(EXPORT_FILES)
    for name in EXPORT_FILES:
        assert (SAMPLE / name).read_bytes() == (fresh / name).read_bytes(), (
            f"sample/monitoring/{name} differs from the generator's output: run `{REGENERATE}`"
        )


def test_scale_multiplies_the_projects_and_keeps_ids_and_acronyms_unique(tmp_path):
    generate(tmp_path, scale=2)
    projects = read(tmp_path / "projects.csv")
    assert len(projects) == 2 * 262
    assert len({p["project_id"] for p in projects}) == len(projects)
    assert len({p["acronym"] for p in projects}) == len(projects)
    assert headline_as_of(tmp_path, date(2024, 5, 15))["action_plans"] == 2 * 1_701


def test_the_manifest_lists_every_file_with_its_hash_and_record_count():
    manifest = json.loads((SAMPLE / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["schema_version"] == "1"
    assert manifest["programme_id"] == "2014TC16RFIR001"
    assert manifest["exported_at"] == "2024-05-15T06:00:00Z"
    assert [f["name"] for f in manifest["files"]] == list(MONITORING.file_names)
    for entry in manifest["files"]:
        data = (SAMPLE / entry["name"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["sha256"], entry["name"]
        assert entry["rows"] == len(read(SAMPLE / entry["name"])), entry["name"]
        assert b"\r" not in data, f"{entry['name']}: LF line ends only"


# ----------------------------------------------------------------------------- the sample's shape


def test_the_files_have_the_contract_columns_in_the_contract_order():
    for spec in MONITORING.files:
        with (SAMPLE / spec.name).open(encoding="utf-8", newline="") as handle:
            assert tuple(next(csv.reader(handle))) == spec.column_names, spec.name


def test_the_sample_has_the_shape_of_the_programme():
    (programme,) = read(SAMPLE / "programme.csv")
    assert programme == {
        "programme_id": "2014TC16RFIR001",
        "programme_name": "Interreg Europe 2014-2020",
        "period": "2014-2020",
        "erdf_budget_eur": "359326000.00",
        "nuts_version": "2016",
    }
    projects = read(SAMPLE / "projects.csv")
    statuses = Counter(p["status"] for p in projects)
    assert statuses["withdrawn"] == 4 and len(projects) - statuses["withdrawn"] == 258
    assert statuses["closed"] > 200
    assert {p["call_no"] for p in projects} == {"1", "2", "3", "4"}
    assert {p["priority_axis"] for p in projects} == {"1", "2", "3", "4"}

    partners = read(SAMPLE / "partners.csv")
    assert 1_900 <= len(partners) <= 2_200
    assert len({p["country_code"] for p in partners}) == 30
    assert {"EL", "UK", "NO", "CH"} <= {p["country_code"] for p in partners}
    leads = Counter(p["project_id"] for p in partners if p["role"] == "lead")
    assert all(leads[p["project_id"]] == 1 for p in projects)
    null_share = sum(p["nuts2_code"] == "" for p in partners) / len(partners)
    assert 0.01 < null_share < 0.05

    instruments = read(SAMPLE / "policy_instruments.csv")
    assert 415 <= len(instruments) <= 527
    assert {i["instrument_type"] for i in instruments} == {"growth_and_jobs", "etc", "other"}
    assert 5_500 <= len(read(SAMPLE / "good_practices.csv")) <= 6_200


def test_the_sample_exercises_unicode_and_rfc4180_quoting():
    names = " ".join(p["organisation_name"] for p in read(SAMPLE / "partners.csv"))
    for letters in ("ά", "ή", "ц", "з", "ą", "ł", "ø", "å", "ä", "ö", "ș"):
        assert letters in names, letters
    texts = [
        value
        for name in ("projects.csv", "partners.csv", "policy_changes.csv", "good_practices.csv")
        for row in read(SAMPLE / name)
        for value in row.values()
    ]
    assert any("\n" in t for t in texts)
    assert any('"' in t for t in texts)
    assert any("," in t for t in texts)


def test_the_report_histories_cover_every_case_of_the_effective_report_rule():
    reports = read(SAMPLE / "progress_reports.csv")
    by_period: dict[tuple[str, str], list[dict]] = {}
    for r in reports:
        by_period.setdefault((r["project_id"], r["period_no"]), []).append(r)
    histories = Counter()
    for versions in by_period.values():
        statuses = [v["status"] for v in sorted(versions, key=lambda v: int(v["version"]))]
        if statuses.count("approved") >= 2:
            histories["superseded"] += 1
        if statuses[0] in ("rejected", "submitted") and "approved" in statuses:
            histories["approved after a rejected or stale version"] += 1
        if statuses[-1] == "rejected" and "approved" in statuses:
            histories["approved, then a rejected correction"] += 1
        if "approved" not in statuses:
            histories["never approved"] += 1
    assert all(
        histories[k] >= 5
        for k in (
            "superseded",
            "approved after a rejected or stale version",
            "approved, then a rejected correction",
            "never approved",
        )
    ), histories
    # Superseded versions carry other values than their successors.
    values: dict[str, dict[str, str]] = {}
    for v in read(SAMPLE / "indicator_values.csv"):
        values.setdefault(v["report_id"], {})[v["indicator_code"]] = v["value"]
    for versions in by_period.values():
        approved = [v["report_id"] for v in versions if v["status"] == "approved"]
        if len(approved) >= 2:
            assert values[approved[0]] != values[approved[-1]]


def test_withdrawn_projects_have_data_whose_exclusion_changes_the_figures():
    withdrawn = {
        p["project_id"] for p in read(SAMPLE / "projects.csv") if p["status"] == "withdrawn"
    }
    eligible = {r["nuts2_code"] for r in read(SAMPLE / "eligible_regions.csv")}
    partners = read(SAMPLE / "partners.csv")
    live_regions = {p["nuts2_code"] for p in partners if p["project_id"] not in withdrawn}
    withdrawn_regions = {p["nuts2_code"] for p in partners if p["project_id"] in withdrawn}
    assert (withdrawn_regions & eligible) - live_regions, "a region only withdrawn partners reach"
    for name in ("progress_reports.csv", "policy_changes.csv", "good_practices.csv"):
        rows = [r for r in read(SAMPLE / name) if r["project_id"] in withdrawn]
        assert rows, name
        if name != "progress_reports.csv":
            assert any(r["status"] == "validated" for r in rows), name


# ----------------------------------------------------------------------------- NUTS codes


def nuts2016_level2(shared_data: Path) -> set[str]:
    """Real NUTS 2016 level-2 codes: the Eurostat table (EU-28), GISCO's GeoJSON (NO, CH)."""
    table = read(shared_data / "nuts" / "nuts_codes_2013_2016_2021.csv")
    codes = {r["code"] for r in table if r["nuts_version"] == "2016" and r["level"] == "2"}
    geojson = json.loads(
        (shared_data / "nuts" / "NUTS_RG_60M_2016_4326_LEVL_2.geojson").read_text("utf-8")
    )
    codes |= {
        f["properties"]["NUTS_ID"]
        for f in geojson["features"]
        if f["properties"]["CNTR_CODE"] in ("NO", "CH")
    }
    return codes


@pytest.mark.shared_data
def test_the_programme_area_file_is_rebuilt_identically_from_shared_data(shared_data, tmp_path):
    rebuilt = tmp_path / "area.csv"
    assert refresh_programme_area(shared_data, rebuilt) == 295
    assert rebuilt.read_bytes() == REGIONS_FILE.read_bytes()


@pytest.mark.shared_data
def test_every_nuts_code_in_the_sample_is_a_real_nuts2016_level2_code(shared_data):
    real = nuts2016_level2(shared_data)
    regions = read(SAMPLE / "eligible_regions.csv")
    assert len(regions) == 295
    assert not [r for r in regions if r["nuts2_code"].endswith("ZZ")], "Extra-Regio excluded"
    assert all(r["country_code"] == r["nuts2_code"][:2] for r in regions)
    assert len({r["country_code"] for r in regions}) == 30
    used = {
        (name, row["nuts2_code"])
        for name in ("eligible_regions.csv", "partners.csv", "policy_instruments.csv")
        for row in read(SAMPLE / name)
        if row["nuts2_code"]
    }
    assert sorted(u for u in used if u[1] not in real) == []


# ----------------------------------------------------------------------------- published figures

# The programme's published results (docs/monitoring-export.md); None where not published.
PUBLISHED = {
    date(2022, 6, 30): {
        "policy_learning_events": 13_500,
        "good_practices_identified": 4_900,
        "good_practices_validated": None,
        "people_with_increased_capacity": 16_800,
        "action_plans": 1_158,
        "policy_instruments_influenced": 880,
        "policy_instruments_influenced_sf": 483,
        "financial_impact_eur": 1_295_000_000,
        "financial_impact_sf_eur": 1_076_000_000,
    },
    date(2023, 3, 31): {
        "policy_learning_events": 15_000,
        "good_practices_identified": 5_500,
        "good_practices_validated": 3_100,
        "people_with_increased_capacity": 21_600,
        "action_plans": 1_626,
        "policy_instruments_influenced": 1_016,
        "policy_instruments_influenced_sf": 525,
        "financial_impact_eur": 1_341_000_000,
        "financial_impact_sf_eur": 1_104_000_000,
    },
    date(2024, 5, 15): {  # after closure: the export date
        "policy_learning_events": 16_000,
        "good_practices_identified": 5_800,
        "good_practices_validated": 3_200,
        "people_with_increased_capacity": 22_400,
        "action_plans": 1_701,
        "policy_instruments_influenced": 1_290,
        "policy_instruments_influenced_sf": 633,
        "financial_impact_eur": 1_474_000_000,
        "financial_impact_sf_eur": 1_186_000_000,
    },
}


def test_the_time_series_runs_from_the_first_approval_to_the_export_date():
    dates = headline_dates(SAMPLE)
    assert dates[0] == date(2016, 3, 31)
    assert dates[-1] == date(2024, 5, 15)
    assert len(dates) == 99


@pytest.mark.parametrize("as_of", sorted(PUBLISHED), ids=str)
def test_the_sample_lands_near_the_published_figures(as_of):
    figures = headline_as_of(SAMPLE, as_of)
    assert figures["projects"] == 258
    assert figures["programme_budget_eur"] == Decimal("359326000.00")
    assert figures["nuts2_regions_eligible"] == 295
    assert Decimal("85.0") <= figures["nuts2_coverage_pct"] <= Decimal("92.0")
    for key, published in PUBLISHED[as_of].items():
        if published is not None:
            assert abs(figures[key] - published) <= published / 10, (key, figures[key], published)


# ----------------------------------------------------------------------------- the reference itself


class TinyExport:
    """A hand-written export: rows given by their meaningful columns, the rest defaulted."""

    def __init__(self, regions: tuple[str, ...] = ("AT11", "AT12", "AT13", "AT21")) -> None:
        self.rows: dict[str, list[dict]] = {name: [] for name in MONITORING.file_names}
        self.rows["programme.csv"].append(
            {
                "programme_id": "2014TC16RFIR001",
                "programme_name": "Test",
                "period": "2014-2020",
                "erdf_budget_eur": "359326000",
                "nuts_version": "2016",
            }
        )
        for code in regions:
            self.add(
                "eligible_regions.csv", nuts2_code=code, country_code=code[:2], region_name=code
            )
        for code in ("O1", "O2", "O3", "O4", "O5"):
            self.add("indicators.csv", indicator_code=code, name=code, unit="n", kind="output")

    def add(self, file: str, /, **row: object) -> None:
        self.rows[file].append({k: "" if v is None else str(v) for k, v in row.items()})

    def project(self, project_id: str, approved_on: str, status: str = "approved") -> None:
        self.add(
            "projects.csv",
            project_id=project_id,
            acronym=project_id,
            title="t",
            priority_axis=1,
            call_no=1,
            status=status,
            approved_on=approved_on,
            start_date=approved_on,
            end_date="2023-12-31",
            total_budget_eur="1000.00",
            erdf_eur="850.00",
        )

    def partner(self, project_id: str, no: int, nuts2: str | None) -> None:
        self.add(
            "partners.csv",
            partner_id=f"{project_id}-P{no:02d}",
            project_id=project_id,
            organisation_name="o",
            role="lead" if no == 1 else "partner",
            legal_status="public",
            country_code=(nuts2 or "AT")[:2],
            nuts2_code=nuts2,
            budget_eur="100.00",
            erdf_eur="85.00",
        )

    def report(
        self,
        project_id: str,
        period: int,
        version: int,
        status: str,
        approved_on: str | None = None,
        **values: int,
    ) -> str:
        report_id = f"{project_id}-{period}-{version}"
        self.add(
            "progress_reports.csv",
            report_id=report_id,
            project_id=project_id,
            period_no=period,
            period_start="2020-01-01",
            period_end="2020-06-30",
            version=version,
            status=status,
            submitted_on="2020-07-01",
            approved_on=approved_on,
        )
        for code, value in values.items():
            self.add("indicator_values.csv", report_id=report_id, indicator_code=code, value=value)
        return report_id

    def instrument(self, instrument_id: str, project_id: str, kind: str) -> None:
        self.add(
            "policy_instruments.csv",
            instrument_id=instrument_id,
            project_id=project_id,
            partner_id=f"{project_id}-P01",
            name="i",
            instrument_type=kind,
        )

    def change(
        self,
        instrument_id: str,
        project_id: str,
        status: str,
        validated_on: str | None,
        sf: str = "0.00",
        other: str = "0.00",
    ) -> None:
        number = len(self.rows["policy_changes.csv"]) + 1
        self.add(
            "policy_changes.csv",
            change_id=f"C{number}",
            instrument_id=instrument_id,
            project_id=project_id,
            report_id=f"{project_id}-1-1",
            change_type="management",
            description="d",
            sf_influenced_eur=sf,
            other_influenced_eur=other,
            status=status,
            validated_on=validated_on,
        )

    def good_practice(self, project_id: str, status: str, validated_on: str | None) -> None:
        number = len(self.rows["good_practices.csv"]) + 1
        self.add(
            "good_practices.csv",
            good_practice_id=f"G{number}",
            project_id=project_id,
            partner_id=f"{project_id}-P01",
            title="g",
            country_code="AT",
            submitted_on="2020-01-01",
            status=status,
            validated_on=validated_on,
        )

    def write(
        self,
        folder: Path,
        exported_at: str = "2021-06-15T06:00:00Z",
        *,
        bom: bool = False,
        crlf: bool = False,
        reverse_columns: bool = False,
    ) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        files = []
        for spec in MONITORING.files:
            header = (
                list(reversed(spec.column_names)) if reverse_columns else list(spec.column_names)
            )
            path = folder / spec.name
            with path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as handle:
                writer = csv.DictWriter(
                    handle, header, restval="", lineterminator="\r\n" if crlf else "\n"
                )
                writer.writeheader()
                writer.writerows(self.rows[spec.name])
            files.append({"name": spec.name, "sha256": "", "rows": len(self.rows[spec.name])})
        (folder / "manifest.json").write_text(
            json.dumps(
                {
                    "schema_version": "1",
                    "programme_id": "2014TC16RFIR001",
                    "exported_at": exported_at,
                    "files": files,
                }
            ),
            encoding="utf-8",
        )
        return folder


@pytest.fixture
def tiny() -> TinyExport:
    """One live project P1 (approved 2020-01-15) with its lead in AT11."""
    export = TinyExport()
    export.project("P1", "2020-01-15")
    export.partner("P1", 1, "AT11")
    return export


def test_a_later_approved_version_supersedes_an_earlier_one(tiny, tmp_path):
    tiny.report("P1", 1, 1, "approved", "2020-03-01", O1=5, O2=1, O3=10, O4=0)
    tiny.report("P1", 1, 2, "approved", "2020-06-01", O1=7, O2=2, O3=12, O4=1)
    folder = tiny.write(tmp_path)
    assert headline_as_of(folder, date(2020, 2, 29))["policy_learning_events"] == 0
    before = headline_as_of(folder, date(2020, 5, 31))
    assert [
        before[k]
        for k in (
            "policy_learning_events",
            "good_practices_identified",
            "people_with_increased_capacity",
            "action_plans",
        )
    ] == [5, 1, 10, 0]
    after = headline_as_of(folder, date(2020, 6, 1))  # approved_on <= D: the day itself counts
    assert [
        after[k]
        for k in (
            "policy_learning_events",
            "good_practices_identified",
            "people_with_increased_capacity",
            "action_plans",
        )
    ] == [7, 2, 12, 1]


def test_submitted_and_rejected_versions_never_count(tiny, tmp_path):
    tiny.report("P1", 1, 1, "approved", "2020-03-01", O1=5)
    tiny.report("P1", 1, 2, "rejected", None, O1=100)  # higher versions, never approved
    tiny.report("P1", 1, 3, "submitted", None, O1=1_000)
    tiny.report("P1", 2, 1, "rejected", None, O1=10_000)  # a period with no approved version
    tiny.report("P1", 2, 2, "submitted", None, O1=100_000)
    folder = tiny.write(tmp_path)
    assert headline_as_of(folder, date(2021, 6, 15))["policy_learning_events"] == 5


def test_the_highest_approved_version_wins_not_the_latest_approval(tiny, tmp_path):
    tiny.report("P1", 1, 1, "approved", "2020-05-01", O1=5)
    tiny.report("P1", 1, 2, "approved", "2020-04-01", O1=7)
    folder = tiny.write(tmp_path)
    assert headline_as_of(folder, date(2020, 4, 15))["policy_learning_events"] == 7
    assert headline_as_of(folder, date(2020, 5, 15))["policy_learning_events"] == 7


def test_a_version_approved_after_d_does_not_count(tiny, tmp_path):
    tiny.report("P1", 1, 1, "approved", "2020-03-01", O4=2)
    tiny.report("P1", 2, 1, "approved", "2021-01-10", O4=3)
    folder = tiny.write(tmp_path)
    assert headline_as_of(folder, date(2021, 1, 9))["action_plans"] == 2
    assert headline_as_of(folder, date(2021, 1, 10))["action_plans"] == 5


def test_withdrawn_projects_are_left_out_of_everything(tiny, tmp_path):
    tiny.project("P2", "2019-11-05", status="withdrawn")
    tiny.partner("P2", 1, "AT21")
    tiny.report("P2", 1, 1, "approved", "2020-03-01", O1=50, O2=5, O3=80, O4=4)
    tiny.good_practice("P2", "validated", "2020-04-01")
    tiny.instrument("I2", "P2", "growth_and_jobs")
    tiny.change("I2", "P2", "validated", "2020-04-01", sf="1000000.00", other="5.00")
    folder = tiny.write(tmp_path)
    figures = headline_as_of(folder, date(2021, 6, 15))
    assert figures["projects"] == 1
    assert figures["policy_learning_events"] == figures["action_plans"] == 0
    assert figures["good_practices_validated"] == 0
    assert (
        figures["policy_instruments_influenced"] == figures["policy_instruments_influenced_sf"] == 0
    )
    assert figures["financial_impact_eur"] == Decimal("0.00")
    assert figures["nuts2_regions_involved"] == 1  # AT11 only: AT21 is the withdrawn partner's
    # ...but the time series still starts with the withdrawn project's approval.
    assert headline_dates(folder)[0] == date(2019, 11, 30)


def test_late_validations_count_from_their_date_and_only_when_validated(tiny, tmp_path):
    tiny.good_practice("P1", "validated", "2021-03-01")
    tiny.good_practice("P1", "submitted", None)
    tiny.good_practice("P1", "rejected", None)
    tiny.instrument("I1", "P1", "growth_and_jobs")
    tiny.instrument("I2", "P1", "etc")
    tiny.instrument("I3", "P1", "other")
    tiny.change("I1", "P1", "validated", "2021-03-01", sf="0.10", other="0.20")
    tiny.change("I2", "P1", "validated", "2021-05-31", sf="1000.05", other="0.00")
    tiny.change("I3", "P1", "validated", "2021-03-01", sf="0.00", other="7.70")
    tiny.change("I1", "P1", "reported", None, sf="999.00")
    tiny.change("I1", "P1", "rejected", None, sf="999.00")
    folder = tiny.write(tmp_path)
    early = headline_as_of(folder, date(2021, 2, 28))
    assert early["good_practices_validated"] == early["policy_instruments_influenced"] == 0
    march = headline_as_of(folder, date(2021, 3, 1))
    assert march["good_practices_validated"] == 1
    assert (march["policy_instruments_influenced"], march["policy_instruments_influenced_sf"]) == (
        2,
        1,
    )
    assert march["financial_impact_eur"] == Decimal("8.00")  # 0.10 + 0.20 + 7.70, exactly
    assert march["financial_impact_sf_eur"] == Decimal("0.10")
    june = headline_as_of(folder, date(2021, 6, 15))
    assert (june["policy_instruments_influenced"], june["policy_instruments_influenced_sf"]) == (
        3,
        2,
    )
    assert june["financial_impact_eur"] == Decimal("1008.05")
    assert june["financial_impact_sf_eur"] == Decimal("1000.15")


def test_regions_outside_the_area_null_regions_and_later_projects_do_not_count(tiny, tmp_path):
    tiny.partner("P1", 2, "DE11")  # a real region, but outside this programme area
    tiny.partner("P1", 3, None)
    tiny.partner("P1", 4, "AT11")  # the same region twice counts once
    tiny.project("P3", "2022-01-01")
    tiny.partner("P3", 1, "AT12")
    folder = tiny.write(tmp_path, exported_at="2022-03-01T00:00:00Z")
    before = headline_as_of(folder, date(2021, 12, 31))
    assert (before["nuts2_regions_involved"], before["nuts2_regions_eligible"]) == (1, 4)
    assert before["nuts2_coverage_pct"] == Decimal("25.0")
    after = headline_as_of(folder, date(2022, 1, 1))
    assert (after["projects"], after["nuts2_regions_involved"]) == (2, 2)
    assert after["nuts2_coverage_pct"] == Decimal("50.0")


@pytest.mark.parametrize(
    ("eligible", "involved", "pct"),
    [
        (16, 1, "6.3"),
        (8, 1, "12.5"),
        (3, 2, "66.7"),
        (295, 264, "89.5"),
        (40, 1, "2.5"),
        (80, 1, "1.3"),
        (7, 0, "0.0"),
        (7, 7, "100.0"),
    ],
)
def test_the_coverage_is_rounded_half_up_to_one_decimal(tmp_path, eligible, involved, pct):
    export = TinyExport(regions=tuple(f"R{n:03d}" for n in range(eligible)))
    export.project("P1", "2020-01-15")
    for n in range(involved):
        export.partner("P1", n + 1, f"R{n:03d}")
    figures = headline_as_of(export.write(tmp_path), date(2021, 1, 31))
    assert figures["nuts2_coverage_pct"] == Decimal(pct)
    assert str(figures["nuts2_coverage_pct"]) == pct  # one decimal place, always


@pytest.mark.parametrize(
    ("exported_at", "last"),
    [
        ("2021-06-15T06:00:00Z", date(2021, 6, 15)),
        ("2021-06-30T23:59:00Z", date(2021, 6, 30)),
        ("2021-07-01T01:00:00+02:00", date(2021, 6, 30)),
    ],  # 2021-06-30 in UTC
)
def test_the_dates_are_month_ends_up_to_the_export(tiny, tmp_path, exported_at, last):
    tiny.project("P0", "2019-11-05", status="withdrawn")
    dates = headline_dates(tiny.write(tmp_path, exported_at=exported_at))
    assert dates[:3] == [date(2019, 11, 30), date(2019, 12, 31), date(2020, 1, 31)]
    assert dates[-2] == date(2021, 5, 31)
    assert dates[-1] == last
    assert len(dates) == 20


def test_files_are_read_by_header_name_whatever_the_bom_line_ends_and_order(tiny, tmp_path):
    tiny.report("P1", 1, 1, "approved", "2020-03-01", O1=5, O3=4)
    tiny.instrument("I1", "P1", "etc")
    tiny.change("I1", "P1", "validated", "2020-04-01", sf="12.34", other="0.66")
    plain = headline_as_of(tiny.write(tmp_path / "plain"), date(2021, 6, 15))
    odd = headline_as_of(
        tiny.write(tmp_path / "odd", bom=True, crlf=True, reverse_columns=True), date(2021, 6, 15)
    )
    assert plain == odd
    assert plain["financial_impact_eur"] == Decimal("13.00")


def test_the_figures_have_the_contract_keys_and_types(tiny, tmp_path):
    figures = headline_as_of(tiny.write(tmp_path), date(2021, 6, 15))
    assert tuple(figures) == HEADLINE_KEYS
    for key, value in figures.items():
        if key.endswith("_eur"):
            assert isinstance(value, Decimal) and value.as_tuple().exponent == -2, key
        elif key.endswith("_pct"):
            assert isinstance(value, Decimal) and value.as_tuple().exponent == -1, key
        else:
            assert type(value) is int, key
    assert figures["programme_budget_eur"] == Decimal("359326000.00")

"""The reference of every mart (tests/support/reference_marts.py), on an export small
enough to work out by hand: the contract-wide tests compare the marts with it, so it must
not agree with a wrong model by sharing its mistake.

The export (E = 2016-09-14: exported_at 2016-09-15T01:30+02:00 is 23:30 UTC the day before):

* ALPHA, approved 2016-03-15, runs 2016-04-01 to 2016-08-31. Period 1: v1 approved 06-10,
  v2 approved 08-05 (supersedes v1), v3 only submitted. Period 2: v2 approved 07-01, then
  v1 approved 07-20 (never effective). Period 3: approved after E.
* BETA, approved after E (2016-10-01): absent from projects and partners, yet its change
  validated 2016-07-20, before its approval, counts from July on.
* GAMMA, withdrawn, approved first (2016-01-10): the dates start in January, nothing else of
  it counts anywhere.
* Good practices: one validated 07-15; one exported as validated but validated after E
  (still 'submitted' at E); one submitted after E (absent); one validated (08-01) before its
  submission (09-10), of a country without a name in the seed (XX); a rejected one of BETA.
* Changes: C1 on a regional growth_and_jobs instrument, C2 on a national etc one validated
  on E itself, C3 validated after E, C4 only reported, C5 BETA's, C6 GAMMA's.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest
from support.exports import write_export
from support.reference_headline import headline_as_of
from support.reference_marts import expected_marts


def records(header: str, *rows: tuple) -> list[dict[str, str]]:
    names = header.split()
    return [
        dict(zip(names, (v if v is not None else "" for v in row), strict=True)) for row in rows
    ]


def project(pid, acronym, status, approved, start, end) -> tuple:
    return (pid, acronym, f"{acronym} title", "1", "1", status, approved, start, end,
            "1000000.00", "850000.00", "")  # fmt: skip


def partner(pid, n, role, country, nuts2) -> tuple:
    return (f"{pid}-P{n:02d}", pid, f"Organisation {pid[-1]}{n}", "", role, "public", country,
            nuts2, "", "", "100000.00", "85000.00")  # fmt: skip


def report(rid, pid, period, version, status, approved) -> tuple:
    return (rid, pid, period, "2016-04-01", "2016-09-30", version, status, "2016-06-01", approved)


def change(cid, instrument, pid, sf, other, status, validated) -> tuple:
    return (cid, instrument, pid, "R1", "management", f"change {cid}", sf, other, status,
            validated)  # fmt: skip


def good_practice(gid, pid, partner_id, country, submitted, status, validated) -> tuple:
    return (gid, pid, partner_id, f"practice {gid}", country, submitted, status, validated)


# fmt: off
FILES = {
    "programme.csv": records(
        "programme_id programme_name period erdf_budget_eur nuts_version",
        ("2014TC16RFIR001", "Interreg Europe", "2014-2020", "359326000.00", "2016"),
    ),
    "eligible_regions.csv": records(
        "nuts2_code country_code region_name",
        ("FR10", "FR", "Île-de-France"), ("EL30", "EL", "Αττική"),
        ("PL91", "PL", "Warszawski stołeczny"),
    ),
    "projects.csv": records(
        "project_id acronym title priority_axis call_no status approved_on start_date end_date"
        " total_budget_eur erdf_eur website",
        project("PGI00001", "ALPHA", "approved", "2016-03-15", "2016-04-01", "2016-08-31"),
        project("PGI00002", "BETA", "approved", "2016-10-01", "2016-11-01", "2019-10-31"),
        project("PGI00003", "GAMMA", "withdrawn", "2016-01-10", "2016-02-01", "2018-01-31"),
    ),
    "partners.csv": records(
        "partner_id project_id organisation_name organisation_name_en role legal_status"
        " country_code nuts2_code town postcode budget_eur erdf_eur",
        partner("PGI00001", 1, "lead", "FR", "FR10"),
        partner("PGI00001", 2, "partner", "EL", "EL30"),
        partner("PGI00001", 3, "partner", "NO", "NO01"),
        partner("PGI00002", 1, "lead", "AT", "AT13"),
        partner("PGI00002", 2, "partner", "EL", "EL30"),
        partner("PGI00003", 1, "lead", "PL", "PL91"),
    ),
    "progress_reports.csv": records(
        "report_id project_id period_no period_start period_end version status submitted_on"
        " approved_on",
        report("R1", "PGI00001", "1", "1", "approved", "2016-06-10"),
        report("R2", "PGI00001", "1", "2", "approved", "2016-08-05"),
        report("R3", "PGI00001", "1", "3", "submitted", None),
        report("R4", "PGI00001", "2", "2", "approved", "2016-07-01"),
        report("R5", "PGI00001", "2", "1", "approved", "2016-07-20"),
        report("R6", "PGI00001", "3", "1", "approved", "2016-09-20"),
        report("R7", "PGI00003", "1", "1", "approved", "2016-03-01"),
    ),
    "indicators.csv": records(
        "indicator_code name unit kind",
        *[(f"O{i}", f"indicator {i}", "number", "output") for i in range(1, 6)],
    ),
    "indicator_values.csv": records(
        "report_id indicator_code value",
        ("R1", "O1", "5"), ("R1", "O2", "2"), ("R1", "O5", "99"),
        ("R2", "O1", "7"), ("R2", "O2", "3"), ("R2", "O4", "1"),
        ("R3", "O1", "100"), ("R4", "O3", "10"), ("R5", "O3", "100"),
        ("R6", "O1", "1000"), ("R7", "O1", "500"),
    ),
    "policy_instruments.csv": records(
        "instrument_id project_id partner_id name instrument_type nuts2_code managing_authority",
        ("PI1", "PGI00001", "PGI00001-P01", "ROP Île-de-France", "growth_and_jobs", "FR10", ""),
        ("PI2", "PGI00001", "PGI00001-P02", "Interreg Greece-Italy", "etc", None, ""),
        ("PI3", "PGI00002", "PGI00002-P01", "Wiener Strategie", "other", "AT13", ""),
        ("PI4", "PGI00003", "PGI00003-P01", "ROP Mazowieckie", "growth_and_jobs", "PL91", ""),
    ),
    "policy_changes.csv": records(
        "change_id instrument_id project_id report_id change_type description"
        " sf_influenced_eur other_influenced_eur status validated_on",
        change("C1", "PI1", "PGI00001", "1000.10", "250.05", "validated", "2016-08-01"),
        change("C2", "PI2", "PGI00001", "300.33", "0", "validated", "2016-09-14"),
        change("C3", "PI1", "PGI00001", "5000", "0", "validated", "2016-09-15"),
        change("C4", "PI1", "PGI00001", "7000", "0", "reported", None),
        change("C5", "PI3", "PGI00002", "0.00", "120000", "validated", "2016-07-20"),
        change("C6", "PI4", "PGI00003", "9000", "0", "validated", "2016-05-05"),
    ),
    "good_practices.csv": records(
        "good_practice_id project_id partner_id title country_code submitted_on status"
        " validated_on",
        good_practice("GP1", "PGI00001", "PGI00001-P01", "FR", "2016-05-01", "validated",
                      "2016-07-15"),
        good_practice("GP2", "PGI00001", "PGI00001-P02", "EL", "2016-06-01", "validated",
                      "2016-10-01"),
        good_practice("GP3", "PGI00001", "PGI00001-P01", "FR", "2016-10-01", "submitted", None),
        good_practice("GP4", "PGI00001", "PGI00001-P02", "XX", "2016-09-10", "validated",
                      "2016-08-01"),
        good_practice("GP5", "PGI00003", "PGI00003-P01", "PL", "2016-03-01", "validated",
                      "2016-05-01"),
        good_practice("GP6", "PGI00002", "PGI00002-P02", "EL", "2016-08-01", "rejected", None),
    ),
}
# fmt: on
E = date(2016, 9, 14)
JULY, AUGUST = date(2016, 7, 31), date(2016, 8, 31)


@pytest.fixture(scope="module")
def marts(tmp_path_factory) -> dict:
    folder = tmp_path_factory.mktemp("hand-worked")
    write_export(folder, FILES)
    manifest = {"schema_version": "1", "programme_id": "2014TC16RFIR001",
                "exported_at": "2016-09-15T01:30:00+02:00", "files": []}  # fmt: skip
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return {"folder": folder, **expected_marts(folder)}


def keys(mart: dict) -> list:
    return sorted(mart)


def test_the_dates_run_from_the_withdrawn_projects_month_to_the_utc_export_date(marts):
    assert [d for (d,) in marts["headline_results"]] == [
        date(2016, 1, 31), date(2016, 2, 29), date(2016, 3, 31), date(2016, 4, 30),
        date(2016, 5, 31), date(2016, 6, 30), JULY, AUGUST, E,
    ]  # fmt: skip


def test_the_headline_worked_out_by_hand(marts):
    # July: R1 (period 1) and R4 (period 2; R5, a lower version approved later, never
    # counts); GP1; BETA's change C5, though BETA is approved only after E.
    assert marts["headline_results"][(JULY,)] == {
        "as_of_date": JULY, "projects": 1,
        "policy_learning_events": 5, "good_practices_identified": 2,
        "people_with_increased_capacity": 10, "action_plans": 0,
        "good_practices_validated": 1,
        "policy_instruments_influenced": 1, "policy_instruments_influenced_sf": 0,
        "financial_impact_eur": Decimal("120000.00"), "financial_impact_sf_eur": Decimal("0"),
        "programme_budget_eur": Decimal("359326000.00"),
        "nuts2_regions_involved": 2, "nuts2_regions_eligible": 3,
        "nuts2_coverage_pct": Decimal("66.7"),
    }  # fmt: skip
    # E: R2 supersedes R1; GP4 (validated before its submission); C1, and C2 on E itself.
    assert marts["headline_results"][(E,)] == {
        "as_of_date": E, "projects": 1,
        "policy_learning_events": 7, "good_practices_identified": 3,
        "people_with_increased_capacity": 10, "action_plans": 1,
        "good_practices_validated": 2,
        "policy_instruments_influenced": 3, "policy_instruments_influenced_sf": 2,
        "financial_impact_eur": Decimal("121550.48"),
        "financial_impact_sf_eur": Decimal("1300.43"),
        "programme_budget_eur": Decimal("359326000.00"),
        "nuts2_regions_involved": 2, "nuts2_regions_eligible": 3,
        "nuts2_coverage_pct": Decimal("66.7"),
    }  # fmt: skip
    for (d,), row in marts["headline_results"].items():  # and the definitions date by date
        assert {k: v for k, v in row.items() if k != "as_of_date"} == headline_as_of(
            marts["folder"], d
        )


def test_a_project_has_results_from_its_approval_or_its_first_figure(marts):
    results = marts["project_results"]
    assert [k for k in keys(results) if k[1] == "PGI00001"][0] == (date(2016, 3, 31), "PGI00001")
    assert [k for k in keys(results) if k[1] == "PGI00002"][0] == (JULY, "PGI00002")
    assert not [k for k in results if k[1] == "PGI00003"]
    status = {k: row["progress_status"] for k, row in results.items()}
    assert status[(date(2016, 3, 31), "PGI00001")] == "not_started"
    assert status[(AUGUST, "PGI00001")] == "running"  # its end date is not before D
    assert status[(E, "PGI00001")] == "ended"
    assert status[(E, "PGI00002")] == "not_approved"
    assert results[(E, "PGI00002")]["financial_impact_eur"] == Decimal("120000.00")
    assert results[(E, "PGI00001")]["financial_impact_eur"] == Decimal("1550.48")


def test_countries_worked_out_by_hand(marts):
    at_e = {code: row for (d, code), row in marts["country_results"].items() if d == E}
    figures = {
        code: (row["partners"], row["projects"], row["regions_eligible"],
               row["regions_involved"], row["policy_changes"], row["financial_impact_eur"],
               row["financial_impact_sf_eur"], row["good_practices_validated"])
        for code, row in at_e.items()
    }  # fmt: skip
    zero = Decimal("0.00")
    assert figures == {
        "AT": (0, 0, 0, 0, 1, Decimal("120000.00"), zero, 0),  # BETA not approved yet
        "EL": (1, 1, 1, 1, 1, Decimal("300.33"), Decimal("300.33"), 0),
        "FR": (1, 1, 1, 1, 1, Decimal("1250.15"), Decimal("1000.10"), 1),
        "NO": (1, 1, 0, 0, 0, zero, zero, 0),
        "PL": (0, 0, 1, 0, 0, zero, zero, 0),  # GAMMA is withdrawn
        "XX": (0, 0, 0, 0, 0, zero, zero, 1),  # GP4's own country
    }
    assert at_e["XX"]["country_name"] is None and at_e["EL"]["country_name"] == "Greece"


def test_regions_worked_out_by_hand(marts):
    at_e = {
        code: (row["country_code"], row["is_eligible"], row["is_involved"], row["partners"],
               row["projects"], row["lead_partners"], row["policy_changes"],
               row["financial_impact_eur"])
        for (d, code), row in marts["regional_coverage_history"].items()
        if d == E
    }  # fmt: skip
    zero = Decimal("0.00")
    assert at_e == {
        "AT13": ("AT", False, False, 0, 0, 0, 1, Decimal("120000.00")),
        "EL30": ("EL", True, True, 1, 1, 0, 0, zero),  # C2's instrument is national
        "FR10": ("FR", True, True, 1, 1, 1, 1, Decimal("1250.15")),
        "NO01": ("NO", False, True, 1, 1, 0, 0, zero),
        "PL91": ("PL", True, False, 0, 0, 0, 0, zero),
    }
    # AT13's only partner is BETA's, approved after E: no row at E.
    assert keys(marts["regional_coverage"]) == [("EL30",), ("FR10",), ("NO01",), ("PL91",)]


def test_the_undated_marts_are_the_export_date(marts):
    assert keys(marts["projects"]) == [("PGI00001",)]
    alpha = marts["projects"][("PGI00001",)]
    assert (alpha["partners"], alpha["countries"], alpha["lead_partner_country_name"]) == (
        3,
        3,
        "France",
    )
    assert (alpha["good_practices_validated"], alpha["policy_instruments_influenced"]) == (2, 2)
    assert keys(marts["partners"]) == [("PGI00001-P01",), ("PGI00001-P02",), ("PGI00001-P03",)]
    assert keys(marts["policy_changes"]) == [("C1",), ("C2",), ("C5",)]
    assert marts["policy_changes"][("C5",)]["project_acronym"] == "BETA"
    practices = {k: (r["status"], r["validated_on"]) for (k,), r in marts["good_practices"].items()}
    assert practices == {
        "GP1": ("validated", date(2016, 7, 15)),
        "GP2": ("submitted", None),  # validated after E
        "GP4": ("validated", date(2016, 8, 1)),
        "GP6": ("rejected", None),  # of BETA, submitted before E
    }

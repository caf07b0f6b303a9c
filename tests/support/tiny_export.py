"""A small monitoring export that follows the contract, as rows: two projects with their
partners, a report, values, an instrument, a change and a good practice each. Unit tests
change a value and validate it (support.exports.write_export writes it)."""

from __future__ import annotations

from support.exports import Rows


def project(pid: str, acronym: str, **overrides: str) -> dict[str, str]:
    return {
        "project_id": pid,
        "acronym": acronym,
        "title": f"{acronym} title",
        "priority_axis": "1",
        "call_no": "1",
        "status": "approved",
        "approved_on": "2016-03-01",
        "start_date": "2016-04-01",
        "end_date": "2020-03-31",
        "total_budget_eur": "1500000.00",
        "erdf_eur": "1275000",
        "website": "",
        **overrides,
    }


def partner(pid: str, n: int, role: str = "partner", **overrides: str) -> dict[str, str]:
    return {
        "partner_id": f"{pid}-P{n:02d}",
        "project_id": pid,
        "organisation_name": f"Organisation {n}",
        "organisation_name_en": "",
        "role": role,
        "legal_status": "public",
        "country_code": "EL",
        "nuts2_code": "EL43",
        "town": "",
        "postcode": "",
        "budget_eur": "200000.50",
        "erdf_eur": "170000.42",
        **overrides,
    }


def report(rid: str, pid: str, **overrides: str) -> dict[str, str]:
    return {
        "report_id": rid,
        "project_id": pid,
        "period_no": "1",
        "period_start": "2016-04-01",
        "period_end": "2016-09-30",
        "version": "1",
        "status": "approved",
        "submitted_on": "2016-10-15",
        "approved_on": "2016-12-01",
        **overrides,
    }


def valid_export() -> dict[str, Rows]:
    """Two projects, each with partners, a report, values, an instrument, a change, a GP."""
    files: dict[str, Rows] = {
        "programme.csv": [
            {
                "programme_id": "2014TC16RFIR001",
                "programme_name": "Interreg Europe",
                "period": "2014-2020",
                "erdf_budget_eur": "359326000.00",
                "nuts_version": "2016",
            }
        ],
        "eligible_regions.csv": [
            {"nuts2_code": "EL43", "country_code": "EL", "region_name": "Κρήτη"},
            {"nuts2_code": "UKI3", "country_code": "UK", "region_name": "Inner London"},
        ],
        "projects.csv": [project("PGI00001", "ALPHA"), project("PGI00002", "BETA")],
        "partners.csv": [],
        "progress_reports.csv": [],
        "indicator_values.csv": [],
        "policy_instruments.csv": [],
        "policy_changes.csv": [],
        "good_practices.csv": [],
        "indicators.csv": [
            {
                "indicator_code": f"O{i}",
                "name": f"indicator {i}",
                "unit": "number",
                "kind": "output",
            }
            for i in range(1, 5)
        ],
    }
    for p, pid in enumerate(["PGI00001", "PGI00002"], start=1):
        files["partners.csv"] += [partner(pid, 1, "lead"), partner(pid, 2)]
        files["progress_reports.csv"].append(report(f"R{p}", pid))
        files["indicator_values.csv"] += [
            {"report_id": f"R{p}", "indicator_code": f"O{i}", "value": str(i)} for i in (1, 2)
        ]
        files["policy_instruments.csv"].append(
            {
                "instrument_id": f"I{p}",
                "project_id": pid,
                "partner_id": f"{pid}-P01",
                "name": "ROP Κρήτη 2014-2020",
                "instrument_type": "growth_and_jobs",
                "nuts2_code": "EL43",
                "managing_authority": "",
            }
        )
        files["policy_changes.csv"].append(
            {
                "change_id": f"C{p}",
                "instrument_id": f"I{p}",
                "project_id": pid,
                "report_id": f"R{p}",
                "change_type": "management",
                "description": "new call",
                "sf_influenced_eur": "1000000.00",
                "other_influenced_eur": "0",
                "status": "validated",
                "validated_on": "2017-01-10",
            }
        )
        files["good_practices.csv"].append(
            {
                "good_practice_id": f"GP{p}",
                "project_id": pid,
                "partner_id": f"{pid}-P02",
                "title": "Living lab",
                "country_code": "EL",
                "submitted_on": "2017-02-01",
                "status": "submitted",
                "validated_on": "",
            }
        )
    return files

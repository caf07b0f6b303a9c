"""The analysts' queries of docs/analysts.md, run as written on the published sample.

Each of the twelve questions is answered by one query on `marts` (and `audit` for the
quarantine) alone, never an intermediate, staging or raw schema, on the file attached
under another name, as a BI tool or an analyst attaches it. Where the answer can be
worked out from the export's files, it is.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from support.cli import published
from support.reference_headline import headline_as_of, headline_dates, read_rows
from support.reference_marts import partners_per_region, regions_involved

from pipelines.config import SAMPLE_MONITORING_DIR

ANALYSTS_DOC = Path(__file__).resolve().parents[2] / "docs" / "analysts.md"
MARCH_2023 = date(2023, 3, 31)


def documented_queries() -> dict[int, list[str]]:
    """Question number -> the SQL statements of its block in docs/analysts.md, "Questions
    and queries"."""
    section = ANALYSTS_DOC.read_text(encoding="utf-8").split("## Questions and queries", 1)[1]
    section = section.split("\n## ", 1)[0]
    queries: dict[int, list[str]] = {}
    for block in re.findall(r"```sql\n(.*?)```", section, flags=re.S):
        number = int(re.match(r"-- Q(\d+)\.", block).group(1))
        statements = [s.strip() for s in re.split(r";\s*$", block, flags=re.M) if _has_sql(s)]
        queries[number] = statements
    return queries


def _has_sql(text: str) -> bool:
    return any(line.strip() and not line.strip().startswith("--") for line in text.splitlines())


QUERIES = documented_queries()


@pytest.fixture(scope="module")
def analyst(published_sample):
    """The published file attached under another name, read-only, as `wh`."""
    con = duckdb.connect()
    con.execute(f"ATTACH '{published(published_sample)}' AS wh (READ_ONLY)")
    con.execute("USE wh")
    yield con
    con.close()


def answer(con, number: int, statement: int = 0) -> list[dict]:
    cursor = con.execute(QUERIES[number][statement])
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def test_the_doc_answers_thirteen_questions_each_from_marts_or_audit_alone():
    assert sorted(QUERIES) == list(range(1, 14))
    for number, statements in QUERIES.items():
        for sql in statements:
            schemas = set(re.findall(r"\b(?:from|join)\s+(\w+)\.", sql, flags=re.I))
            allowed = {"marts", "audit"} if number == 11 else {"marts"}
            assert schemas and schemas <= allowed, f"Q{number} reads {schemas}"


@pytest.mark.parametrize("number", range(1, 14))
def test_every_documented_query_runs_on_the_file_attached_under_another_name(analyst, number):
    for statement in range(len(QUERIES[number])):
        rows = answer(analyst, number, statement)
        if number != 11:  # the sample's run rejects nothing
            assert rows, f"Q{number} answered no rows"


def test_q1_the_last_row_is_the_headline_as_of_the_date_and_the_trend_is_monthly(analyst):
    rows = answer(analyst, 1)
    dates = [d for d in headline_dates(SAMPLE_MONITORING_DIR) if d <= MARCH_2023]
    assert [r["as_of_date"] for r in rows] == dates
    expected = headline_as_of(SAMPLE_MONITORING_DIR, MARCH_2023)
    assert {k: rows[-1][k] for k in expected} == expected


def test_q2_policy_changes_per_country_and_year_add_up_to_the_headline(analyst):
    rows = answer(analyst, 2)
    latest = headline_as_of(SAMPLE_MONITORING_DIR, headline_dates(SAMPLE_MONITORING_DIR)[-1])
    assert sum(r["policy_changes"] for r in rows) == latest["policy_instruments_influenced"]
    assert sum(r["structural_funds"] for r in rows) == latest["policy_instruments_influenced_sf"]
    assert all(r["structural_funds"] + r["other_instruments"] == r["policy_changes"] for r in rows)


def test_q3_financial_impact_per_territory_adds_up_and_names_national_instruments(analyst):
    rows = answer(analyst, 3)
    latest = headline_as_of(SAMPLE_MONITORING_DIR, headline_dates(SAMPLE_MONITORING_DIR)[-1])
    assert sum(r["financial_impact_eur"] for r in rows) == latest["financial_impact_eur"]
    assert any(r["territory"] == "national" for r in rows)


def test_q4_partners_per_region_as_of_a_date_equal_an_independent_count(analyst):
    rows = answer(analyst, 4)
    expected = partners_per_region(SAMPLE_MONITORING_DIR, MARCH_2023)
    assert {r["nuts2_code"]: r["partners"] for r in rows if r["partners"]} == {
        code: n for code, n in expected.items() if code is not None
    }
    involved = regions_involved(SAMPLE_MONITORING_DIR, MARCH_2023)
    without = [r["nuts2_code"] for r in rows if r["is_eligible"] and r["partners"] == 0]
    assert len(without) == len([r for r in rows if r["is_eligible"]]) - len(involved)
    assert rows[0]["nuts2_code"] in without  # the eligible regions with none come first


def test_q5_regions_involved_per_country_add_up_to_the_headline_of_the_date(analyst):
    rows = answer(analyst, 5)
    expected = headline_as_of(SAMPLE_MONITORING_DIR, MARCH_2023)
    assert sum(r["regions_involved"] for r in rows) == expected["nuts2_regions_involved"]
    assert sum(r["regions_eligible"] for r in rows) == expected["nuts2_regions_eligible"]
    assert all(Decimal("0") <= r["involved_pct"] <= Decimal("100") for r in rows)


def test_q6_the_top_ten_projects_come_with_their_lead_partner_and_place(analyst):
    rows = answer(analyst, 6)
    assert len(rows) == 10
    impacts = [r["financial_impact_eur"] for r in rows]
    assert impacts == sorted(impacts, reverse=True)
    assert all(r["lead_partner_name"] and r["lead_partner_country_name"] for r in rows)


def test_q7_good_practices_per_country_count_every_good_practice(analyst):
    per_country = answer(analyst, 7, 1)
    latest = headline_as_of(SAMPLE_MONITORING_DIR, headline_dates(SAMPLE_MONITORING_DIR)[-1])
    assert sum(r["validated"] for r in per_country) == latest["good_practices_validated"]
    per_project = answer(analyst, 7, 0)
    assert (
        sum(r["good_practices_validated"] for r in per_project)
        == (latest["good_practices_validated"])
    )
    assert (
        sum(r["good_practices_identified"] for r in per_project)
        == (latest["good_practices_identified"])
    )


def test_q9_lists_the_samples_deliberate_mismatches(analyst):
    presence = Counter(r["presence"] for r in answer(analyst, 9))
    assert presence["monitoring_only"] == 2 and presence["keep_only"] >= 1


def test_q10_a_countrys_story_lists_only_its_changes_largest_first(analyst):
    rows = answer(analyst, 10)
    amounts = [r["total_influenced_eur"] for r in rows]
    assert amounts == sorted(amounts, reverse=True)
    assert all(r["change_type_label"] and r["instrument_type_label"] for r in rows)


def test_q12_names_both_exports_with_their_own_dates(analyst):
    rows = {r["source_name"]: r for r in answer(analyst, 12)}
    assert set(rows) == {"Project-monitoring export", "keep.eu export"}
    assert all(r["source_date"] is not None and r["sha256"] for r in rows.values())


def test_q13_approval_days_are_counted_from_the_export_files(analyst):
    """Every approved version's days from submission to approval, per year, as the files
    give them (the sample's export date is after every approval)."""
    days: dict[int, list[int]] = {}
    projects = {
        r["project_id"]: r["status"] for r in read_rows(SAMPLE_MONITORING_DIR / "projects.csv")
    }
    for r in read_rows(SAMPLE_MONITORING_DIR / "progress_reports.csv"):
        if r["status"] == "approved" and projects[r["project_id"]] != "withdrawn":
            submitted, approved = (
                date.fromisoformat(r[c]) for c in ("submitted_on", "approved_on")
            )
            days.setdefault(submitted.year, []).append((approved - submitted).days)
    rows = answer(analyst, 13)
    assert {r["submitted_in"]: r["approved_versions"] for r in rows} == {
        year: len(values) for year, values in days.items()
    }
    assert {r["submitted_in"]: r["longest_days"] for r in rows} == {
        year: max(values) for year, values in days.items()
    }

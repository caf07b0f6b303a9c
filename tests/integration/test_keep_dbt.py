"""keep.eu in the marts of the session's run of the bundled samples (`published_sample`:
the real loader and a real dbt build), and the deliberate mismatches of the sample found by
marts.source_reconciliation."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from support.cli import published

from pipelines.config import SAMPLE_MONITORING_DIR
from tools.samples.keep import plan_mismatches, read_csv


def query(db: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchall()


@pytest.fixture(scope="module")
def sample_db(published_sample) -> Path:
    """The published file of the samples' run (tests only read it)."""
    return published(published_sample)


@pytest.fixture(scope="module")
def plan():
    return plan_mismatches(
        read_csv(SAMPLE_MONITORING_DIR / "projects.csv"),
        read_csv(SAMPLE_MONITORING_DIR / "partners.csv"),
    )


def test_the_keep_marts_have_their_interface(sample_db):
    def columns(table: str) -> list[tuple[str, str]]:
        return query(
            sample_db,
            "select column_name, data_type from information_schema.columns where "
            f"table_schema = 'marts' and table_name = '{table}' order by ordinal_position",
        )

    assert columns("keep_projects") == [
        ("programme", "VARCHAR"),
        ("period", "VARCHAR"),
        ("project_acronym", "VARCHAR"),
        ("project_name", "VARCHAR"),
        ("start_date", "DATE"),
        ("end_date", "DATE"),
        ("total_budget_eur", "DECIMAL(18,2)"),
        ("eu_funding_eur", "DECIMAL(18,2)"),
        ("lead_partner_name", "VARCHAR"),
        ("partners", "BIGINT"),
    ]
    assert columns("keep_partners") == [
        ("programme", "VARCHAR"),
        ("project_acronym", "VARCHAR"),
        ("organisation_name", "VARCHAR"),
        ("is_lead_partner", "BOOLEAN"),
        ("country_code", "VARCHAR"),
        ("country_name", "VARCHAR"),
        ("nuts2_code", "VARCHAR"),
        ("nuts3_code", "VARCHAR"),
        ("town", "VARCHAR"),
        ("budget_eur", "DECIMAL(18,2)"),
    ]
    assert columns("projects")[-3:] == [
        ("is_in_keep", "BOOLEAN"),
        ("keep_themes", "VARCHAR"),
        ("keep_description", "VARCHAR"),
    ]
    assert [c for c, _ in columns("source_reconciliation")][:4] == [
        "project_id",
        "acronym",
        "keep_acronym",
        "presence",
    ]


def test_source_reconciliation_finds_the_deliberate_mismatches(sample_db, plan):
    rows = query(
        sample_db,
        "select acronym, presence, has_total_budget_difference, has_eu_funding_difference, "
        "has_partner_count_difference, total_budget_difference_eur, eu_funding_difference_eur,"
        " partners_difference from marts.source_reconciliation",
    )
    by_presence: dict[str, set[str]] = {}
    for acronym, presence, *_ in rows:
        by_presence.setdefault(presence, set()).add(acronym)
    assert by_presence["monitoring_only"] == set(plan.missing)
    assert by_presence["keep_only"] == set(plan.keep_only)
    both = {r[0]: r for r in rows if r[1] == "both"}
    budget = {a for a, r in both.items() if r[2] or r[3]}
    partners = {a for a, r in both.items() if r[4]}
    assert budget == plan.flagged_budget
    assert partners == plan.flagged_partners
    for acronym, difference in plan.total_budget.items():
        assert both[acronym][5] == difference  # 0.01 is there, yet not a difference
    for acronym, difference in plan.eu_funding.items():
        assert both[acronym][6] == difference
    for acronym, extra in plan.partners_added.items():
        assert both[acronym][7] == extra
    for acronym, fewer in plan.partners_removed.items():
        assert both[acronym][7] == -fewer
    quiet = set(both) - set(plan.total_budget) - set(plan.eu_funding)
    quiet -= set(plan.partners_added) | set(plan.partners_removed)
    assert all(both[a][5:] == (Decimal("0.00"), Decimal("0.00"), 0) for a in quiet)


def test_projects_say_which_are_in_keep_whatever_the_acronym_spelling(sample_db, plan):
    rows = dict(query(sample_db, "select acronym, is_in_keep from marts.projects"))
    assert {a for a, in_keep in rows.items() if not in_keep} == set(plan.missing)
    assert all(rows[a] for a in plan.respelled)
    themes = query(sample_db, "select count(*) from marts.projects where keep_themes is null")
    assert themes == [(len(plan.missing),)]


def test_keep_partners_are_in_eu_codes_with_plain_nuts_codes(sample_db):
    codes = dict(
        query(sample_db, "select country_code, count(*) from marts.keep_partners group by 1")
    )
    assert "GR" not in codes and "GB" not in codes
    assert codes["EL"] > 0 and codes["UK"] > 0 and codes["RS"] > 0
    rows = query(
        sample_db, "select nuts2_code from marts.keep_partners where nuts2_code like '% %'"
    )
    assert rows == []
    assert (
        query(sample_db, "select count(*) from marts.keep_partners where nuts2_code is null")[0][0]
        > 0
    )

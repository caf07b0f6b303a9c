"""The analysts' marts on the published sample, against an independent computation from
the export's files (tests/support/reference_marts.py): partners per country and region
with the unknown regions, the regions involved and each project's results at dates drawn
at random, good practices per country, labels for every code, and a file that works
under any name.
"""

from __future__ import annotations

import random
import shutil

import duckdb
import pytest
from support.cli import published
from support.reference_headline import headline_dates, load_export
from support.reference_marts import (
    PROJECT_FIGURES,
    good_practices_per_country,
    live_partners,
    partners_per_country,
    partners_per_region,
    project_results,
    regions_involved,
)

from pipelines.config import SAMPLE_MONITORING_DIR

EXPORT = SAMPLE_MONITORING_DIR
DATES = headline_dates(EXPORT)
# Dates drawn at random, the same on every run: the last one (the export's) always among them.
RANDOM_DATES = sorted(random.Random(12).sample(DATES[:-1], 4)) + [DATES[-1]]


@pytest.fixture(scope="module")
def marts(published_sample):
    con = duckdb.connect(str(published(published_sample)), read_only=True)
    yield con
    con.close()


def as_dict(con, sql: str, params=()) -> dict:
    return dict(con.execute(sql, list(params)).fetchall())


def test_no_partner_is_dropped_a_partner_without_a_region_included(marts):
    expected = {r["partner_id"]: r["nuts2_code"] for r in live_partners(EXPORT)}
    found = as_dict(marts, "SELECT partner_id, nuts2_code FROM marts.partners")
    assert found == expected
    assert None in found.values()  # the sample has partners without a NUTS 2 code


def test_partners_per_country_and_region_equal_an_independent_count(marts):
    assert as_dict(marts, "SELECT country_code, count(*) FROM marts.partners GROUP BY ALL") == dict(
        partners_per_country(EXPORT)
    )
    assert as_dict(marts, "SELECT nuts2_code, count(*) FROM marts.partners GROUP BY ALL") == dict(
        partners_per_region(EXPORT)
    )


@pytest.mark.parametrize("as_of", RANDOM_DATES, ids=str)
def test_country_partners_at_a_date_come_from_partners_not_regions(marts, as_of):
    found = as_dict(
        marts,
        "SELECT country_code, partners FROM marts.country_results"
        " WHERE as_of_date = ? AND partners > 0",
        [as_of],
    )
    assert found == dict(partners_per_country(EXPORT, as_of))


@pytest.mark.parametrize("as_of", RANDOM_DATES, ids=str)
def test_regions_involved_at_a_date_equal_an_independent_computation(marts, as_of):
    found = {
        code
        for (code,) in marts.execute(
            "SELECT nuts2_code FROM marts.regional_coverage_history"
            " WHERE as_of_date = ? AND is_eligible AND is_involved",
            [as_of],
        ).fetchall()
    }
    assert found == regions_involved(EXPORT, as_of)
    per_region = partners_per_region(EXPORT, as_of)
    assert as_dict(
        marts,
        "SELECT nuts2_code, partners FROM marts.regional_coverage_history"
        " WHERE as_of_date = ? AND partners > 0",
        [as_of],
    ) == {code: n for code, n in per_region.items() if code is not None}


@pytest.mark.parametrize("as_of", RANDOM_DATES, ids=str)
def test_each_projects_results_at_a_date_equal_an_independent_computation(marts, as_of):
    export = load_export(EXPORT)
    rows = marts.execute(
        f"SELECT project_id, {', '.join(PROJECT_FIGURES)} FROM marts.project_results"
        " WHERE as_of_date = ?",
        [as_of],
    ).fetchall()
    found = {row[0]: dict(zip(PROJECT_FIGURES, row[1:], strict=True)) for row in rows}
    approved = [
        project_id
        for project_id, (status, approved_on) in export.projects.items()
        if status != "withdrawn" and approved_on <= as_of
    ]
    assert sorted(found) == sorted(approved)
    for project_id in approved:
        assert found[project_id] == project_results(export, project_id, as_of), project_id


def test_the_projects_mart_carries_each_projects_results_as_of_the_export(marts):
    export = load_export(EXPORT)
    rows = marts.execute(
        f"SELECT project_id, {', '.join(PROJECT_FIGURES)} FROM marts.projects"
    ).fetchall()
    for project_id, *figures in rows:
        expected = project_results(export, project_id, DATES[-1])
        assert dict(zip(PROJECT_FIGURES, figures, strict=True)) == expected, project_id


def test_good_practices_per_country_equal_an_independent_count(marts):
    assert as_dict(
        marts, "SELECT country_code, count(*) FROM marts.good_practices GROUP BY ALL"
    ) == dict(good_practices_per_country(EXPORT))
    validated = good_practices_per_country(EXPORT, "validated")
    assert as_dict(
        marts,
        "SELECT country_code, good_practices_validated FROM marts.country_results"
        " WHERE as_of_date = ? AND good_practices_validated > 0",
        [DATES[-1]],
    ) == dict(validated)


def test_every_code_in_the_marts_has_a_label(marts):
    unlabelled = marts.execute(
        """
        SELECT 'country', country_code FROM marts.partners WHERE country_name IS NULL
        UNION ALL SELECT 'country', country_code FROM marts.country_results
            WHERE country_name IS NULL
        UNION ALL SELECT 'instrument_type', instrument_type FROM marts.policy_changes
            WHERE instrument_type_label IS NULL
        UNION ALL SELECT 'change_type', change_type FROM marts.policy_changes
            WHERE change_type_label IS NULL
        UNION ALL SELECT 'priority_axis', priority_axis::VARCHAR FROM marts.projects
            WHERE priority_axis_label IS NULL
        """
    ).fetchall()
    assert unlabelled == []
    names = as_dict(marts, "SELECT DISTINCT country_code, country_name FROM marts.partners")
    assert names["EL"] == "Greece" and names["UK"] == "United Kingdom"


def test_every_view_resolves_when_the_file_is_copied_and_attached_under_another_name(
    published_sample, tmp_path
):
    copy = tmp_path / "copy_of_warehouse.duckdb"
    shutil.copyfile(published(published_sample), copy)
    con = duckdb.connect()
    con.execute(f"ATTACH '{copy}' AS wh (READ_ONLY)")
    views = con.execute(
        "SELECT schema_name, view_name FROM duckdb_views()"
        " WHERE database_name = 'wh' AND NOT internal"
    ).fetchall()
    assert views  # staging and intermediate are views
    for schema, view in views:
        con.execute(f'SELECT count(*) FROM wh."{schema}"."{view}"').fetchall()
    direct = duckdb.connect(str(copy), read_only=True)
    for schema, view in views:
        direct.execute(f'SELECT count(*) FROM "{schema}"."{view}"').fetchall()

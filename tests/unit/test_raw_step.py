"""What a raw-tables step tells Dagster, for every source: the check of a table with
quarantined rows warns with them, counted once per row, in cells a Markdown table keeps."""

from __future__ import annotations

import pandas as pd
from dagster import AssetCheckSeverity, AssetKey

from pipelines.errors import ContractError
from pipelines.sources.raw_step import (
    broken_contract_results,
    markdown_cell,
    quarantine_check,
    unchanged_results,
)

KEY = AssetKey(["keep", "projects"])


def rejected(*rows: tuple) -> pd.DataFrame:
    return pd.DataFrame(
        rows, columns=["file", "row_number", "column_name", "check_name", "value", "message"]
    )


def test_a_table_without_quarantined_rows_passes_its_check():
    check = quarantine_check(KEY, "meets_layout", rejected())
    assert check.passed
    assert check.metadata["rows_rejected"].value == 0


def test_quarantined_rows_warn_counted_once_per_row_with_every_rule_they_broke():
    check = quarantine_check(
        KEY,
        "meets_layout",
        rejected(
            ("a.xlsx", 2, "budget", "number", "12,5", "not a number"),
            ("a.xlsx", 2, "start_date", "date", "31/12/2020", "not a date"),
            ("b.xlsx", 2, "budget", "number", "x", "not a number"),
        ),
    )
    assert not check.passed and check.severity == AssetCheckSeverity.WARN
    assert check.metadata["rows_rejected"].value == 2  # row 2 of a.xlsx, row 2 of b.xlsx
    by_rule = check.metadata["failures_by_rule"].value.splitlines()
    assert by_rule[2] == "| budget | number | 2 |"  # the most frequent rule first
    cases = check.metadata["failure_cases"].value.splitlines()
    assert cases[2] == "| a.xlsx | 2 | budget | number | 12,5 | not a number |"


def test_cases_are_cut_to_the_first_ones():
    rows = [("a.csv", n, "id", "required", None, "missing") for n in range(2, 50)]
    check = quarantine_check(KEY, "meets_contract", rejected(*rows), shown=5)
    assert len(check.metadata["failure_cases"].value.splitlines()) == 2 + 5
    assert check.metadata["rows_rejected"].value == 48


def test_a_value_cannot_break_the_markdown_table():
    assert markdown_cell("a | b\nc") == "a \\| b c"
    assert markdown_cell(None) == markdown_cell(pd.NA) == markdown_cell(float("nan")) == ""
    assert markdown_cell("x" * 500) == "x" * 200


def test_unchanged_inputs_materialise_every_table_with_its_check_passed():
    keys = [KEY, AssetKey(["keep", "partners"])]
    results = list(unchanged_results(keys, "meets_layout"))
    assert [r.asset_key for r in results] == keys
    assert all(r.metadata == {"unchanged": True} for r in results)
    checks = [c for r in results for c in r.check_results]
    assert [(c.check_name, c.passed) for c in checks] == [("meets_layout", True)] * 2


def test_a_broken_contract_fails_the_checks_with_the_error():
    error = ContractError("partners.csv", "no such column", column="partner_id")
    [check] = broken_contract_results([KEY], "meets_contract", error)
    assert not check.passed and check.severity == AssetCheckSeverity.ERROR
    assert check.metadata["error"].value == str(error)

"""What a raw-tables step tells Dagster, for every source: the check of a table with
quarantined rows warns with them, counted once per row, in cells a Markdown table keeps."""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest
from dagster import AssetCheckSeverity, AssetKey

from pipelines.errors import ContractError
from pipelines.sources.quarantine import empty_rejected
from pipelines.sources.raw_step import (
    broken_contract_results,
    load_and_audit,
    markdown_cell,
    quarantine_check,
    unchanged_results,
    validated_or_broken,
)
from pipelines.warehouse.load import ROW_NUMBER
from schemas.contract import Column, Contract, FileSpec

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


def test_inputs_that_break_their_contract_fail_the_checks_first_then_the_step():
    error = ContractError("partners.csv", "no such column")

    def validate():
        raise error

    step = validated_or_broken(validate, "meets_contract", lambda e: [KEY] if e is error else [])
    check = next(step)
    assert check.asset_key == KEY and not check.passed
    assert check.metadata["error"].value == str(error)
    with pytest.raises(ContractError):
        next(step)


def test_valid_inputs_fail_no_check():
    step = validated_or_broken(lambda: "validated", "meets_contract", lambda e: [KEY])
    with pytest.raises(StopIteration) as stop:
        next(step)
    assert stop.value.value == "validated"


TINY = Contract(
    "tiny", "1", (FileSpec("things", (Column("id", "integer", required=True),), ("id",)),)
)
FRAME = pd.DataFrame({ROW_NUMBER: [1, 2], "id": ["7", "8"]})


def audited(loaded) -> list[dict]:
    return [
        {
            "file": "things",
            "sha256": "0" * 64,
            "rows_read": 2,
            "rows_loaded": loaded["things"],
            "rows_rejected": 0,
        }
    ]


def test_rows_and_audit_are_loaded_together():
    con = duckdb.connect()
    loaded = load_and_audit(
        con, TINY, {"things": FRAME}, run_id="r", files=audited, rejected=empty_rejected(), drift={}
    )
    assert loaded == {"things": 2}
    assert con.execute("SELECT id FROM raw_tiny.things ORDER BY id").fetchall() == [(7,), (8,)]
    audit = con.execute("SELECT source, rows_loaded FROM audit.loaded_files").fetchall()
    assert audit == [("tiny", 2)]


def test_a_failure_before_the_audit_leaves_nothing_behind():
    con = duckdb.connect()

    def also():
        raise RuntimeError("the manifest could not be loaded")

    with pytest.raises(RuntimeError):
        load_and_audit(
            con,
            TINY,
            {"things": FRAME},
            run_id="r",
            files=audited,
            rejected=empty_rejected(),
            drift={},
            also=also,
        )
    con.execute("ROLLBACK")  # what closing the build's connection without COMMIT does
    assert not con.execute(
        "SELECT * FROM duckdb_tables() WHERE schema_name = 'raw_tiny'"
    ).fetchall()

"""The quarantine every source shares (pipelines/sources/quarantine.py), on its own: what a
next source gets without writing it again."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pandera.pandas as pa
import pytest

from pipelines.errors import ContractError
from pipelines.sources import quarantine
from schemas.contract import RowRule


def test_a_reference_is_fine_dangling_or_dependent_on_rejected_rows_only():
    keys = pd.Series(["a", "b", "c", None, "d"], dtype="string")
    target = pd.Series(["a", "b", "b", "c", None], dtype="string")
    rejected = np.array([False, True, False, True, True])
    matched = quarantine.match_references(keys, target, rejected)
    # a: accepted; b: one of its rows is accepted; c: only a rejected row; none: no
    # reference at all; d: nowhere.
    assert matched.dangling.tolist() == [False, False, False, False, True]
    assert matched.orphaned.tolist() == [False, False, True, False, False]
    assert matched.rejected_target.tolist() == [3]  # the target row that took it along


def test_a_file_over_the_threshold_fails_naming_its_count_and_share():
    with pytest.raises(ContractError) as failed:
        quarantine.enforce_threshold(
            "x.csv",
            rejected=3,
            total=200,
            max_pct=1,
            breaking="break the contract",
            summary=lambda: "Reasons: ...",
        )
    assert str(failed.value).endswith(
        "3 of 200 rows (1.50 %) break the contract, more than the 1 % allowed; nothing is"
        " loaded. Reasons: ..."
    )
    quarantine.enforce_threshold(
        "x.csv", rejected=2, total=200, max_pct=1, breaking="-", summary=lambda: "-"
    )


def test_pandera_failures_come_sorted_by_check_with_their_rows():
    rule = RowRule("a_below_b", ("a", "b"), "a must be below b", lambda f: f["a"] < f["b"])
    schema = pa.DataFrameSchema(
        {"a": pa.Column(int, pa.Check.ge(0, name="not_negative")), "b": pa.Column(int)},
        checks=[rule.check()],
    )
    frame = pd.DataFrame({"a": [1, -1, 5, -2], "b": [2, 3, 4, -5]})
    explained = quarantine.explain(schema, frame)
    assert not len(explained.file_level)
    column, row = explained.failures
    assert (column.kind, column.check_name, column.columns) == ("column", "not_negative", ("a",))
    assert column.positions.tolist() == [1, 3]
    assert (row.kind, row.check_name, row.error, row.columns) == (
        "rule",
        "a_below_b",
        "a must be below b",
        ("a", "b"),
    )
    assert row.positions.tolist() == [2, 3]
    in_order = quarantine.column_cases_in_order(explained.failures)
    assert [position for _, position in in_order] == [1, 3]


def test_rejected_rows_have_the_audit_columns_and_types():
    rows = quarantine.rejected_rows(
        [{"row_number": 2, "column_name": "a", "check_name": "c", "value": None, "message": "m"}],
        source="s",
        file="f.csv",
    )
    both = quarantine.concat_rejected([rows, quarantine.empty_rejected()])
    assert list(both.columns) == quarantine.REJECTED_COLUMNS
    assert both["row_number"].dtype == "int64" and both["value"].dtype == "string"
    assert quarantine.rejected_mask(np.array([1, 2, 3]), both).tolist() == [False, True, False]


def test_the_summary_counts_the_commonest_reasons_first_and_stays_short():
    rejected = pd.DataFrame(
        {
            "check_name": ["x", "y", "y", "z"],
            "column_name": ["a", "b", "b", "c"],
            "row_number": [1, 2, 3, 4],
        }
    )
    assert quarantine.count_reasons(rejected, ["check_name", "column_name"], 2) == (
        "y b: 2; x a: 1",
        1,
    )
    assert quarantine.first_cases(rejected, 2, lambda r: str(r.row_number)) == "1 | 2 | ... 2 more"

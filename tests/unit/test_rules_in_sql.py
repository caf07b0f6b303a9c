"""A contract rule is written once, in DuckDB SQL; on a pandas frame it is evaluated by
DuckDB (schemas.sql.rows_passing), for the Pandera check that names every failing row."""

from __future__ import annotations

import pandas as pd
import pytest

from schemas.contract import RowRule
from schemas.sql import rows_passing


def test_each_row_gets_its_own_verdict_in_the_frames_order_and_index():
    frame = pd.DataFrame(
        {"project_id": ["P2", "P1", "P2", None], "role": ["lead", "lead", "lead", "partner"]},
        index=[10, 20, 30, 40],
    )
    one_lead = (
        "project_id IS NULL OR count(*) FILTER (WHERE role = 'lead')"
        " OVER (PARTITION BY project_id) = 1"
    )
    passed = rows_passing(one_lead, frame, ("project_id", "role"))
    assert passed.to_dict() == {10: False, 20: True, 30: False, 40: True}


def test_a_rule_that_gives_null_fails_the_row_as_the_screen_does():
    frame = pd.DataFrame({"a": pd.Series(["x", None], dtype="string"), "b": [None, None]})
    assert rows_passing("a = b", frame, ("a", "b")).tolist() == [False, False]
    assert rows_passing("a IS NULL", frame, ("a", "b")).tolist() == [False, True]


def test_an_empty_frame_gives_an_empty_verdict():
    frame = pd.DataFrame({"a": pd.Series([], dtype="string")})
    assert rows_passing("a = 'x'", frame, ("a",)).empty


def test_a_rule_is_either_sql_or_a_pandas_test_never_both_nor_neither():
    with pytest.raises(ValueError, match="either"):
        RowRule("r", ("a",), "error")
    with pytest.raises(ValueError, match="either"):
        RowRule("r", ("a",), "error", test=lambda f: f["a"].notna(), sql="a IS NOT NULL")
    frame = pd.DataFrame({"a": ["x", None]})
    assert RowRule("r", ("a",), "e", sql="a IS NOT NULL").passes(frame).tolist() == [True, False]

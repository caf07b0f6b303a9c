"""tools/compare_marts.py: the before-and-after check of a refactor."""

from __future__ import annotations

import duckdb

from tools.compare_marts import main


def warehouse(path, rows, extra_column=False):
    extra = ", x INT" if extra_column else ""
    with duckdb.connect(str(path)) as con:
        con.execute("CREATE SCHEMA marts")
        con.execute(f"CREATE TABLE marts.projects (id INTEGER, title VARCHAR{extra})")
        for row in rows:
            con.execute(
                f"INSERT INTO marts.projects VALUES (?, ?{', 0' if extra_column else ''})", row
            )
        con.execute("CREATE TABLE marts.data_freshness AS SELECT now() AS delivered_at")
    return str(path)


def test_the_same_rows_in_another_order_are_the_same_marts(tmp_path, capsys):
    before = warehouse(tmp_path / "a.duckdb", [(1, "A"), (2, "B")])
    after = warehouse(tmp_path / "b.duckdb", [(2, "B"), (1, "A")])
    assert main([before, after]) == 0
    assert "projects" in capsys.readouterr().out


def test_one_changed_cell_or_column_is_a_difference(tmp_path):
    before = warehouse(tmp_path / "a.duckdb", [(1, "A"), (2, "B")])
    assert main([before, warehouse(tmp_path / "b.duckdb", [(1, "A"), (2, "C")])]) == 1
    assert main([before, warehouse(tmp_path / "c.duckdb", [(1, "A"), (2, "B")], True)]) == 1

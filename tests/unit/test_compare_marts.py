"""tools/compare_marts.py: the one comparison of marts (a refactor's before and after, the
bench's baseline, a test's "this run changed nothing")."""

from __future__ import annotations

import duckdb

from tools.compare_marts import differences, fingerprints, main


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


def test_a_missing_mart_is_named_and_the_delivery_mart_is_never_compared(tmp_path):
    before = warehouse(tmp_path / "a.duckdb", [(1, "A")])
    after = warehouse(tmp_path / "b.duckdb", [(1, "A")])
    with duckdb.connect(after) as con:
        con.execute("CREATE TABLE marts.regions (code VARCHAR)")
    assert differences(before, after) == {"projects": "", "regions": "only in after"}


def test_a_snapshot_of_the_marts_sees_a_changed_cell_but_not_the_order_of_rows(tmp_path):
    path = warehouse(tmp_path / "a.duckdb", [(1, "A"), (2, "B")])
    snapshot = fingerprints(path)
    with duckdb.connect(path) as con:
        con.execute("CREATE TABLE t AS SELECT * FROM marts.projects ORDER BY id DESC")
        con.execute("DELETE FROM marts.projects")
        con.execute("INSERT INTO marts.projects SELECT * FROM t")
    assert fingerprints(path) == snapshot
    with duckdb.connect(path) as con:
        con.execute("UPDATE marts.projects SET title = 'b' WHERE id = 2")
    assert fingerprints(path) != snapshot

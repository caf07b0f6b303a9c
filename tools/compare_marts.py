"""Are two warehouses' marts the same, to the cell? For a refactor's "before and after".

    python tools/compare_marts.py BEFORE.duckdb AFTER.duckdb

Compares every table of schema `marts` but data_freshness (it says where and when the data
was delivered): the same tables, the same columns in the same order, and the same rows in
any order. Prints one line per mart and exits 1 when any differs.
"""

from __future__ import annotations

import sys

import duckdb

DELIVERY_ONLY = {"data_freshness"}


def marts(con: duckdb.DuckDBPyConnection) -> dict[str, list[str]]:
    rows = con.execute(
        "SELECT table_name, column_name FROM duckdb_columns()"
        " WHERE schema_name = 'marts' ORDER BY table_name, column_index"
    ).fetchall()
    columns: dict[str, list[str]] = {}
    for table, column in rows:
        columns.setdefault(table, []).append(column)
    return {t: c for t, c in columns.items() if t not in DELIVERY_ONLY}


def fingerprint(con: duckdb.DuckDBPyConnection, table: str) -> tuple:
    """Row count and an order-insensitive sum of row hashes."""
    return con.execute(
        f'SELECT count(*), sum(hash(r::VARCHAR)::HUGEINT) FROM marts."{table}" AS r'
    ).fetchone()


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    before, after = (duckdb.connect(path, read_only=True) for path in argv)
    tables_before, tables_after = marts(before), marts(after)
    differ = False
    for table in sorted(tables_before.keys() | tables_after.keys()):
        if tables_before.get(table) != tables_after.get(table):
            verdict = (
                "columns differ"
                if table in tables_before.keys() & tables_after.keys()
                else "missing on one side"
            )
        else:
            a, b = fingerprint(before, table), fingerprint(after, table)
            verdict = "same" if a == b else f"rows differ ({a[0]} / {b[0]} rows)"
        differ |= verdict != "same"
        print(f"{table:28} {verdict}")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

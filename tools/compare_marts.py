"""Are two warehouses' marts the same, to the cell? The project's one comparison of marts:
a refactor's before and after, the bench's pipeline against its baseline, and the tests'
"a run changed nothing".

    python tools/compare_marts.py BEFORE.duckdb AFTER.duckdb

Compares every table of schema `marts` but the delivery's (DELIVERY_ONLY: where and when the
data came, not what it is): the same columns in the same order with the same types, and the
same rows as a multiset (any order; EXCEPT ALL both ways, so numbers must be equal exactly).
Prints one line per mart and exits 1 when any differs.
"""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb

DELIVERY_ONLY = ("data_freshness",)


def _columns(con: duckdb.DuckDBPyConnection, catalog: str) -> dict[str, list[tuple[str, str]]]:
    rows = con.execute(
        "SELECT table_name, column_name, data_type FROM duckdb_columns()"
        " WHERE database_name = ? AND schema_name = 'marts' ORDER BY table_name, column_index",
        [catalog],
    ).fetchall()
    columns: dict[str, list[tuple[str, str]]] = {}
    for table, column, data_type in rows:
        columns.setdefault(table, []).append((column, data_type))
    return {t: c for t, c in columns.items() if t not in DELIVERY_ONLY}


def differences(before: Path | str, after: Path | str) -> dict[str, str]:
    """mart -> what differs ("" when nothing does), for every mart of either file."""
    con = duckdb.connect()
    try:
        con.execute(f"ATTACH '{before}' AS before (READ_ONLY)")
        con.execute(f"ATTACH '{after}' AS after (READ_ONLY)")
        ours, theirs = _columns(con, "before"), _columns(con, "after")
        found = {}
        for mart in sorted(ours.keys() | theirs.keys()):
            if mart not in ours or mart not in theirs:
                found[mart] = f"only in {'before' if mart in ours else 'after'}"
            elif ours[mart] != theirs[mart]:
                found[mart] = f"columns differ: {ours[mart]} / {theirs[mart]}"
            else:
                names = ", ".join(f'"{name}"' for name, _ in ours[mart])
                a = f'SELECT {names} FROM before.marts."{mart}"'
                b = f'SELECT {names} FROM after.marts."{mart}"'
                only_a, only_b = con.execute(
                    f"SELECT (SELECT count(*) FROM ({a} EXCEPT ALL {b})),"
                    f" (SELECT count(*) FROM ({b} EXCEPT ALL {a}))"
                ).fetchone()
                found[mart] = (
                    f"{only_a} rows only before, {only_b} only after" if only_a or only_b else ""
                )
        return found
    finally:
        con.close()


def fingerprints(path: Path | str) -> dict[str, tuple]:
    """Each mart's columns, row count and order-insensitive sum of row hashes: a snapshot of
    one file to compare with the same file later (when there is no copy to diff against)."""
    with duckdb.connect(str(path), read_only=True) as con:
        catalog = con.execute("SELECT current_database()").fetchone()[0]
        return {
            mart: (
                tuple(columns),
                *con.execute(
                    f'SELECT count(*), sum(hash(r::VARCHAR)::HUGEINT) FROM marts."{mart}" AS r'
                ).fetchone(),
            )
            for mart, columns in _columns(con, catalog).items()
        }


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    found = differences(*argv)
    for mart, difference in found.items():
        print(f"{mart:28} {difference or 'same'}")
    return 1 if any(found.values()) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

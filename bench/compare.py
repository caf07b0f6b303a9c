"""Do the pipeline and the baseline publish the same marts? Row for row, every mart.

    python -m bench.compare PUBLISHED.duckdb BASELINE.duckdb

Every table of schema `marts` in the published file is compared with the baseline's table
of the same name: the same columns (names and types), and the same rows as a multiset
(order-insensitive, EXCEPT ALL both ways, so numbers must be equal exactly). The marts the
baseline does not compute (LEFT_OUT: data_freshness describes the delivery, not the data)
are skipped and named.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import duckdb

LEFT_OUT = ("data_freshness",)


def _columns(con: duckdb.DuckDBPyConnection, catalog: str, table: str) -> list[tuple[str, str]]:
    return con.execute(
        "SELECT column_name, data_type FROM duckdb_columns() WHERE database_name = ?"
        " AND schema_name = 'marts' AND table_name = ? ORDER BY column_index",
        [catalog, table],
    ).fetchall()


def differences(published: Path, baseline: Path) -> dict[str, str]:
    """mart -> what differs ("" when nothing does), for every mart of the published file."""
    con = duckdb.connect()
    try:
        con.execute(f"ATTACH '{published}' AS pipeline (READ_ONLY)")
        con.execute(f"ATTACH '{baseline}' AS baseline (READ_ONLY)")
        marts = [
            name
            for (name,) in con.execute(
                "SELECT table_name FROM duckdb_tables() WHERE database_name = 'pipeline'"
                " AND schema_name = 'marts' ORDER BY table_name"
            ).fetchall()
        ]
        found = {}
        for mart in marts:
            if mart in LEFT_OUT:
                continue
            ours, theirs = _columns(con, "pipeline", mart), _columns(con, "baseline", mart)
            if ours != theirs:
                found[mart] = "no such table" if not theirs else f"columns {theirs} != {ours}"
                continue
            names = ", ".join(f'"{name}"' for name, _ in ours)
            a = f"SELECT {names} FROM pipeline.marts.{mart}"
            b = f"SELECT {names} FROM baseline.marts.{mart}"
            only_a, only_b = con.execute(
                f"SELECT (SELECT count(*) FROM ({a} EXCEPT ALL {b})),"
                f" (SELECT count(*) FROM ({b} EXCEPT ALL {a}))"
            ).fetchone()
            found[mart] = (
                f"{only_a} rows only in the pipeline's, {only_b} only in the baseline's"
                if only_a or only_b
                else ""
            )
        return found
    finally:
        con.close()


def marts_differ(published: Path, baseline: Path) -> list[str]:
    """The marts whose columns or rows differ (empty: the same marts)."""
    return [mart for mart, text in differences(published, baseline).items() if text]


if __name__ == "__main__":
    print(json.dumps(differences(Path(sys.argv[1]), Path(sys.argv[2])), indent=1))

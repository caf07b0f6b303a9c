"""Files for people and BI tools, written from the build before it is published.

Every mart as Parquet, and the policy-change list (the results page's "Download a list
of policy changes") as CSV and XLSX. They are published with the warehouse file, by the
same release (see store.py), so the files always match the published marts.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from pipelines.warehouse.load import quote
from pipelines.warehouse.xlsx import write_xlsx

MARTS_SCHEMA = "marts"
POLICY_CHANGES = "policy_changes"
# A spreadsheet reads a cell that starts with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def write_exports(con: duckdb.DuckDBPyConnection, directory: Path) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for table in mart_tables(con):
        target = directory / f"{table}.parquet"
        source = f"{quote(MARTS_SCHEMA)}.{quote(table)}"
        con.execute(f"COPY {source} TO {literal(target)} (FORMAT parquet)")
        written.append(target)
    if POLICY_CHANGES in mart_tables(con):
        changes = f"{quote(MARTS_SCHEMA)}.{quote(POLICY_CHANGES)}"
        written.append(write_csv(con, changes, directory / f"{POLICY_CHANGES}.csv"))
        written.append(
            write_xlsx(con, changes, directory / f"{POLICY_CHANGES}.xlsx", sheet=POLICY_CHANGES)
        )
    return written


def mart_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    rows = con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE schema_name = ? ORDER BY table_name",
        [MARTS_SCHEMA],
    ).fetchall()
    return [name for (name,) in rows]


def literal(value: Path | str) -> str:
    """A SQL string literal, for the few places that take no bound parameter (COPY's target)."""
    return "'" + str(value).replace("'", "''") + "'"


def write_csv(
    con: duckdb.DuckDBPyConnection, relation: str, target: Path, order_by: str | None = None
) -> Path:
    """`relation` (a table's name or a parenthesised SELECT) as UTF-8 CSV with a header, in
    `order_by` order (by all columns when None); text that a spreadsheet would run as a
    formula gets a `'`."""
    columns = [row[:2] for row in con.execute(f"DESCRIBE SELECT * FROM {relation}").fetchall()]
    starts = ", ".join(literal(s) for s in FORMULA_STARTS)
    selects = [
        f"CASE WHEN left({quote(name)}, 1) IN ({starts}) THEN '''' || {quote(name)}"
        f" ELSE {quote(name)} END AS {quote(name)}"
        if data_type == "VARCHAR"
        else quote(name)
        for name, data_type in columns
    ]
    con.execute(
        f"COPY (SELECT {', '.join(selects)} FROM {relation} ORDER BY {order_by or 'ALL'})"
        f" TO {literal(target)} (FORMAT csv, HEADER)"
    )
    return target

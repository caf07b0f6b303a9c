"""Files for people and BI tools, written from the build before it is published.

Every mart as Parquet, and the policy-change list (the results page's "Download a list
of policy changes") as CSV and XLSX. They are published with the warehouse file, by the
same release (see store.py), so the files always match the published marts.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from pipelines.warehouse.load import quote
from pipelines.warehouse.xlsx import write_table_xlsx

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
        written.append(write_csv(con, POLICY_CHANGES, directory / f"{POLICY_CHANGES}.csv"))
        written.append(
            write_table_xlsx(
                con, MARTS_SCHEMA, POLICY_CHANGES, directory / f"{POLICY_CHANGES}.xlsx"
            )
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


def write_csv(con: duckdb.DuckDBPyConnection, table: str, target: Path) -> Path:
    """UTF-8 CSV with a header; text that a spreadsheet would run as a formula gets a `'`."""
    columns = con.execute(
        "SELECT column_name, data_type FROM duckdb_columns()"
        " WHERE schema_name = ? AND table_name = ? ORDER BY column_index",
        [MARTS_SCHEMA, table],
    ).fetchall()
    starts = ", ".join(literal(s) for s in FORMULA_STARTS)
    selects = [
        f"CASE WHEN left({quote(name)}, 1) IN ({starts}) THEN '''' || {quote(name)}"
        f" ELSE {quote(name)} END AS {quote(name)}"
        if data_type == "VARCHAR"
        else quote(name)
        for name, data_type in columns
    ]
    con.execute(
        f"COPY (SELECT {', '.join(selects)} FROM {quote(MARTS_SCHEMA)}.{quote(table)}"
        f" ORDER BY ALL) TO {literal(target)} (FORMAT csv, HEADER)"
    )
    return target

"""Load validated frames into DuckDB raw tables, typed by the contract.

Frames arrive as text (exactly the characters of the file); DuckDB casts them, so an
amount such as 892228.58 becomes DECIMAL(18,2) without ever passing through a float.
Loading replaces the table whole, so a re-run with the same input leaves the same table.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from schemas.contract import Contract, FileSpec

ROW_NUMBER = "_row_number"  # the record's number in its file, 1 = first record after the header


def raw_schema(contract: Contract) -> str:
    return f"raw_{contract.source}"


def quote(identifier: str) -> str:
    """A SQL identifier, quoted: column names come from the files, never trust them."""
    return '"' + identifier.replace('"', '""') + '"'


def load_table(
    con: duckdb.DuckDBPyConnection, schema: str, spec: FileSpec, frame: pd.DataFrame
) -> int:
    """Replace `schema.<spec.table>` with `frame`; returns the rows loaded.

    Contract columns get their contract type; any other column of the frame (schema drift)
    is kept as VARCHAR after them.
    """
    extra = [c for c in frame.columns if c not in spec.column_names and c != ROW_NUMBER]
    selects = [f"CAST({quote(ROW_NUMBER)} AS BIGINT) AS {quote(ROW_NUMBER)}"]
    selects += [f"CAST({quote(c.name)} AS {c.sql_type}) AS {quote(c.name)}" for c in spec.columns]
    selects += [f"CAST({quote(c)} AS VARCHAR) AS {quote(c)}" for c in extra]
    # Text columns go over as Arrow strings: no object-dtype surprises, all-null columns included.
    text = frame.astype("string") if len(frame.columns) else frame
    con.execute(f"CREATE SCHEMA IF NOT EXISTS {quote(schema)}")
    con.register("incoming_frame", text)
    try:
        con.execute(
            f"CREATE OR REPLACE TABLE {quote(schema)}.{quote(spec.table)} AS "
            f"SELECT {', '.join(selects)} FROM incoming_frame ORDER BY {quote(ROW_NUMBER)}"
        )
    finally:
        con.unregister("incoming_frame")
    return len(frame)


def load_export(
    con: duckdb.DuckDBPyConnection, contract: Contract, tables: dict[str, pd.DataFrame]
) -> dict[str, int]:
    """Load every file of a validated export; returns rows loaded per raw table."""
    schema = raw_schema(contract)
    return {
        spec.table: load_table(con, schema, spec, tables[spec.table])
        for spec in contract.load_order()
    }

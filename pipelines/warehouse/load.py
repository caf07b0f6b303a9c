"""Load validated frames into DuckDB raw tables, typed by the contract.

Frames arrive as text (exactly the characters of the file); DuckDB casts them, so an
amount such as 892228.58 becomes DECIMAL(18,2) without ever passing through a float.
Loading replaces the table whole, so a re-run with the same input leaves the same table.

A file that validation read with DuckDB and accepted whole (the fast path, see
pipelines/sources/monitoring/validate.py) arrives as a `CsvFile` instead of a frame: DuckDB
reads it again, straight from disk into the raw table, with the same casts. Its rows never
pass through pandas.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from pipelines.errors import PipelineError
from schemas.contract import Contract, FileSpec
from schemas.sql import literal, quote

ROW_NUMBER = "_row_number"  # the record's number in its file, 1 = first record after the header
SHAPE_OK = "_shape_ok"  # csv_select: false where a record has another number of fields
# DuckDB's null string while reading: a value no export holds, so that an empty field reads
# as '' (NULL then means "no such field in this record"); it is turned into NULL after.
_READ_NULL = "\x01"


def raw_schema(contract: Contract) -> str:
    return f"raw_{contract.source}"


@dataclass(frozen=True)
class CsvFile:
    """A contract file as DuckDB reads it: the rows of `path`, every one accepted."""

    path: Path
    header: tuple[str, ...]  # the header's names, in file order (checked by the parser)
    rows: int  # records, header excluded


def csv_select(path: Path, header: tuple[str, ...] | list[str]) -> str:
    """SQL: the records of a CSV file of the contract's format, as DuckDB reads them.

    Columns: `_row_number` (1 = the first record after the header), every header column as
    text (NULL where the field is empty, quoted or not) and `_shape_ok`, false where the
    record has fewer or more fields than the header. The reader is RFC 4180 and strict,
    one thread (records stay in file order); it fails on what it cannot read (not UTF-8,
    broken quoting, a line over DuckDB's 2 MB). It is lenient where the exact parser is not:
    whitespace around a quoted field, trailing empty fields; parse.read_contract_csv_fast
    rules those files out.
    """
    columns = {name: "VARCHAR" for name in header}
    # One column more than the header: a record with an extra (even empty) field fills it.
    sentinel = "_extra_field"
    while sentinel in columns:
        sentinel += "_"
    columns[sentinel] = "VARCHAR"
    spec = ", ".join(f"{literal(name)}: 'VARCHAR'" for name in columns)
    shape = " AND ".join(
        [f"{quote(sentinel)} IS NULL", *(f"{quote(name)} IS NOT NULL" for name in header)]
    )
    values = ", ".join(f"nullif({quote(name)}, '') AS {quote(name)}" for name in header)
    return (
        f"SELECT row_number() OVER () AS {quote(ROW_NUMBER)}, {values}, ({shape}) AS {SHAPE_OK}"
        f" FROM read_csv({literal(str(path))}, header = true, auto_detect = false,"
        f" columns = {{{spec}}}, delim = ',', quote = '\"', escape = '\"',"
        f" strict_mode = true, null_padding = true, parallel = false,"
        f" nullstr = {literal(_READ_NULL)}, allow_quoted_nulls = false, encoding = 'utf-8')"
    )


def csv_record_count(path: Path, header: tuple[str, ...] | list[str]) -> str:
    """SQL: the number of records by DuckDB's parallel reader, which, unlike the one-thread
    reader of csv_select, fails on a quoted field still open at the end of the file (the
    one-thread reader drops it). A file both read alike has the same count in both."""
    spec = ", ".join(f"{literal(name)}: 'VARCHAR'" for name in header)
    return (
        f"SELECT count(*) FROM read_csv({literal(str(path))}, header = true,"
        f" auto_detect = false, columns = {{{spec}}}, delim = ',', quote = '\"',"
        f" escape = '\"', strict_mode = true, null_padding = false, parallel = true,"
        f" encoding = 'utf-8')"
    )


def _selects(spec: FileSpec, present: list[str] | tuple[str, ...], extra: list[str]) -> list[str]:
    selects = [f"CAST({quote(ROW_NUMBER)} AS BIGINT) AS {quote(ROW_NUMBER)}"]
    for c in spec.columns:
        value = quote(c.name) if c.name in present else "NULL"  # an optional column left out
        selects.append(f"CAST({value} AS {c.sql_type}) AS {quote(c.name)}")
    selects += [f"CAST({quote(c)} AS VARCHAR) AS {quote(c)}" for c in extra]
    return selects


def load_table(
    con: duckdb.DuckDBPyConnection, schema: str, spec: FileSpec, frame: pd.DataFrame
) -> int:
    """Replace `schema.<spec.table>` with `frame`; returns the rows loaded.

    Contract columns get their contract type; any other column of the frame (schema drift)
    is kept as VARCHAR after them.
    """
    extra = [c for c in frame.columns if c not in spec.column_names and c != ROW_NUMBER]
    selects = _selects(spec, spec.column_names, extra)
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


def load_csv_table(
    con: duckdb.DuckDBPyConnection, schema: str, spec: FileSpec, file: CsvFile
) -> int:
    """Replace `schema.<spec.table>` with every record of `file`, read and cast by DuckDB.

    The same table as load_table of the file's frame: `_row_number`, the contract's columns
    in contract order and types (an optional column the header lacks is NULL), then the
    header's other columns as VARCHAR, in file order.
    """
    extra = [h for h in file.header if h not in spec.column_names]
    selects = _selects(spec, file.header, extra)
    table = f"{quote(schema)}.{quote(spec.table)}"
    con.execute(f"CREATE SCHEMA IF NOT EXISTS {quote(schema)}")
    con.execute(
        f"CREATE OR REPLACE TABLE {table} AS SELECT {', '.join(selects)}"
        f" FROM ({csv_select(file.path, file.header)}) ORDER BY {quote(ROW_NUMBER)}"
    )
    loaded = con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    if loaded != file.rows:  # the landed file is immutable: this is a bug, never data
        raise PipelineError(f"{spec.name}: loaded {loaded} rows where validation read {file.rows}")
    return loaded


class LoadedRows(dict):
    """Rows loaded per raw table, and when the loading ran (epoch seconds)."""

    started_at: float = 0.0
    ended_at: float = 0.0

    @property
    def seconds(self) -> float:
        return self.ended_at - self.started_at


def load_export(
    con: duckdb.DuckDBPyConnection, contract: Contract, tables: Mapping[str, pd.DataFrame]
) -> LoadedRows:
    """Load every file of a validated export; returns rows loaded per raw table.

    `tables` maps each table to its frame; a mapping with a `csv_file(table)` method (the
    monitoring validator's) may instead name a file to load straight from disk.
    """
    schema = raw_schema(contract)
    csv_file = getattr(tables, "csv_file", None)
    loaded = LoadedRows()
    loaded.started_at = time.time()
    for spec in contract.load_order():
        file = csv_file(spec.table) if csv_file is not None else None
        loaded[spec.table] = (
            load_csv_table(con, schema, spec, file)
            if file is not None
            else load_table(con, schema, spec, tables[spec.table])
        )
    loaded.ended_at = time.time()
    return loaded

"""Read one file of the monitoring export into a text frame, as the contract's "File format" says.

CSV, UTF-8 (a leading BOM may be present), comma, RFC 4180 quoting (fields may hold commas,
quotes and newlines), one header row, LF or CRLF. Columns are found by header name in any
order; columns beyond the contract are kept and reported as drift. An empty field is null.

Every value stays text (pandas "string" dtype, <NA> for null): the Pandera schemas check the
forms, the loader casts. `_row_number` is the record's number, 1 = first record after the
header (a quoted field spanning several lines is still one record).

What makes the file unreadable as a whole raises ContractError naming the file (and the row
or column where known): not UTF-8, empty, a required column missing, a header name twice,
a record with another number of fields than the header, a record count other than the
manifest's.

read_contract_csv_fast reads the same file with DuckDB's CSV reader into a DuckDB table,
ten times faster and without pandas, and gives up (None) on anything it might read
differently from read_contract_csv: the caller then uses read_contract_csv, whose errors
and values are the specification.
"""

from __future__ import annotations

import codecs
import csv
import mmap
import re
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from pipelines.errors import ContractError
from pipelines.sources.csv_format import StrictDialect, allow_long_fields
from pipelines.warehouse.load import ROW_NUMBER, SHAPE_OK, csv_record_count, csv_select, quote
from schemas.contract import FileSpec

TEXT_DTYPE = "string"  # pandas StringDtype: str values, pd.NA for null
_SNIFF_BYTES = 4096
_CHUNK_BYTES = 1 << 20


@dataclass
class ParsedFile:
    frame: pd.DataFrame  # _row_number, contract columns in contract order, then extra columns
    extra_columns: list[str]  # header names beyond the contract, in file order (schema drift)
    # Optional contract columns the header lacks: added to the frame as all-null columns.
    missing_optional_columns: list[str] = field(default_factory=list)


def read_contract_csv(
    path: Path,
    spec: FileSpec,
    *,
    display_name: str | None = None,
    expected_rows: int | None = None,
) -> ParsedFile:
    """Parse `path` as the contract file `spec`; raise ContractError if it cannot be read."""
    path = Path(path)
    name = display_name or path.name
    _check_encoding_signature(path, name)
    allow_long_fields()

    try:
        with open(path, encoding="utf-8-sig", errors="strict", newline="") as handle:
            header, columns, records = _read_records(handle, name, spec)
    except UnicodeDecodeError:
        raise _utf8_error(path, name) from None

    if expected_rows is not None and records != expected_rows:
        raise ContractError(
            name,
            f"has {records} records but the manifest says {expected_rows} "
            "(rows counts records, header excluded)",
        )

    contract_names = spec.column_names
    missing = [c for c in contract_names if c not in header]
    extra = [h for h in header if h not in contract_names]

    n = records
    data: dict[str, pd.Series] = {ROW_NUMBER: pd.Series(np.arange(1, n + 1, dtype="int64"))}
    position = {h: i for i, h in enumerate(header)}
    for column in [*contract_names, *extra]:
        if column in position:
            data[column] = _text_series(columns[position[column]])
            columns[position[column]] = []  # free the list as soon as it is copied
        else:
            data[column] = pd.Series(pd.array([None] * n, dtype=TEXT_DTYPE))
    frame = pd.DataFrame(data, copy=False)
    frame.index = pd.RangeIndex(n)
    return ParsedFile(frame=frame, extra_columns=extra, missing_optional_columns=missing)


def _read_records(handle, name: str, spec: FileSpec) -> tuple[list[str], list[list[str]], int]:
    """The header, the values column by column, and the number of records."""
    reader = csv.reader(handle, dialect=StrictDialect)
    header: list[str] | None = None
    record = 0
    try:
        for fields in reader:
            if not fields:
                continue  # a blank line is no record (as in csv.DictReader)
            if header is None:
                header = _check_header(fields, name, spec)
                width = len(header)
                columns: list[list[str]] = [[] for _ in header]
                appenders = [c.append for c in columns]
                continue
            record += 1
            if len(fields) != width:
                raise ContractError(
                    name,
                    f"has {len(fields)} fields where the header has {width} "
                    f"(record ending on line {reader.line_num})",
                    row=record,
                )
            for append, value in zip(appenders, fields, strict=False):  # same length: checked
                append(value)
    except csv.Error as exc:
        raise ContractError(
            name, f"is not valid CSV near line {reader.line_num}: {exc}", row=record + 1
        ) from None
    if header is None:
        raise ContractError(name, "is empty: no header row")
    return header, columns, record


def _check_header(fields: list[str], name: str, spec: FileSpec) -> list[str]:
    unnamed = [i + 1 for i, h in enumerate(fields) if h == ""]
    if unnamed:
        raise ContractError(
            name, f"header has an unnamed column at position {', '.join(map(str, unnamed))}"
        )
    if ROW_NUMBER in fields:
        raise ContractError(
            name,
            f"header has a column named {ROW_NUMBER}, a name the pipeline reserves",
            column=ROW_NUMBER,
        )
    seen: set[str] = set()
    duplicates = [h for h in fields if h in seen or seen.add(h)]
    if duplicates:
        duplicates = list(dict.fromkeys(duplicates))
        raise ContractError(
            name,
            f"header names a column more than once: {', '.join(duplicates)}",
            column=duplicates[0],
        )
    missing = [c.name for c in spec.columns if c.required and c.name not in seen]
    if missing:
        raise ContractError(
            name,
            f"required column{'s' if len(missing) > 1 else ''} missing from the header: "
            f"{', '.join(missing)}{_near_misses(missing, fields)}",
            column=missing[0],
        )
    return fields


def _text_series(values: list[str]) -> pd.Series:
    """Text as pandas "string"; the empty field is null."""
    array = pd.array(values, dtype=TEXT_DTYPE)
    array[array == ""] = pd.NA
    return pd.Series(array, copy=False)


def _near_misses(missing: list[str], header: list[str]) -> str:
    """A hint when the header has the column with other case or surrounding spaces."""
    hints = [
        f"{h!r} for {m!r}"
        for m in missing
        for h in header
        if h != m and h.strip().lower() == m.lower()
    ]
    return f" (the header has {', '.join(hints)}; names must match exactly)" if hints else ""


def _check_encoding_signature(path: Path, name: str) -> None:
    """UTF-16/32 files would otherwise fail with a puzzling byte or a missing column."""
    with open(path, "rb") as handle:
        head = handle.read(_SNIFF_BYTES)
    for bom, encoding in (
        (codecs.BOM_UTF32_LE, "UTF-32"),
        (codecs.BOM_UTF32_BE, "UTF-32"),
        (codecs.BOM_UTF16_LE, "UTF-16"),
        (codecs.BOM_UTF16_BE, "UTF-16"),
    ):
        if head.startswith(bom):
            raise ContractError(
                name,
                f"is encoded as {encoding} (it starts with the byte order mark "
                f"{bom.hex(' ').upper()}); the contract requires UTF-8",
            )
    nul = head.find(b"\x00")
    if nul >= 0:
        raise ContractError(
            name,
            f"contains NUL bytes (first at byte offset {nul}): it looks like "
            "UTF-16 or a binary file; the contract requires UTF-8 text",
        )


def _utf8_error(path: Path, name: str) -> ContractError:
    """Locate the first byte that is not UTF-8: its offset and line."""
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    offset = 0
    line = 1
    with open(path, "rb") as handle:
        while True:
            chunk = handle.read(_CHUNK_BYTES)
            pending = decoder.getstate()[0]
            try:
                decoder.decode(chunk, final=not chunk)
            except UnicodeDecodeError as exc:
                data = pending + chunk
                bad = offset - len(pending) + exc.start
                line += data[: exc.start].count(b"\n")
                byte = data[exc.start : exc.start + 1].hex().upper()
                what = f"byte 0x{byte}" if byte else "a truncated character"
                return ContractError(
                    name,
                    f"is not valid UTF-8: {what} at byte offset {bad} (line {line}, "
                    f"{exc.reason}); the contract requires UTF-8",
                )
            if not chunk:
                break
            line += chunk.count(b"\n")
            offset += len(chunk)
    return ContractError(name, "is not valid UTF-8; the contract requires UTF-8")


# --- the fast path: DuckDB's reader, where it reads exactly what read_contract_csv reads ----


@dataclass
class FastRead:
    """A file read by DuckDB into the table `table`: `_row_number`, then the header's
    columns as text (NULL where empty), in file order."""

    table: str
    header: list[str]
    extra_columns: list[str]
    missing_optional_columns: list[str]
    rows: int


def read_contract_csv_fast(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    spec: FileSpec,
    *,
    table: str,
    expected_rows: int | None = None,
) -> FastRead | None:
    """Read `path` as the contract file `spec` into the DuckDB table `table`, or return None.

    None means "read it with read_contract_csv": the file is not one that both readers
    certainly read alike (an error of either, a record of another width, whitespace around
    a quoted field, a quote open at the end, a blank first line, another record count than
    the manifest's). Values and record numbers are those read_contract_csv gives for every
    file it accepts here (tests/unit/test_bench_fast_path.py fuzzes that).
    """
    path = Path(path)
    try:
        _check_encoding_signature(path, path.name)
        header = _read_header(path, spec)
        if header is None or _has_lenient_quoting(path):
            return None
        con.execute(f"CREATE OR REPLACE TEMP TABLE {quote(table)} AS {csv_select(path, header)}")
        rows, misshapen = con.execute(
            f"SELECT count(*), count(*) FILTER (WHERE NOT {SHAPE_OK}) FROM {quote(table)}"
        ).fetchone()
        if not misshapen:  # a quote left open at the end: the other reader fails on it
            misshapen = con.execute(csv_record_count(path, header)).fetchone()[0] != rows
    except (
        ContractError,
        UnicodeDecodeError,
        OSError,
        ValueError,
        StopIteration,
        csv.Error,
        duckdb.Error,
    ):
        con.execute(f"DROP TABLE IF EXISTS {quote(table)}")
        return None
    if misshapen or (expected_rows is not None and rows != expected_rows):
        con.execute(f"DROP TABLE IF EXISTS {quote(table)}")
        return None
    contract_names = spec.column_names
    return FastRead(
        table=table,
        header=header,
        extra_columns=[h for h in header if h not in contract_names],
        missing_optional_columns=[c for c in contract_names if c not in header],
        rows=rows,
    )


def _read_header(path: Path, spec: FileSpec) -> list[str] | None:
    """The header, checked as read_contract_csv checks it; None if it is not the first line."""
    with open(path, encoding="utf-8-sig", errors="strict", newline="") as handle:
        first = handle.read(1)
        if first in ("", "\r", "\n"):  # empty, or a blank line first: the exact reader decides
            return None
        handle.seek(0)
        fields = next(csv.reader(handle, dialect=StrictDialect))
    return _check_header(fields, path.name, spec)


_QUOTE = ord('"')
_BLANK = b" \t"
_FIELD_END = b",\r\n"
_BOM = codecs.BOM_UTF8


def _has_lenient_quoting(path: Path) -> bool:
    """True where DuckDB's reader would trim whitespace around a quoted field.

    `"a" ,` and `, "a"` are errors (or literal text) to the exact reader; DuckDB reads `a`.
    Only the literal byte pairs quote-blank and blank-quote are searched (fast), then
    their surroundings; a pair inside a quoted field's text may be reported too (the file
    then takes the exact reader: slower, never wrong).
    """
    if path.stat().st_size == 0:
        return False
    with open(path, "rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
        n = len(data)
        for pair in (b'" ', b'"\t'):
            for found in re.finditer(re.escape(pair), data):
                end = found.end()
                while end < n and data[end] in _BLANK:
                    end += 1
                if end == n or data[end] in _FIELD_END:  # a closing quote, blanks, field end
                    return True
        for pair in (b' "', b'\t"'):
            for found in re.finditer(re.escape(pair), data):
                start = found.start()
                while start > 0 and data[start - 1] in _BLANK:
                    start -= 1
                at_field_start = (
                    start == 0
                    or data[start - 1] in _FIELD_END
                    or (start == len(_BOM) and data[:start] == _BOM)
                )
                if not at_field_start:
                    continue
                quotes = found.end() - 1
                run = 0
                while quotes + run < n and data[quotes + run] == _QUOTE:
                    run += 1
                if run % 2:  # an opening quote (and escaped quotes)
                    return True
                end = quotes + run  # `""`: an empty quoted field, if only blanks follow
                while end < n and data[end] in _BLANK:
                    end += 1
                if end == n or data[end] in _FIELD_END:
                    return True
    return False

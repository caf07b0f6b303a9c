"""Read a keep.eu export file into one frame per sheet: cells as read, plus where they were.

A frame has `source_row_number` (the record's number, 1 = first record after the header),
`source_line` (the sheet row as Excel numbers it, or the CSV line the record starts on)
and one column per field of the layout (keep_contract.py) holding the cells as read:
text, numbers, dates; None for an empty cell. Converting them is the rules' job
(schemas/keep.py), after validation.

* Workbooks: the header is the first of the sheet's first 10 rows that has the sheet's
  required columns; empty rows are no records. Excel serial numbers in date columns
  become dates here, with the workbook's own date system (1900 or 1904).
* CSV: UTF-8 (a BOM may lead), `;` or `,` as the header line shows, RFC 4180 quotes (a
  quoted field may hold `;` and line breaks). A record that cannot be read (broken
  quoting, another number of fields than the header) is kept apart as `unreadable`,
  with its line numbers, and never loaded.

What makes a whole file unreadable (not a workbook, no header, a required column
missing) raises ContractError naming the file and sheet.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
from openpyxl.utils.datetime import from_excel
from openpyxl.utils.exceptions import InvalidFileException

from pipelines.errors import ContractError
from pipelines.sources.keep.detect import (
    CSV,
    csv_sheet,
    file_kind,
    normalise_name,
    workbook_sheets,
)
from schemas.keep_contract import Sheet

ROW = "source_row_number"
LINE = "source_line"
HEADER_SEARCH_ROWS = 10
MAX_EXCEL_SERIAL = 2_958_465  # 9999-12-31
_FIELD_SIZE_LIMIT = 1 << 30  # long descriptions must not trip csv's 128 KiB default


@dataclass(frozen=True)
class Unreadable:
    """A record that could not be read: quarantined as a whole."""

    row_number: int
    line: int
    last_line: int
    problem: str
    value: str | None = None


@dataclass
class SheetRead:
    sheet: Sheet  # the layout's declaration
    file: str  # how audit tables name it: "<input> [<sheet>]", or the CSV file's name
    sheet_name: str | None  # as the workbook spells it; None for a CSV file
    frame: pd.DataFrame
    unreadable: list[Unreadable] = field(default_factory=list)
    drift: list[str] = field(default_factory=list)  # headers the layout does not know

    @property
    def rows_read(self) -> int:
        return len(self.frame) + len(self.unreadable)

    def where(self, line: int) -> str:
        return f"line {line}" if self.sheet_name is None else f"sheet row {line}"


def read_export(path: Path, name: str) -> list[SheetRead]:
    """Every sheet of the export at `path` (named `name` in messages)."""
    path = Path(path)
    with path.open("rb") as handle:
        head = handle.read(8)
    if file_kind(head, name) == CSV:
        return [_read_csv(path, name)]
    return _read_workbook(path, name)


# --- workbooks ------------------------------------------------------------------------------


def _read_workbook(path: Path, name: str) -> list[SheetRead]:
    # A file object, not the path: openpyxl would judge the file by its name's extension,
    # and landed or archived files may be named anything.
    with path.open("rb") as handle:
        try:
            workbook = openpyxl.load_workbook(handle, read_only=True, data_only=True)
        except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as exc:
            raise ContractError(name, f"is not a readable XLSX workbook ({exc})") from None
        return _read_sheets(workbook, name)


def _read_sheets(workbook, name: str) -> list[SheetRead]:
    try:
        reads = []
        for sheet, sheet_name in workbook_sheets(workbook.sheetnames, name):
            worksheet = workbook[sheet_name]
            worksheet.reset_dimensions()  # some writers record wrong dimensions
            rows = worksheet.iter_rows(values_only=True)
            label = f"{name} [{sheet_name}]"
            reads.append(_read_rows(sheet, label, sheet_name, enumerate(rows, 1), workbook.epoch))
        return reads
    finally:
        workbook.close()


def _read_rows(
    sheet: Sheet, label: str, sheet_name: str, rows: Iterator[tuple[int, tuple]], epoch
) -> SheetRead:
    header, first = None, None
    for line, row in rows:
        if first is None and any(v is not None for v in row):
            first = row
        if _has_required(sheet, row):
            header = [None if v is None else str(v) for v in row]
            break
        if line >= HEADER_SEARCH_ROWS:
            break
    if header is None:
        found = ", ".join(repr(str(v)) for v in first or () if v is not None) or "empty"
        raise ContractError(
            label,
            f"has no header row with {_required(sheet)} in its first {HEADER_SEARCH_ROWS}"
            f" rows; its first row is {found}",
        )
    positions, drift = _map_header(sheet, header, label)
    dates = {f.name for f in sheet.fields if f.rule in ("date", "end_date")}
    columns: dict[str, list[Any]] = {ROW: [], LINE: [], **{f.name: [] for f in sheet.fields}}
    for line, row in rows:
        cells = [_cell(v) for v in row]
        if all(v is None for v in cells):
            continue  # an empty row is no record
        columns[ROW].append(len(columns[ROW]) + 1)
        columns[LINE].append(line)
        for f in sheet.fields:
            position = positions.get(f.name)
            value = cells[position] if position is not None and position < len(cells) else None
            if f.name in dates:
                value = _excel_date(value, epoch)
            columns[f.name].append(value)
    return SheetRead(sheet, label, sheet_name, _frame(columns), drift=drift)


def _cell(value: Any) -> Any:
    if isinstance(value, str):
        return value.strip() or None
    return value


def _excel_date(value: Any, epoch) -> Any:
    """A serial number in a date column is a date in the workbook's date system."""
    is_number = isinstance(value, int | float) and not isinstance(value, bool)
    if is_number and 0 < value <= MAX_EXCEL_SERIAL:
        return from_excel(value, epoch=epoch)
    return value


# --- CSV --------------------------------------------------------------------------------------


class _Dialect(csv.Dialect):
    delimiter = ";"
    quotechar = '"'
    doublequote = True
    skipinitialspace = False
    lineterminator = "\n"  # ignored by the reader, which accepts \n, \r\n and \r
    quoting = csv.QUOTE_MINIMAL
    strict = True  # `"abc"def` is an error (the record is quarantined), not `abcdef`


def _read_csv(path: Path, name: str) -> SheetRead:
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ContractError(
            name, f"is not UTF-8 text (byte offset {exc.start}); keep.eu CSV files are UTF-8"
        ) from None
    if csv.field_size_limit() < _FIELD_SIZE_LIMIT:
        csv.field_size_limit(_FIELD_SIZE_LIMIT)
    first_line = text.split("\n", 1)[0]
    dialect = type("Dialect", (_Dialect,), {"delimiter": _delimiter(first_line)})
    reader = csv.reader(io.StringIO(text, newline=""), dialect=dialect)
    records = _csv_records(reader)
    header = None
    for line, _last, fields, problem in records:
        if problem is not None:
            raise ContractError(name, f"line {line}: the header cannot be read ({problem})")
        if any(v.strip() for v in fields):
            header = fields
            break
    if header is None:
        raise ContractError(name, "is empty: no header row")
    sheet = csv_sheet(header, name)
    positions, drift = _map_header(sheet, header, name)
    columns: dict[str, list[Any]] = {ROW: [], LINE: [], **{f.name: [] for f in sheet.fields}}
    unreadable: list[Unreadable] = []
    number = 0
    for line, last, fields, problem in records:
        if problem is None and not any(v.strip() for v in fields):
            continue  # a blank line is no record
        number += 1
        if problem is None and len(fields) != len(header):
            problem = f"has {len(fields)} fields where the header has {len(header)}"
        if problem is not None:
            lines = f"line {line}" if last == line else f"lines {line}-{last}"
            value = dialect.delimiter.join(fields)[:200] if fields else None
            unreadable.append(Unreadable(number, line, last, f"{lines}: {problem}", value))
            continue
        columns[ROW].append(number)
        columns[LINE].append(line)
        for f in sheet.fields:
            position = positions.get(f.name)
            columns[f.name].append(_cell(fields[position]) if position is not None else None)
    return SheetRead(sheet, name, None, _frame(columns), unreadable=unreadable, drift=drift)


def _delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in (";", ",", "\t")}
    return max(counts, key=lambda d: counts[d]) if any(counts.values()) else ";"


def _csv_records(reader) -> Iterator[tuple[int, int, list[str], str | None]]:
    """(first line, last line, fields, problem) per record; a broken one has a problem."""
    previous = 0
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:  # the reader goes on with the next line
            yield previous + 1, reader.line_num, [], f"is not valid CSV ({exc})"
        else:
            yield previous + 1, reader.line_num, fields, None
        previous = reader.line_num


# --- headers and frames --------------------------------------------------------------------------


def _has_required(sheet: Sheet, row: Iterable[Any]) -> bool:
    present = {normalise_name(v) for v in row if v is not None}
    return all(normalise_name(h) in present for h in sheet.required_headers)


def _required(sheet: Sheet) -> str:
    return ", ".join(repr(h) for h in sheet.required_headers)


def _map_header(
    sheet: Sheet, header: list[str | None], label: str
) -> tuple[dict[str, int], list[str]]:
    """Field -> column position, and the headers beyond the layout (schema drift)."""
    wanted = {normalise_name(f.header): f.name for f in sheet.fields}
    ignored = {normalise_name(h) for h in sheet.ignored}
    positions: dict[str, int] = {}
    drift: list[str] = []
    for position, text in enumerate(header):
        if text is None or not str(text).strip():
            continue
        key = normalise_name(text)
        if key in wanted:
            name = wanted[key]
            if name in positions:
                raise ContractError(label, f"has the column {text!r} twice", column=str(text))
            positions[name] = position
        elif key not in ignored and str(text).strip() not in drift:
            drift.append(str(text).strip())
    missing = [f.header for f in sheet.fields if f.required and f.name not in positions]
    if missing:
        raise ContractError(
            label,
            f"lacks the column{'s' if len(missing) > 1 else ''} {', '.join(map(repr, missing))};"
            f" its header is {', '.join(repr(h) for h in header if h)}",
            column=missing[0],
        )
    return positions, drift


def _frame(columns: dict[str, list[Any]]) -> pd.DataFrame:
    frame = pd.DataFrame({k: pd.Series(v, dtype=object) for k, v in columns.items()})
    frame[ROW] = frame[ROW].astype("int64")
    frame[LINE] = frame[LINE].astype("int64")
    return frame.reset_index(drop=True)

"""Read a keep.eu export file into one frame per sheet: cells as read, plus where they were.

A frame has `source_row_number` (the record's number, 1 = first record after the header),
`source_line` (the sheet row as Excel numbers it, or the CSV line the record starts on)
and one column per field of the layout (keep_contract.py) holding the cells as read:
text, numbers, dates; None for an empty cell. Converting them is the rules' job
(schemas/keep.py), after validation.

* Workbooks: bounded first (limits.py: size, declared uncompressed sizes, compression
  ratio), then read with python-calamine (a sheet in one call, in Rust), with openpyxl only
  for a workbook with error cells (calamine reads `#N/A` as empty) or formula cells. The
  header is the first of the sheet's first 10 rows that has the sheet's required columns;
  empty rows are no records. Excel serial numbers in date columns become dates here, with
  the workbook's own date system (1900 or 1904). A string cell holding `=HYPERLINK(...)`
  is that text, and a formula cell is its formula's text, `=HYPERLINK(...)`: never
  evaluated, and never its cached value (calamine's reading), which is missing when the
  workbook was saved by a program that does not compute formulas (openpyxl), so the cell
  would be loaded as null, and may be stale. keep.eu writes no formulas: a typed column's
  rule quarantines one, a text column keeps it as text.
* CSV: UTF-8 (a BOM may lead; UTF-16 or other bytes fail naming the file, the byte offset
  and line), `;` or `,` as the header line shows, RFC 4180 quotes (a
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
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula
from python_calamine import CalamineWorkbook

from pipelines.errors import ContractError
from pipelines.sources.csv_format import allow_long_fields, strict_dialect
from pipelines.sources.keep.detect import (
    CSV,
    csv_sheet,
    file_kind,
    normalise_name,
    workbook_sheets,
)
from pipelines.sources.keep.limits import (
    DEFAULT_LIMITS,
    WorkbookLimits,
    check_file_size,
    scan_workbook,
)
from schemas.keep_contract import Sheet

ROW = "source_row_number"
LINE = "source_line"
HEADER_SEARCH_ROWS = 10
MAX_EXCEL_SERIAL = 2_958_465  # 9999-12-31


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


def read_export(path: Path, name: str, limits: WorkbookLimits = DEFAULT_LIMITS) -> list[SheetRead]:
    """Every sheet of the export at `path` (named `name` in messages), within `limits`."""
    path = Path(path)
    with path.open("rb") as handle:
        head = handle.read(8)
    if file_kind(head, name) == CSV:
        check_file_size(path, name, limits)
        return [_read_csv(path, name)]
    return _read_workbook(path, name, limits)


# --- workbooks ------------------------------------------------------------------------------


def _read_workbook(path: Path, name: str, limits: WorkbookLimits) -> list[SheetRead]:
    """Bounds first (limits.py), then python-calamine; openpyxl for error or formula cells.

    calamine reads a sheet in one call, in Rust, at about ten times openpyxl's speed. It
    reads an error cell (`#N/A`) as empty, where openpyxl gives its text, which a rule then
    quarantines: a workbook with error cells is read with openpyxl, so that it is never
    loaded as nulls. A formula cell calamine reads as its cached value, or as empty when
    there is none: openpyxl gives its formula's text. The scan of limits.py says whether
    a workbook has either (keep.eu writes neither).
    """
    check_file_size(path, name, limits)
    try:
        with zipfile.ZipFile(path) as archive:
            facts = scan_workbook(archive, name, limits)
    except zipfile.BadZipFile as exc:
        raise ContractError(name, f"is not a readable XLSX workbook ({exc})") from None
    if facts.has_error_cells or facts.has_formulas:
        return _read_workbook_openpyxl(path, name)
    # A file object, not the path: calamine would judge the file by its name's extension,
    # and landed or archived files may be named anything.
    try:
        with path.open("rb") as handle:
            workbook = CalamineWorkbook.from_filelike(handle)
    except Exception as exc:  # CalamineError, ZipError, XmlError, ...
        raise ContractError(name, f"is not a readable XLSX workbook ({exc})") from None
    epoch = CALENDAR_MAC_1904 if facts.date_1904 else CALENDAR_WINDOWS_1900
    try:
        reads = []
        for sheet, sheet_name in workbook_sheets(workbook.sheet_names, name):
            label = f"{name} [{sheet_name}]"
            try:
                rows = workbook.get_sheet_by_name(sheet_name).to_python(skip_empty_area=False)
            except Exception as exc:
                raise ContractError(label, f"cannot be read ({exc})") from None
            reads.append(_read_table(sheet, label, sheet_name, rows, epoch))
        return reads
    finally:
        workbook.close()


def _read_table(sheet: Sheet, label: str, sheet_name: str, rows: list[list], epoch) -> SheetRead:
    """A sheet as calamine gives it: rows from A1, every row as wide, "" for an empty cell."""
    head = [[_header_cell(v) for v in row] for row in rows[:HEADER_SEARCH_ROWS]]
    line = _header_line(sheet, label, head)
    header = [None if v is None else str(v) for v in head[line - 1]]
    positions, drift = _map_header(sheet, header, label)
    # An empty row is no record (the first cell decides for nearly every row).
    kept = [
        n
        for n, row in enumerate(rows[line:], line + 1)
        if (first := row[0]).__class__ is not str or first.strip() or _has_value(row)
    ]
    cells = list(zip(*(rows[n - 1] for n in kept), strict=True)) if kept else []
    dates = {f.name for f in sheet.fields if f.rule in ("date", "end_date")}
    columns: dict[str, list[Any]] = {ROW: list(range(1, len(kept) + 1)), LINE: kept}
    for f in sheet.fields:
        position = positions.get(f.name)
        if position is None or not kept:
            columns[f.name] = [None] * len(kept)
            continue
        values = [
            (v.strip() or None) if v.__class__ is str else _cell_value(v) for v in cells[position]
        ]
        if f.name in dates:
            values = [_excel_date(v, epoch) for v in values]
        columns[f.name] = values
    return SheetRead(sheet, label, sheet_name, _frame(columns), drift=drift)


def _has_value(row: list) -> bool:
    return any(value.__class__ is not str or value.strip() for value in row)


def _cell_value(value: Any) -> Any:
    """A calamine cell as openpyxl gave it: text trimmed, "" None, dates as datetimes."""
    if value.__class__ is str:
        return value.strip() or None
    if value.__class__ is date:
        return datetime(value.year, value.month, value.day)
    return value


def _header_cell(value: Any) -> Any:
    if value.__class__ is str:
        return value if value.strip() else None
    if value.__class__ is float and value.is_integer():
        return int(value)  # a header cell 2016 is "2016", as openpyxl read it
    return _cell_value(value)


def _header_line(sheet: Sheet, label: str, rows: Iterable[Sequence[Any]]) -> int:
    """The sheet row (1 = first) of the header: the first of the first 10 with its columns."""
    first = None
    seen: list[Sequence[Any]] = []
    for line, row in enumerate(rows, 1):
        seen.append(row)
        if first is None and any(v is not None for v in row):
            first = row
        if _has_required(sheet, row):
            return line
        if line >= HEADER_SEARCH_ROWS:
            break
    _lacks_columns(sheet, label, seen)
    found = ", ".join(repr(str(v)) for v in first or () if v is not None) or "empty"
    raise ContractError(
        label,
        f"has no header row with {_required(sheet)} in its first {HEADER_SEARCH_ROWS}"
        f" rows; its first row is {found}",
    )


def _lacks_columns(sheet: Sheet, label: str, rows: Sequence[Sequence[Any]]) -> None:
    """A header row that lacks required columns fails naming them (not "no header row").

    The row with most of the layout's headers among the first rows is taken for the header
    when it has at least half of the sheet's columns (a title row or data has none).
    """
    known = {normalise_name(h) for h in (*(f.header for f in sheet.fields), *sheet.ignored)}
    best, best_line, best_count = None, 0, 0
    for line, row in enumerate(rows, 1):
        count = sum(normalise_name(v) in known for v in row if v is not None)
        if count > best_count:
            best, best_line, best_count = row, line, count
    if best is None or best_count * 2 < len(sheet.fields):
        return
    present = {normalise_name(v) for v in best if v is not None}
    missing = [h for h in sheet.required_headers if normalise_name(h) not in present]
    raise ContractError(
        label,
        f"lacks the column{'s' if len(missing) > 1 else ''} {', '.join(map(repr, missing))};"
        f" its header (sheet row {best_line}) is"
        f" {', '.join(repr(str(v)) for v in best if v is not None)}",
        column=missing[0],
    )


def _read_workbook_openpyxl(path: Path, name: str) -> list[SheetRead]:
    # A file object, not the path: openpyxl would judge the file by its name's extension.
    # Not data_only: a formula cell is its formula's text, never a cached value that may be
    # missing (the cell was loaded as null) or stale.
    with path.open("rb") as handle:
        try:
            workbook = openpyxl.load_workbook(handle, read_only=True, data_only=False)
        except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as exc:
            raise ContractError(name, f"is not a readable XLSX workbook ({exc})") from None
        try:
            reads = []
            for sheet, sheet_name in workbook_sheets(workbook.sheetnames, name):
                worksheet = workbook[sheet_name]
                worksheet.reset_dimensions()  # some writers record wrong dimensions
                rows = worksheet.iter_rows(values_only=True)
                label = f"{name} [{sheet_name}]"
                reads.append(_read_rows(sheet, label, sheet_name, rows, workbook.epoch))
            return reads
        finally:
            workbook.close()


def _read_rows(
    sheet: Sheet, label: str, sheet_name: str, rows: Iterator[tuple], epoch
) -> SheetRead:
    head: list[tuple] = []
    for row in rows:
        head.append(row)
        if _has_required(sheet, row) or len(head) >= HEADER_SEARCH_ROWS:
            break
    header_line = _header_line(sheet, label, head)
    header = [None if v is None else str(v) for v in head[header_line - 1]]
    positions, drift = _map_header(sheet, header, label)
    dates = {f.name for f in sheet.fields if f.rule in ("date", "end_date")}
    columns: dict[str, list[Any]] = {ROW: [], LINE: [], **{f.name: [] for f in sheet.fields}}
    for line, row in enumerate(rows, header_line + 1):
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
    if isinstance(value, ArrayFormula):  # an array formula's cell: its text, like any formula
        return value.text
    if isinstance(value, DataTableFormula):  # a what-if table: no text of its own
        return "=TABLE()"
    return value


def _excel_date(value: Any, epoch) -> Any:
    """A serial number in a date column is a date in the workbook's date system."""
    is_number = isinstance(value, int | float) and not isinstance(value, bool)
    if is_number and 0 < value <= MAX_EXCEL_SERIAL:
        return from_excel(value, epoch=epoch)
    return value


# --- CSV --------------------------------------------------------------------------------------


def _read_csv(path: Path, name: str) -> SheetRead:
    data = path.read_bytes()
    text = _decode(data, name)
    allow_long_fields()
    first_line = text.split("\n", 1)[0]
    # Strict: a record such as `"abc"def` is quarantined, never read as `abcdef`.
    dialect = strict_dialect(_delimiter(first_line))
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


_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def _decode(data: bytes, name: str) -> str:
    """The text of a CSV file, which must be UTF-8.

    Everything that is not a zip file comes here (detect.py): the message must fit a
    UTF-16 CSV (saved as Excel's "Unicode text") and random bytes named .xlsx as well as
    a Latin-1 CSV, not only the last.
    """
    if data.startswith(_UTF16_BOMS):
        raise ContractError(
            name,
            "is UTF-16 text (it starts with a UTF-16 byte order mark); keep.eu CSV files"
            " are UTF-8: save it as UTF-8",
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ContractError(
            name,
            f"is not UTF-8 text (byte offset {exc.start}, line {line}), nor an XLSX workbook"
            " (it does not start as a zip file does); keep.eu exports are XLSX workbooks"
            " or UTF-8 CSV files",
        ) from None


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

"""The baseline's keep.eu reader: an XLSX workbook into DuckDB, in one process.

DuckDB 1.5 has no XLSX reader offline (its excel extension is a download). Two readers
give the cells, as text, to DuckDB as one pandas frame per sheet (pyarrow is not
installed):

* `calamine` (the default): python-calamine reads a sheet in one call, in Rust. It is the
  pipeline's own reader (pipelines/sources/keep/read.py), so the keep stage compares the
  pipeline's validation and conversion with none, not two readers;
* `stream`: the standard library (zipfile + ElementTree.iterparse, a row at a time, as
  openpyxl's read-only mode does, without its per-cell objects); about ten times slower
  at scale 100: pure Python per cell (`python -m bench.baseline ... --keep-reader stream`).

SQL then converts the text into the raw tables the pipeline loads (raw_keep.projects,
partners, calls: schemas/keep_contract.py names their columns and which header feeds which
field). The conversions are the cell rules of schemas/keep.py for well-formed cells (the
baseline validates nothing, quarantines nothing): text trimmed, amounts to DECIMAL(18,2),
Excel serial dates (1900 system) or ISO text to DATE, Yes/No, "code / name" cells split.
"""

from __future__ import annotations

import zipfile
from datetime import date, datetime
from pathlib import Path
from xml.etree.ElementTree import iterparse

import duckdb
import pandas as pd

from schemas.keep_contract import KEEP, SHEETS, SPLIT_RULES, Sheet, raw_columns

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
PACKAGE_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
NOT_AVAILABLE = r"(?i)(n\.?\s*/?\s*a\.?|-+|–|not (applicable|available))"
PROVENANCE = ("source_file", "source_order", "source_sheet", "source_row_number")
PROVENANCE += ("source_line", "layout")


def normalise(text: str) -> str:
    plain = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u00a0", " ")
    return " ".join(plain.split()).casefold()


def sheet_paths(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> its part in the archive, from workbook.xml and its relationships."""
    rels = {}
    with archive.open("xl/_rels/workbook.xml.rels") as handle:
        for _, element in iterparse(handle):
            if element.tag == PACKAGE_REL:
                target = element.get("Target").lstrip("/")
                rels[element.get("Id")] = target if target.startswith("xl/") else f"xl/{target}"
    paths = {}
    with archive.open("xl/workbook.xml") as handle:
        for _, element in iterparse(handle):
            if element.tag == f"{MAIN}sheet":
                paths[element.get("name")] = rels[element.get(REL)]
    return paths


def shared_strings(archive: zipfile.ZipFile) -> list[str]:
    if "xl/sharedStrings.xml" not in archive.namelist():
        return []
    strings = []
    with archive.open("xl/sharedStrings.xml") as handle:
        for _, element in iterparse(handle):
            if element.tag == f"{MAIN}si":
                strings.append("".join(t.text or "" for t in element.iter(f"{MAIN}t")))
                element.clear()
    return strings


def _column(ref: str) -> int:
    number = 0
    for char in ref:
        if char.isdigit():
            break
        number = number * 26 + ord(char) - 64
    return number - 1


def rows(archive: zipfile.ZipFile, part: str, strings: list[str]):
    """(sheet row number, {column index: cell text}) for every row with a value."""
    with archive.open(part) as handle:
        for _, element in iterparse(handle):
            if element.tag != f"{MAIN}row":
                continue
            cells = {}
            for cell in element.iter(f"{MAIN}c"):
                kind = cell.get("t")
                if kind == "inlineStr":
                    text = "".join(t.text or "" for t in cell.iter(f"{MAIN}t"))
                else:
                    value = cell.find(f"{MAIN}v")
                    text = None if value is None else value.text
                    if text is not None and kind == "s":
                        text = strings[int(text)]
                    elif text is not None and kind == "b":
                        text = "TRUE" if text == "1" else "FALSE"
                if text is not None and text != "":
                    cells[_column(cell.get("r"))] = text
            line = int(element.get("r"))
            element.clear()
            if cells:
                yield line, cells


def _calamine_text(value) -> str | None:  # noqa: ANN001 - a cell as calamine reads it
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def calamine_rows(workbook, name: str):  # noqa: ANN001, ANN201 - a CalamineWorkbook
    """(sheet row number, {column index: cell text}) for every row with a value."""
    for line, row in enumerate(workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)):
        cells = {i: t for i, v in enumerate(row) if (t := _calamine_text(v)) is not None}
        if cells:
            yield line + 1, cells


def read_sheet(records, sheet: Sheet, source: tuple[str, int, str]) -> pd.DataFrame:  # noqa: ANN001
    """The sheet's records (an iterator of rows: the first is the header) as text, one
    column per field, plus where each came from."""
    _, header = next(records)
    by_header = {normalise(text): index for index, text in header.items()}
    fields = [(f.name, by_header.get(normalise(f.header))) for f in sheet.fields]
    columns: dict[str, list] = {name: [] for name, _ in fields}
    lines: list[int] = []
    for line, cells in records:
        lines.append(line)
        for name, index in fields:
            columns[name].append(cells.get(index))
    file, order, sheet_name = source
    count = len(lines)
    provenance = {
        "source_file": [file] * count,
        "source_order": [order] * count,
        "source_sheet": [sheet_name] * count,
        "source_row_number": list(range(1, count + 1)),
        "source_line": lines,
        "layout": [sheet.layout] * count,
    }
    text = {k: pd.Series(v, dtype=object) for k, v in columns.items()}
    return pd.DataFrame({**provenance, **text})


def _text(column: str) -> str:
    return f"nullif(trim({column}, ' \t\r\n'), '')"


def _amount(column: str) -> str:
    return f"CAST(replace({_text(column)}, ',', '') AS DECIMAL(18, 2))"


def _date(column: str, end: bool = False) -> str:
    value = _text(column)
    serial = f"DATE '1899-12-30' + CAST(floor(CAST({value} AS DOUBLE)) AS INTEGER)"
    date = (
        f"CASE WHEN regexp_full_match({value}, '[0-9]+(\\.[0-9]+)?') THEN {serial}"
        f" ELSE CAST(strptime(replace(left({value}, 10), '/', '-'), '%Y-%m-%d') AS DATE) END"
    )
    return (
        f"CASE WHEN regexp_full_match({value}, '{NOT_AVAILABLE}') THEN NULL ELSE {date} END"
        if end
        else date
    )


def _split(column: str, rule: str) -> tuple[str, str]:
    """A "code / name" cell: the code and the name (either may be null)."""
    value = _text(column)
    code = "[A-Z]{2}" if rule == "country" else "[A-Z]{2}[0-9A-Z]{0,3}"
    gap = "\\s+" if rule == "country" else "\\s*/\\s*"
    pattern = f"^({code})(?:{gap}(.*))?$"
    usable = f"CASE WHEN regexp_full_match({value}, '{NOT_AVAILABLE}') THEN NULL ELSE {value} END"
    name = f"nullif(trim(ltrim(trim(regexp_extract({usable}, '(?s){pattern}', 2)), '/')), '')"
    slash_name = f"nullif(trim(ltrim({usable}, '/')), '')"
    return (
        f"CASE WHEN starts_with({usable}, '/') THEN NULL"
        f" ELSE nullif(regexp_extract({usable}, '(?s){pattern}', 1), '') END",
        f"CASE WHEN starts_with({usable}, '/') THEN {slash_name} ELSE {name} END",
    )


def field_sql(name: str, rule: str) -> list[str]:
    """The raw column(s) of a field, as SQL over its text column `name`."""
    column = f'"{name}"'
    if rule in SPLIT_RULES:
        return list(_split(column, rule))
    if rule.startswith("amount"):
        return [_amount(column)]
    if rule in ("date", "end_date"):
        return [_date(column, end=rule == "end_date")]
    if rule == "yes_no":
        return [
            f"CASE lower({_text(column)}) WHEN 'yes' THEN 'Yes' WHEN 'true' THEN 'Yes'"
            f" WHEN 'no' THEN 'No' WHEN 'false' THEN 'No' END"
        ]
    return [_text(column)]


def load_sheet(con: duckdb.DuckDBPyConnection, sheet: Sheet, records: pd.DataFrame) -> None:
    spec = KEEP.file(sheet.table)
    computed = {c: c for c in PROVENANCE}
    for field in sheet.fields:
        for raw, sql in zip(raw_columns(field), field_sql(field.name, field.rule), strict=True):
            computed[raw] = sql
    selects = [
        f'CAST({computed.get(c.name, "NULL")} AS {c.sql_type}) AS "{c.name}"' for c in spec.columns
    ]
    con.register("keep_sheet", records)
    try:
        con.execute(
            f"INSERT INTO raw_keep.{sheet.table} SELECT row_number() OVER () AS _row_number,"
            f" {', '.join(selects)} FROM keep_sheet"
        )
    finally:
        con.unregister("keep_sheet")


def create_tables(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("CREATE SCHEMA IF NOT EXISTS raw_keep")
    for spec in KEEP.files:
        columns = ", ".join(f'"{c.name}" {c.sql_type}' for c in spec.columns)
        con.execute(
            f"CREATE OR REPLACE TABLE raw_keep.{spec.table} (_row_number BIGINT, {columns})"
        )


def load_keep(con: duckdb.DuckDBPyConnection, files: list[Path], reader: str = "calamine") -> int:
    """Every known sheet of every workbook into raw_keep; returns the rows loaded."""
    create_tables(con)
    by_name = {normalise(s.sheet): s for s in SHEETS}
    loaded = 0
    for order, file in enumerate(files, start=1):
        with zipfile.ZipFile(file) as archive:
            strings = shared_strings(archive) if reader == "stream" else []
            parts = sheet_paths(archive)
        if reader == "calamine":
            from python_calamine import CalamineWorkbook

            workbook = CalamineWorkbook.from_path(str(file))
        for name, part in parts.items():
            sheet = by_name.get(normalise(name))
            if sheet is None:
                continue
            if reader == "calamine":
                records = calamine_rows(workbook, name)
            else:
                records = rows(zipfile.ZipFile(file), part, strings)
            frame = read_sheet(records, sheet, (Path(file).name, order, name))
            load_sheet(con, sheet, frame)
            loaded += len(frame)
    return loaded

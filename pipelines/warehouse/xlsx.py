"""A table or a query as a one-sheet XLSX workbook, its cells written by DuckDB.

A cell-by-cell writer in Python took 40 s for the policy-change list at 100 times the
programme (129,000 rows); here DuckDB renders each row's SpreadsheetML in one query and
Python only streams it into the zip. Text is always an inline string, never a formula, so
`=HYPERLINK(...)` from the data stays text. Numbers, booleans and dates are typed cells;
other types are written as their text.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import duckdb

from pipelines.warehouse.load import quote

NUMBER_TYPES = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "FLOAT", "DOUBLE")
DATE_STYLE = 1  # the cellXfs entry of STYLES below that shows a date

CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>
<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>
<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>
</Types>"""  # noqa: E501

ROOT_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>
</Relationships>"""  # noqa: E501

WORKBOOK = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">
<sheets><sheet name="{name}" sheetId="1" r:id="rId1"/></sheets>
</workbook>"""  # noqa: E501

WORKBOOK_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>
<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>
</Relationships>"""  # noqa: E501

STYLES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/></numFmts>
<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>
<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>
<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>
<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>
<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>
<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>
</styleSheet>"""  # noqa: E501

SHEET_START = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    "<sheetData>"
)
SHEET_END = "</sheetData></worksheet>"


def write_xlsx(
    con: duckdb.DuckDBPyConnection,
    relation: str,
    target: Path,
    *,
    sheet: str,
    order_by: str | None = None,
    batch: int = 10_000,
) -> Path:
    """`relation` (a table's name or a parenthesised SELECT) as `target`, one sheet, its rows
    in `order_by` order (by all its columns when None)."""
    columns = [row[:2] for row in con.execute(f"DESCRIBE SELECT * FROM {relation}").fetchall()]
    order = order_by or ", ".join(quote(name) for name, _ in columns)
    cells = ", ".join(
        cell_sql(quote(name), data_type, column_letter(i))
        for i, (name, data_type) in enumerate(columns)
    )
    cursor = con.execute(
        f"SELECT '<row r=\"' || n || '\">' || concat({cells}) || '</row>'"
        f" FROM (SELECT row_number() OVER (ORDER BY {order}) + 1 AS n, * FROM {relation})"
        " ORDER BY n"
    )
    header = "".join(
        f'<c r="{column_letter(i)}1" t="inlineStr"><is><t>{xml_text(name)}</t></is></c>'
        for i, (name, _) in enumerate(columns)
    )
    # Level 1: a quarter larger than the default, in a third of the time.
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as book:
        book.writestr("[Content_Types].xml", CONTENT_TYPES)
        book.writestr("_rels/.rels", ROOT_RELS)
        book.writestr("xl/workbook.xml", WORKBOOK.format(name=xml_text(sheet[:31])))
        book.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        book.writestr("xl/styles.xml", STYLES)
        with book.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as part:
            part.write(f'{SHEET_START}<row r="1">{header}</row>'.encode())
            while rows := cursor.fetchmany(batch):
                part.write("".join(row for (row,) in rows).encode())
            part.write(SHEET_END.encode())
    return target


def cell_sql(column: str, data_type: str, letter: str) -> str:
    """SQL for one cell's XML, NULL (no cell) when the value is NULL."""
    ref = f"'<c r=\"{letter}' || n || '\"'"
    if data_type in NUMBER_TYPES or data_type.startswith("DECIMAL"):
        return f"{ref} || '><v>' || CAST({column} AS VARCHAR) || '</v></c>'"
    if data_type == "BOOLEAN":
        return f"{ref} || ' t=\"b\"><v>' || CAST({column} AS INTEGER) || '</v></c>'"
    if data_type == "DATE":  # Excel's serial day: days since 1899-12-30
        return f"{ref} || ' s=\"{DATE_STYLE}\"><v>' || ({column} - DATE '1899-12-30') || '</v></c>'"
    text = f"CAST({column} AS VARCHAR)"
    # XML 1.0 has no place for most control characters; a carriage return is kept as a reference.
    escaped = (
        f"replace(replace(replace(replace(regexp_replace({text},"
        r" '[\x00-\x08\x0B\x0C\x0E-\x1F]', '', 'g'),"
        " '&', '&amp;'), '<', '&lt;'), '>', '&gt;'), chr(13), '&#13;')"
    )
    inline = '\' t="inlineStr"><is><t xml:space="preserve">\''
    return f"{ref} || {inline} || {escaped} || '</t></is></c>'"


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def xml_text(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

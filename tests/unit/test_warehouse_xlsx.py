"""The XLSX export: every value comes back as written, and text is never a formula."""

from __future__ import annotations

import zipfile
from datetime import date, datetime
from decimal import Decimal

import duckdb
import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from pipelines.warehouse.xlsx import Heading, column_letter, write_xlsx

HOSTILE_TEXT = [
    '=HYPERLINK("http://evil.example", "click")',
    "+1+1",
    "-2",
    "@SUM(A1)",
    "quotes \" and ' and ; and -- comment",
    "a & b < c > d",
    "line one\nline two",
    "carriage\rreturn",
    "  leading and trailing spaces  ",
    "Università, Ελλάδα, Łódź",
    "</t></is></c><c><f>1+1</f></c>",
]


@pytest.fixture
def con():
    con = duckdb.connect()
    con.execute("CREATE SCHEMA marts")
    con.execute(
        "CREATE TABLE marts.sample (id INTEGER, label VARCHAR, amount DECIMAL(18,2),"
        " ratio DOUBLE, flag BOOLEAN, day DATE)"
    )
    rows = [
        (i, text, Decimal(f"{i}.{i:02d}"), i / 4, i % 2 == 0, date(2020, 1, 1 + i))
        for i, text in enumerate(HOSTILE_TEXT)
    ]
    rows.append((len(rows), None, None, None, None, None))
    con.executemany("INSERT INTO marts.sample VALUES (?, ?, ?, ?, ?, ?)", rows)
    yield con
    con.close()


def written(con, tmp_path):
    target = write_xlsx(con, "marts.sample", tmp_path / "sample.xlsx", sheet="sample")
    expected = con.execute("SELECT * FROM marts.sample ORDER BY ALL").fetchall()
    return target, expected


def test_every_value_reads_back_as_written_in_openpyxl(con, tmp_path):
    target, expected = written(con, tmp_path)
    sheet = openpyxl.load_workbook(target).active
    assert sheet.title == "sample"
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("id", "label", "amount", "ratio", "flag", "day")
    back = [
        (i, label, None if a is None else Decimal(str(a)), r, f, None if d is None else d.date())
        for i, label, a, r, f, d in rows[1:]
    ]
    assert back == [(i, label, a, r, f, d) for i, label, a, r, f, d in expected]


def test_text_cells_are_strings_never_formulas(con, tmp_path):
    target, _ = written(con, tmp_path)
    sheet = openpyxl.load_workbook(target).active
    labels = [row[1] for row in sheet.iter_rows(min_row=2)]
    assert [c.value for c in labels[: len(HOSTILE_TEXT)]] == HOSTILE_TEXT
    assert {c.data_type for c in labels[: len(HOSTILE_TEXT)]} == {"s"}
    with zipfile.ZipFile(target) as book:
        assert b"<f>" not in book.read("xl/worksheets/sheet1.xml").replace(b"&lt;f&gt;", b"")


def test_dates_are_date_cells_and_a_second_reader_agrees(con, tmp_path):
    target, expected = written(con, tmp_path)
    rows = CalamineWorkbook.from_path(str(target)).get_sheet_by_name("sample").to_python()
    assert rows[1][5] in (date(2020, 1, 1), datetime(2020, 1, 1))
    assert [r[1] for r in rows[1:]] == [e[1] or "" for e in expected]


def test_control_characters_that_xml_cannot_hold_are_dropped(tmp_path):
    con = duckdb.connect()
    con.execute("CREATE SCHEMA marts")
    con.execute("CREATE TABLE marts.t AS SELECT 'bell' || chr(7) || 'tab' || chr(9) AS v")
    target = write_xlsx(con, "marts.t", tmp_path / "t.xlsx", sheet="t")
    assert openpyxl.load_workbook(target).active["A2"].value == "belltab\t"


def test_columns_are_lettered_as_a_spreadsheet_does():
    assert column_letter(0) == "A" and column_letter(25) == "Z" and column_letter(27) == "AB"


def test_an_empty_table_gives_just_the_header(tmp_path):
    con = duckdb.connect()
    con.execute("CREATE SCHEMA marts")
    con.execute("CREATE TABLE marts.empty (a INTEGER, b VARCHAR)")
    target = write_xlsx(con, "marts.empty", tmp_path / "empty.xlsx", sheet="empty")
    assert list(openpyxl.load_workbook(target).active.values) == [("a", "b")]


def test_the_header_is_styled_frozen_and_filtered_with_the_names_given(con, tmp_path):
    headers = ["ID", "Label", "Amount (EUR)", "Ratio", "Flag", "Day"]
    target = write_xlsx(
        con, "marts.sample", tmp_path / "s.xlsx", sheet="O'Brien's", headers=headers
    )
    sheet = openpyxl.load_workbook(target).active
    assert [c.value for c in sheet[1]] == headers
    assert all(c.font.b for c in sheet[1]) and sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:F{len(HOSTILE_TEXT) + 2}"
    with zipfile.ZipFile(target) as book:
        assert (
            f"'O''Brien''s'!$A$1:$F${len(HOSTILE_TEXT) + 2}<"
            in book.read("xl/workbook.xml").decode()
        )
    assert sheet["C2"].number_format == "#,##0.00" and sheet["F2"].number_format == "yyyy-mm-dd"
    assert sheet["A2"].number_format == "General"  # an INTEGER is a code, not a count
    assert 0 < sheet.column_dimensions["B"].width <= 60


def test_an_about_sheet_follows_with_its_rows_typed(con, tmp_path):
    about = [(Heading("Title"),), (), ("As of", date(2024, 3, 31)), ("Rows", 12), ("=1+1",)]
    target = write_xlsx(con, "marts.sample", tmp_path / "a.xlsx", sheet="sample", about=about)
    book = openpyxl.load_workbook(target)
    assert book.sheetnames == ["sample", "About"] and book.active.title == "sample"
    rows = list(book["About"].values)
    assert rows[0][0] == "Title" and book["About"]["A1"].font.b
    assert rows[2] == ("As of", datetime(2024, 3, 31)) and rows[3] == ("Rows", 12)
    assert book["About"]["A5"].data_type == "s"
    second = CalamineWorkbook.from_path(str(target)).get_sheet_by_name("About").to_python()
    assert second[0][0] == "Title"

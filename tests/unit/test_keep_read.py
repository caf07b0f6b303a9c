"""Reading keep.eu files: the layout recognised from the file itself, header matching,
Excel dates, and CSV records that a naive split on ';' would misread."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils.datetime import CALENDAR_MAC_1904

from pipelines.errors import ContractError
from pipelines.sources.keep.read import read_export
from tools.samples.keep import PARTNER_HEADERS, PROJECT_HEADERS, workbook_bytes

LEGACY_PARTNER_HEADER = (
    "Programme;Acronym;Project Partner;Lead Partner;Street;Postal code;Town;Country;Website;"
    "Department;Legal Status;Country code;NUTS1 (or equivalent);NUTS2 (or equivalent);"
    "NUTS3 (or equivalent)"
)


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def current_workbook(tmp_path: Path, projects: list[tuple], partners: list[tuple]) -> Path:
    return write(
        tmp_path / "current.xlsx",
        workbook_bytes(
            {
                "Search results, projects": (PROJECT_HEADERS, projects),
                "Search results, partners": (PARTNER_HEADERS, partners),
            }
        ),
    )


def project(acronym="ALPHA", **cells) -> tuple:
    row = dict.fromkeys(PROJECT_HEADERS)
    row |= {"Period": "2014-2020", "Programme": "Interreg Europe", "Project acronym": acronym}
    row |= cells
    return tuple(row[h] for h in PROJECT_HEADERS)


def partner(acronym="ALPHA", **cells) -> tuple:
    row = dict.fromkeys(PARTNER_HEADERS)
    row |= {
        "Programme": "Interreg Europe",
        "Project acronym": acronym,
        "Organisation in English": "City of Oslo",
        "Lead partner": "Yes",
    }
    row |= cells
    return tuple(row[h] for h in PARTNER_HEADERS)


# --- layout detection -----------------------------------------------------------------------


def test_the_current_layout_is_recognised_by_its_sheets(tmp_path):
    path = current_workbook(tmp_path, [project()], [partner()])
    projects, partners = read_export(path, "export.xlsx")
    assert (projects.sheet.layout, projects.sheet.table) == ("current", "projects")
    assert (partners.sheet.layout, partners.sheet.table) == ("current", "partners")
    assert projects.file == "export.xlsx [Search results, projects]"
    assert projects.frame.loc[0, "acronym"] == "ALPHA"
    assert projects.frame.loc[0, "source_line"] == 2  # the sheet row, as Excel numbers it


def test_the_legacy_layout_is_recognised_by_its_sheets_whatever_the_file_is_called(tmp_path):
    data = workbook_bytes(
        {
            "Projects (lead partners)": (("Programme", "Acronym", "Budget"), [("P", "A", "1.00")]),
            "Partners": (("Programme", "Acronym", "Project Partner", "Lead Partner"), []),
            "Calls": (("Programme", "Serial Number"), [("P", 1)]),
        }
    )
    reads = read_export(write(tmp_path / "looks_current.csv", data), "looks_current.csv")
    assert [(r.sheet.layout, r.sheet.table, r.rows_read) for r in reads] == [
        ("legacy", "projects", 1),
        ("legacy", "partners", 0),
        ("legacy", "calls", 1),
    ]


def test_an_unknown_workbook_fails_listing_its_sheets(tmp_path):
    data = workbook_bytes({"Sheet1": (("a",), []), "Projekte": (("b",), [])})
    with pytest.raises(ContractError) as caught:
        read_export(write(tmp_path / "x.xlsx", data), "x.xlsx")
    message = str(caught.value)
    assert "'Sheet1', 'Projekte'" in message
    assert "Search results, projects" in message and "Projects (lead partners)" in message


def test_an_unknown_csv_fails_listing_its_header(tmp_path):
    path = write(tmp_path / "x.csv", b"Name;Amount\nA;1\n")
    with pytest.raises(ContractError, match=r"its header is 'Name', 'Amount'"):
        read_export(path, "x.csv")


def test_an_old_xls_workbook_is_refused_by_its_bytes(tmp_path):
    path = write(tmp_path / "x.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100)
    with pytest.raises(ContractError, match="old binary .xls"):
        read_export(path, "x.xlsx")


def test_a_required_column_missing_fails_naming_sheet_and_column(tmp_path):
    headers = tuple(h for h in PARTNER_HEADERS if h != "Lead partner")
    data = workbook_bytes(
        {
            "Search results, projects": (PROJECT_HEADERS, []),
            "Search results, partners": (headers, []),
        }
    )
    with pytest.raises(ContractError) as caught:
        read_export(write(tmp_path / "x.xlsx", data), "x.xlsx")
    assert "x.xlsx [Search results, partners]" in str(caught.value)
    assert "'Lead partner'" in str(caught.value)


# --- headers ---------------------------------------------------------------------------------


def test_headers_match_whatever_the_apostrophe_case_or_spacing(tmp_path):
    headers = [
        {
            "Partner\u2019s ID if not PIC": "Partner's ID if not PIC",
            "Partner's total eligible budget / expenditure": (
                "PARTNER\u2019S  total eligible budget / expenditure"
            ),
        }.get(h, h)
        for h in PARTNER_HEADERS
    ]
    data = workbook_bytes(
        {
            "search results, PROJECTS": (PROJECT_HEADERS, [project()]),
            "Search results, partners": (headers, [partner(**{PARTNER_HEADERS[10]: "X1"})]),
        }
    )
    _, partners = read_export(write(tmp_path / "x.xlsx", data), "x.xlsx")
    assert partners.frame.loc[0, "other_partner_id"] == "X1"
    assert partners.drift == []


def test_a_title_row_above_the_header_and_new_columns_are_tolerated(tmp_path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Search results, projects"
    sheet.append(["keep.eu search export, 15 May 2024"])
    sheet.append([])
    sheet.append([*PROJECT_HEADERS, "Priority"])
    sheet.append([*project(), "P1"])
    workbook.create_sheet("Search results, partners").append(list(PARTNER_HEADERS))
    buffer = io.BytesIO()
    workbook.save(buffer)
    projects, _ = read_export(write(tmp_path / "x.xlsx", buffer.getvalue()), "x.xlsx")
    assert projects.rows_read == 1
    assert projects.frame.loc[0, "source_line"] == 4
    assert projects.drift == ["Priority"]


def test_serial_numbers_in_date_columns_are_dates_of_the_workbooks_date_system(tmp_path):
    for epoch, serial in ((None, 42461), (CALENDAR_MAC_1904, 42461 - 1462)):
        workbook = openpyxl.Workbook()
        if epoch is not None:
            workbook.epoch = epoch
        sheet = workbook.active
        sheet.title = "Search results, projects"
        sheet.append(list(PROJECT_HEADERS))
        sheet.append(list(project(**{"Project start": serial, "Project end": "N.a."})))
        workbook.create_sheet("Search results, partners").append(list(PARTNER_HEADERS))
        buffer = io.BytesIO()
        workbook.save(buffer)
        projects, _ = read_export(write(tmp_path / "x.xlsx", buffer.getvalue()), "x.xlsx")
        assert projects.frame.loc[0, "start_date"] == datetime(2016, 4, 1), epoch
        assert projects.frame.loc[0, "end_date"] == "N.a."


# --- CSV ---------------------------------------------------------------------------------------


def csv_lines(*records: str) -> bytes:
    return ("\r\n".join((LEGACY_PARTNER_HEADER, *records)) + "\r\n").encode("utf-8")


def legacy_record(acronym: str, organisation: str = "Org", country: str = "DE Germany") -> str:
    cells = ["2014 - 2020 INTERREG VB Central Europe", acronym, organisation, "Yes"]
    cells += ["Street 1", "99099", "Erfurt", "Germany", "http://x.eu", "", "public", country]
    cells += ["DEG  / THÜRINGEN", "DEG0  / Thüringen", "DEG01  / Erfurt"]
    return ";".join(cells)


def test_quoted_fields_with_semicolons_and_line_breaks_are_one_field(tmp_path):
    path = write(
        tmp_path / "partners.csv",
        b"\xef\xbb\xbf"
        + csv_lines(
            legacy_record("ONE", '"Agency; Regional ""Development"""'),
            legacy_record("TWO", '"Two\r\nlines"'),
            legacy_record("THREE"),
        ),
    )
    (read,) = read_export(path, "partners.csv")
    assert (read.sheet.layout, read.sheet.table) == ("legacy", "partners")
    frame = read.frame
    assert list(frame["organisation_name"]) == [
        'Agency; Regional "Development"',
        "Two\r\nlines",
        "Org",
    ]
    assert list(frame["nuts2"]) == ["DEG0  / Thüringen"] * 3  # not shifted by the ';'
    assert list(frame["source_line"]) == [2, 3, 5]  # the record that spans two lines
    assert list(frame["source_row_number"]) == [1, 2, 3]
    # What a naive split would have made of it:
    assert len(legacy_record("ONE", '"Agency; Regional ""Development"""').split(";")) == 16


def test_records_that_cannot_be_read_are_set_apart_with_their_lines(tmp_path):
    path = write(
        tmp_path / "partners.csv",
        csv_lines(
            legacy_record("GOOD"),
            legacy_record("BROKEN", '"Unbalanced" quote'),
            legacy_record("SHORT").rsplit(";", 2)[0],
            "",
            legacy_record("LAST"),
        ),
    )
    (read,) = read_export(path, "partners.csv")
    assert list(read.frame["acronym"]) == ["GOOD", "LAST"]
    assert list(read.frame["source_row_number"]) == [1, 4]
    assert read.rows_read == 4
    assert [(u.row_number, u.line) for u in read.unreadable] == [(2, 3), (3, 4)]
    assert "is not valid CSV" in read.unreadable[0].problem
    assert "has 13 fields where the header has 15" in read.unreadable[1].problem


def test_a_csv_that_is_not_utf8_fails_as_a_whole(tmp_path):
    path = write(tmp_path / "p.csv", csv_lines(legacy_record("X", "Th\xfcringen")).replace(
        "Thüringen".encode(), "Th\xfcringen".encode("latin-1")
    ))  # fmt: skip
    with pytest.raises(ContractError, match="not UTF-8"):
        read_export(path, "p.csv")


def test_the_real_partner_csv_reads_every_record(shared_data):
    path = shared_data / "keep_eu_legacy" / "keep_closed_1420_Partnership_dev.csv"
    (read,) = read_export(path, path.name)
    assert read.rows_read == 6690 and not read.unreadable
    with path.open(encoding="utf-8", newline="") as handle:
        records = list(csv.reader(handle, delimiter=";"))[1:]
    naive = path.read_bytes().decode("utf-8").split("\r\n")[1:-1]
    misread = [line for line in naive if len(line.split(";")) != 15]
    assert misread, "the file has quoted ';' that a naive split misreads"
    assert list(read.frame["organisation_name"]) == [r[2].strip() or None for r in records]
    assert list(read.frame["nuts2"]) == [r[13].strip() or None for r in records]


def test_a_utf16_csv_fails_naming_the_file_and_its_encoding(tmp_path):
    text = csv_lines(legacy_record("X")).decode("utf-8")
    for encoding in ("utf-16", "utf-16-be"):
        data = text.encode(encoding)
        if encoding == "utf-16-be":
            data = b"\xfe\xff" + data
        path = write(tmp_path / "p.csv", data)
        with pytest.raises(ContractError) as caught:
            read_export(path, "p.csv")
        assert str(caught.value).startswith("p.csv: is UTF-16 text"), encoding


def test_a_csv_that_is_not_utf8_fails_naming_byte_offset_and_line(tmp_path):
    data = csv_lines(legacy_record("X"), legacy_record("Y", "Malmö stad")).replace(
        "Malmö".encode(), "Malmö".encode("latin-1")
    )
    offset = data.index(b"Malm\xf6") + 4  # the rest is UTF-8 (Thüringen included)
    with pytest.raises(ContractError) as caught:
        read_export(write(tmp_path / "p.csv", data), "p.csv")
    assert str(caught.value).startswith(
        f"p.csv: is not UTF-8 text (byte offset {offset}, line 3), nor an XLSX workbook"
    )


def test_random_bytes_named_xlsx_fail_saying_it_is_neither_a_workbook_nor_text(tmp_path):
    path = write(tmp_path / "x.xlsx", bytes(range(256)) * 16)
    with pytest.raises(ContractError) as caught:
        read_export(path, "x.xlsx")
    message = str(caught.value)
    assert message.startswith("x.xlsx: is not UTF-8 text (byte offset 128, line 2)")  # \n: 10
    assert "nor an XLSX workbook" in message


def test_a_header_row_lacking_required_columns_fails_naming_them(tmp_path):
    headers = tuple(h for h in PROJECT_HEADERS if h not in ("Programme", "Project acronym"))
    data = workbook_bytes(
        {
            "Search results, projects": (headers, [project()[1:]]),
            "Search results, partners": (PARTNER_HEADERS, []),
        }
    )
    with pytest.raises(ContractError) as caught:
        read_export(write(tmp_path / "x.xlsx", data), "x.xlsx")
    assert caught.value.column == "Programme"
    assert str(caught.value).startswith(
        "x.xlsx [Search results, projects], column 'Programme': lacks the columns"
        " 'Programme', 'Project acronym'; its header (sheet row 1) is 'Period', "
    )


def test_a_sheet_without_a_header_row_still_fails_saying_so(tmp_path):
    data = workbook_bytes(
        {
            "Search results, projects": (("Title of the export",), [("a", "b")]),
            "Search results, partners": (PARTNER_HEADERS, []),
        }
    )
    with pytest.raises(ContractError, match="has no header row with 'Programme'"):
        read_export(write(tmp_path / "x.xlsx", data), "x.xlsx")

"""Hostile keep.eu inputs are refused before they are read: a zip bomb, a
workbook whose zip declares far more than a keep.eu export holds, a file over the size
limit, a zip whose members lie about their size. And what python-calamine reads
differently from openpyxl is read as openpyxl reads it: error cells, formulas (their text,
never a cached value), 1904 dates."""

from __future__ import annotations

import io
import struct
import time
import tracemalloc
import zipfile
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils.datetime import CALENDAR_MAC_1904

from pipelines.config import SAMPLE_KEEP_FILE, Settings
from pipelines.errors import ConfigurationError, ContractError
from pipelines.sources.keep.extract import KeepInput, land_files
from pipelines.sources.keep.limits import (
    DEFAULT_LIMITS,
    DEFAULT_MAX_BYTES,
    MIB,
    WorkbookLimits,
    check_workbook,
)
from pipelines.sources.keep.read import read_export
from pipelines.sources.keep.validate import validate_inputs
from tools.samples.keep import PARTNER_HEADERS, PROJECT_HEADERS, workbook_bytes

BENCH_WORKBOOK = (
    Path(__file__).resolve().parents[2]
    / "bench"
    / ".data"
    / "keep-scale100-seed2014"
    / "keep_eu_export.xlsx"
)


def inputs(*paths: Path) -> list[KeepInput]:
    return [
        KeepInput(p.name, n, p, f"sha-{n}", p.as_uri(), p.stat().st_size, False)
        for n, p in enumerate(paths, start=1)
    ]


def zip_bomb(path: Path, inflated_mib: int = 200, member: str = "xl/worksheets/sheet2.xml") -> Path:
    """The bundled sample with one sheet replaced by a deflated run of one byte."""
    with zipfile.ZipFile(SAMPLE_KEEP_FILE) as source, zipfile.ZipFile(path, "w") as bomb:
        for info in source.infolist():
            if info.filename != member:
                bomb.writestr(info, source.read(info.filename), zipfile.ZIP_DEFLATED)
        run = b"0" * MIB
        info = zipfile.ZipInfo(member)
        info.compress_type = zipfile.ZIP_DEFLATED
        with bomb.open(info, "w", force_zip64=True) as out:
            for _ in range(inflated_mib):
                out.write(run)
    return path


def declare_size(data: bytes, member: str, size: int) -> bytes:
    """The zip with `member`'s uncompressed size in the central directory set to `size`."""
    out = bytearray(data)
    start = out.find(b"PK\x01\x02")
    while start != -1:
        name_length = struct.unpack_from("<H", out, start + 28)[0]
        name = bytes(out[start + 46 : start + 46 + name_length]).decode()
        if name == member:
            struct.pack_into("<I", out, start + 24, size)
            return bytes(out)
        start = out.find(b"PK\x01\x02", start + 4)
    raise AssertionError(f"{member} not in the zip")


def refused(path: Path, name: str, limits: WorkbookLimits = DEFAULT_LIMITS) -> str:
    with pytest.raises(ContractError) as caught:
        read_export(path, name, limits)
    return str(caught.value)


# --- zip bombs and sizes declared in the zip -----------------------------------------------------


def test_a_zip_bomb_is_refused_by_its_ratio_before_anything_is_inflated(tmp_path):
    path = zip_bomb(tmp_path / "bomb.xlsx", inflated_mib=200)
    assert path.stat().st_size < 2 * MIB  # tiny on disk, 200 MiB inflated
    tracemalloc.start()
    started = time.monotonic()
    try:
        message = refused(path, "bomb.xlsx")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert time.monotonic() - started < 2
    assert peak < 4 * MIB, f"{peak} bytes allocated: the bomb was inflated"
    assert message.startswith("bomb.xlsx: ")
    assert "zip bomb" in message and "compression ratio" in message
    assert "'xl/worksheets/sheet2.xml'" in message


def test_a_workbook_declaring_more_than_the_limit_in_all_is_refused_as_too_large(tmp_path):
    limits = WorkbookLimits(max_unpacked_bytes=1 * MIB)  # the sample declares 1.5 MiB
    message = refused(SAMPLE_KEEP_FILE, "export.xlsx", limits)
    assert message.startswith("export.xlsx: is refused as too large")
    assert "INTERREG_KEEP_MAX_UNPACKED_BYTES" in message
    assert read_export(SAMPLE_KEEP_FILE, "export.xlsx", WorkbookLimits(max_unpacked_bytes=2 * MIB))


def test_a_member_declaring_more_than_the_member_limit_is_refused_naming_it(tmp_path):
    message = refused(SAMPLE_KEEP_FILE, "export.xlsx", WorkbookLimits(max_member_bytes=MIB))
    assert "is refused as too large" in message and "'xl/worksheets/sheet2.xml'" in message


def test_a_zip_of_too_many_members_is_refused(tmp_path):
    message = refused(SAMPLE_KEEP_FILE, "export.xlsx", WorkbookLimits(max_members=5))
    assert "10 members" in message


def test_a_member_that_inflates_to_more_than_it_declares_is_refused_as_damaged(tmp_path):
    data = SAMPLE_KEEP_FILE.read_bytes()
    lying = tmp_path / "lying.xlsx"
    lying.write_bytes(declare_size(data, "xl/worksheets/sheet2.xml", 1000))
    with zipfile.ZipFile(lying) as archive:
        assert check_workbook(archive, "lying.xlsx", DEFAULT_LIMITS) < 300_000  # looks small
    message = refused(lying, "lying.xlsx")
    assert message.startswith("lying.xlsx: ") and "member 'xl/worksheets/sheet2.xml'" in message
    assert "CRC" in message or "damaged" in message


def test_a_file_over_the_size_limit_is_refused_unread(tmp_path):
    message = refused(SAMPLE_KEEP_FILE, "export.xlsx", WorkbookLimits(max_bytes=100_000))
    assert message.startswith("export.xlsx: is refused as too large")
    assert "INTERREG_KEEP_MAX_BYTES" in message
    csv_file = tmp_path / "partners.csv"
    csv_file.write_bytes(b"Programme;Acronym;Project Partner;Lead Partner\n" + b"x;y;z;Yes\n" * 99)
    assert "refused as too large" in refused(
        csv_file, "partners.csv", WorkbookLimits(max_bytes=100)
    )


def test_a_file_over_the_size_limit_is_not_even_landed(tmp_path):
    big = tmp_path / "big.xlsx"
    with big.open("wb") as handle:  # sparse: nothing is written but the first bytes
        handle.write(b"PK\x03\x04")
        handle.truncate(DEFAULT_MAX_BYTES + 1)
    landing = tmp_path / "landing"
    with pytest.raises(ContractError) as caught:
        land_files([big], landing)
    assert str(caught.value).startswith(f"{big}: is refused as too large")
    assert not list((landing / "keep").glob("*.xlsx")) if (landing / "keep").exists() else True
    assert land_files([SAMPLE_KEEP_FILE], landing, max_bytes=DEFAULT_MAX_BYTES).inputs


def test_the_limits_refuse_through_validation_too(tmp_path):
    path = zip_bomb(tmp_path / "bomb.xlsx", inflated_mib=20)
    with pytest.raises(ContractError, match=r"^bomb\.xlsx: is refused as a likely zip bomb"):
        validate_inputs(inputs(path), max_rejected_pct=10)


def test_real_and_benchmark_exports_pass_the_default_limits(shared_data):
    paths = [shared_data / "keep_eu_legacy" / "keep_closed_1420_dev.xlsx", SAMPLE_KEEP_FILE]
    if BENCH_WORKBOOK.exists():  # the scale-100 workbook of `make bench`, when it was built
        paths.append(BENCH_WORKBOOK)
    for path in paths:
        with zipfile.ZipFile(path) as archive:
            assert check_workbook(archive, path.name, DEFAULT_LIMITS) > 0
        assert path.stat().st_size <= DEFAULT_LIMITS.max_bytes


def test_the_limits_are_settings():
    settings = Settings.from_env(
        {"INTERREG_KEEP_MAX_BYTES": "64M", "INTERREG_KEEP_MAX_UNPACKED_BYTES": "2147483648"}
    )
    assert (settings.keep_max_bytes, settings.keep_max_unpacked_bytes) == (64 * MIB, 2 << 30)
    assert Settings.from_env({}).keep_max_bytes == DEFAULT_MAX_BYTES
    with pytest.raises(ConfigurationError, match="INTERREG_KEEP_MAX_BYTES"):
        Settings.from_env({"INTERREG_KEEP_MAX_BYTES": "lots"})


# --- what calamine reads differently from openpyxl -----------------------------------------------


def project_row(**cells) -> list:
    row = dict.fromkeys(PROJECT_HEADERS)
    row |= {"Period": "2014-2020", "Programme": "Interreg Europe", "Project acronym": "A"}
    row |= cells
    return [row[h] for h in PROJECT_HEADERS]


def workbook(rows: list[list], epoch=None) -> tuple:
    book = openpyxl.Workbook()
    if epoch is not None:
        book.epoch = epoch
    sheet = book.active
    sheet.title = "Search results, projects"
    sheet.append(list(PROJECT_HEADERS))
    for row in rows:
        sheet.append(row)
    book.create_sheet("Search results, partners").append(list(PARTNER_HEADERS))
    return book, sheet


def saved(book, path: Path) -> Path:
    buffer = io.BytesIO()
    book.save(buffer)
    path.write_bytes(buffer.getvalue())
    return path


def test_an_error_cell_is_read_as_its_text_and_quarantined_never_as_null(tmp_path):
    data = workbook_bytes(
        {
            "Search results, projects": (
                PROJECT_HEADERS,
                [
                    project_row(**{"Project's EU funding": "#N/A"}),
                    project_row(**{"Project acronym": "B"}),
                ],
            ),
            "Search results, partners": (PARTNER_HEADERS, []),
        }
    )
    path = tmp_path / "errors.xlsx"
    path.write_bytes(data)
    with zipfile.ZipFile(path) as archive:
        assert b't="e"' in archive.read("xl/worksheets/sheet1.xml")  # a real error cell
    projects, _ = read_export(path, "errors.xlsx")
    assert projects.frame.loc[0, "eu_funding_eur"] == "#N/A"
    validated = validate_inputs(inputs(path), max_rejected_pct=100)
    ((check, value),) = validated.rejected[["check_name", "value"]].itertuples(index=False)
    assert (check, value) == ("amount_format", "#N/A")


def test_formula_text_in_a_string_cell_and_a_formula_cell_are_both_text_never_null(tmp_path):
    # A formula cell used to be read as its cached value: none when openpyxl (or any program
    # that does not compute formulas) saved the workbook, so the name was loaded as null.
    formula = '=HYPERLINK("http://x","y")'
    book, sheet = workbook([project_row(), project_row(), project_row()])
    sheet["E2"] = formula
    sheet["E2"].data_type = "s"  # a string cell holding formula text
    sheet["E3"] = "=1+1"  # a real formula, saved without a cached value
    sheet["E4"] = formula  # a real formula, saved without a cached value
    path = saved(book, tmp_path / "formulas.xlsx")
    projects, _ = read_export(path, "formulas.xlsx")
    assert projects.frame["project_name"].tolist() == [formula, "=1+1", formula]


def with_cached_values(path: Path, cached: dict[str, str]) -> Path:
    """The workbook with these cached values written into its formula cells, as Excel would."""
    member = "xl/worksheets/sheet1.xml"
    with zipfile.ZipFile(path) as source:
        parts = {info.filename: source.read(info.filename) for info in source.infolist()}
    for reference, value in cached.items():
        cell = f'<c r="{reference}"'.encode()
        start = parts[member].index(cell)
        end = parts[member].index(b"</c>", start)
        parts[member] = (
            parts[member][:start]
            + parts[member][start:end].replace(b"<v />", f"<v>{value}</v>".encode())
            + parts[member][end:]
        )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in parts.items():
            target.writestr(name, data)
    return path


def test_a_formula_cell_is_its_formula_not_its_cached_value_and_an_amount_formula_is_quarantined(
    tmp_path,
):
    book, sheet = workbook([project_row(), project_row(**{"Project acronym": "B"})])
    sheet["E2"] = '=HYPERLINK("http://x","y")'
    sheet["P3"] = "=1000+234.56"  # Project's EU funding, computed by whoever edited the file
    path = with_cached_values(saved(book, tmp_path / "cached.xlsx"), {"E2": "y", "P3": "1234.56"})
    with zipfile.ZipFile(path) as archive:
        assert b"<v>1234.56</v>" in archive.read("xl/worksheets/sheet1.xml")
    projects, _ = read_export(path, "cached.xlsx")
    assert projects.frame["project_name"].tolist() == ['=HYPERLINK("http://x","y")', None]
    assert projects.frame["eu_funding_eur"].tolist() == [None, "=1000+234.56"]
    validated = validate_inputs(inputs(path), max_rejected_pct=100)
    rejected = validated.rejected[["row_number", "column_name", "check_name", "value"]]
    assert rejected.values.tolist() == [
        [2, "Project's EU funding", "amount_format", "=1000+234.56"]
    ]
    assert validated.tables["projects"]["project_name"].tolist() == ['=HYPERLINK("http://x","y")']


def test_a_workbook_without_formulas_or_error_cells_is_read_by_calamine(tmp_path, monkeypatch):
    import pipelines.sources.keep.read as read

    def no_openpyxl(*args):
        raise AssertionError("read with openpyxl")

    monkeypatch.setattr(read, "_read_workbook_openpyxl", no_openpyxl)
    book, sheet = workbook([project_row(**{"Project name in English": "x </f> y"})])
    projects, _ = read_export(saved(book, tmp_path / "plain.xlsx"), "plain.xlsx")
    assert projects.frame["project_name"].tolist() == ["x </f> y"]  # escaped in the XML
    read_export(SAMPLE_KEEP_FILE, "keep_eu_export.xlsx")


def test_date_cells_of_a_1904_workbook_are_its_dates(tmp_path):
    book, sheet = workbook(
        [project_row(**{"Project start": datetime(2016, 4, 1)})], CALENDAR_MAC_1904
    )
    path = saved(book, tmp_path / "mac.xlsx")
    with zipfile.ZipFile(path) as archive:
        assert b"date1904" in archive.read("xl/workbook.xml")
    projects, _ = read_export(path, "mac.xlsx")
    assert projects.frame.loc[0, "start_date"] == datetime(2016, 4, 1)


def test_a_text_file_named_xlsx_or_a_broken_zip_fails_naming_the_file(tmp_path):
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(SAMPLE_KEEP_FILE.read_bytes()[:50_000])
    message = refused(broken, "broken.xlsx")
    assert message.startswith("broken.xlsx: is not a readable XLSX workbook")


def test_a_sheet_whose_cells_span_a_huge_grid_is_refused_before_calamine_allocates_it(tmp_path):
    # Two cells, 600 bytes of XML: calamine would allocate the grid from A1 to XFD1048576
    # (550 GB) and abort the process.
    book, sheet = workbook([project_row()])
    sheet["XFD1048576"] = "far"
    path = saved(book, tmp_path / "far.xlsx")
    with zipfile.ZipFile(path) as archive:
        assert archive.getinfo("xl/worksheets/sheet1.xml").file_size < 10_000
    message = refused(path, "far.xlsx")
    assert message.startswith("far.xlsx: is refused as too large")
    assert "1,048,576 rows by 16,384 columns" in message
    # A sheet deep in rows but narrow, or wide but short, is fine.
    book, sheet = workbook([project_row()])
    sheet["A200000"] = "deep"
    sheet["AZ2"] = "wide"  # 52 columns x 200,000 rows: 10 million cells
    (projects, _) = read_export(saved(book, tmp_path / "fine.xlsx"), "fine.xlsx")
    assert projects.frame["source_line"].tolist() == [2, 200000]

"""The downloads published with the warehouse: what a person opening them in Excel gets.

Each test builds a small `marts` schema of the shapes the dbt project builds, runs
write_exports on it and reads the files back as a person's tools would: openpyxl for the
XLSX, Python's csv module with utf-8-sig (what Excel does with a byte-order mark).
"""

from __future__ import annotations

import csv
import zipfile
from datetime import date, datetime
from decimal import Decimal

import duckdb
import openpyxl
import pytest

from pipelines.transform.docs import mart_column_descriptions
from pipelines.warehouse.exports import DOWNLOADS, header_name, write_csv, write_exports

FORMULA = '=HYPERLINK("http://evil.example", "click")'
NAMES = ["Περιφέρεια Κρήτης", "Jihomoravský kraj, Brno", "Община Бургас"]
DESCRIPTIONS = {
    "policy_changes": {
        "change_id": "The change's identifier in the monitoring system.",
        "total_influenced_eur": "sf_influenced_eur + other_influenced_eur.",
    }
}


@pytest.fixture
def con():
    con = duckdb.connect()
    con.execute("CREATE SCHEMA marts")
    con.execute(
        "CREATE TABLE marts.policy_changes (change_id VARCHAR, organisation_name VARCHAR,"
        " nuts2_code VARCHAR, is_structural_funds BOOLEAN, description VARCHAR,"
        " total_influenced_eur DECIMAL(18,2), validated_on DATE)"
    )
    con.executemany(
        "INSERT INTO marts.policy_changes VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            ("PC1", NAMES[0], "EL43", True, "A new call", Decimal("2500120.25"), date(2020, 1, 15)),
            ("PC2", NAMES[1], "CZ06", False, FORMULA, Decimal("0.10"), date(2021, 6, 30)),
            ("PC3", NAMES[2], None, False, "-5 % less", None, None),
        ],
    )
    con.execute(
        "CREATE TABLE marts.partners AS SELECT 'P' || i AS partner_id,"
        " 'Partner ' || i AS organisation_name, i::BIGINT AS projects FROM range(1, 5) t(i)"
    )
    con.execute(
        "CREATE TABLE marts.headline_results AS SELECT * FROM (VALUES"
        " (DATE '2023-12-31', 10::BIGINT, 12.5::DECIMAL(4,1)),"
        " (DATE '2024-03-31', 12::BIGINT, 14.0::DECIMAL(4,1))) t(as_of_date, projects,"
        " nuts2_coverage_pct)"
    )
    con.execute("CREATE TABLE marts.source_reconciliation AS SELECT 1 AS project_id")
    con.execute(  # the shape dbt builds: times of the source's export, of the load, of the build
        "CREATE TABLE marts.data_freshness AS SELECT * FROM (VALUES"
        " ('monitoring', 'Project-monitoring export', TIMESTAMPTZ '2024-05-15 06:00:00+00',"
        "  'https://monitoring.example/x', 'ab12', 11, TIMESTAMPTZ '2024-05-15 07:00:00+00',"
        "  'run-1', TIMESTAMPTZ '2024-05-15 07:05:00+00'),"
        " ('keep', 'keep.eu export', TIMESTAMPTZ '2024-05-01 10:30:00+02', 'https://keep.eu/x',"
        "  'cd34', 2, TIMESTAMPTZ '2024-05-15 07:00:00+00', 'run-1',"
        "  TIMESTAMPTZ '2024-05-15 07:05:00+00'))"
        " t(source, source_name, source_date, url, sha256, files, loaded_at, run_id, built_at)"
    )
    yield con
    con.close()


@pytest.fixture
def exports(con, tmp_path):
    write_exports(con, tmp_path / "exports", DESCRIPTIONS)
    return tmp_path / "exports"


def sheet(exports, name="policy_changes", title=None):
    book = openpyxl.load_workbook(exports / f"{name}.xlsx")
    return book[title] if title else book.worksheets[0]


def test_each_built_download_is_written_as_csv_and_xlsx_and_every_mart_as_parquet(exports):
    built = {"policy_changes", "partners", "headline_results"}
    expected = {f"{m}.{ext}" for m in built for ext in ("csv", "xlsx")}
    parquet = {f"{m}.parquet" for m in built | {"source_reconciliation", "data_freshness"}}
    assert {p.name for p in exports.iterdir()} == expected | parquet
    # Not built yet (projects, good practices, ...): skipped, not an error.
    assert set(DOWNLOADS) - built == {
        "projects", "good_practices", "regional_coverage", "country_results"
    }  # fmt: skip


def test_the_csv_starts_with_a_byte_order_mark_so_excel_reads_greek_czech_and_bulgarian(
    exports,
):
    assert (exports / "policy_changes.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    with open(exports / "policy_changes.csv", encoding="utf-8-sig", newline="") as f:
        records = list(csv.DictReader(f))
    assert [r["organisation_name"] for r in records] == NAMES
    assert list(records[0])[0] == "change_id"  # the column names, as in the warehouse
    assert records[0]["total_influenced_eur"] == "2500120.25"


def test_formula_text_is_quoted_in_the_csv_and_stays_text_in_the_xlsx(exports):
    with open(exports / "policy_changes.csv", encoding="utf-8-sig", newline="") as f:
        records = list(csv.DictReader(f))
    assert records[1]["description"] == "'" + FORMULA
    assert records[2]["description"] == "'-5 % less"
    cell = sheet(exports)["E3"]
    assert cell.value == FORMULA and cell.data_type == "s"


def test_the_xlsx_header_is_readable_bold_filled_and_frozen(exports):
    ws = sheet(exports)
    assert ws.title == "Policy changes"
    assert [c.value for c in ws[1]] == [
        "Change ID", "Organisation name", "NUTS 2 code", "Structural Funds", "Description",
        "Total influenced (EUR)", "Validated on",
    ]  # fmt: skip
    assert all(c.font.b for c in ws[1]) and ws["A1"].fill.fgColor.rgb == "FFD9E1F2"
    assert not ws["A2"].font.b
    assert ws.freeze_panes == "A2"


def test_an_autofilter_covers_the_data_and_excel_is_told_of_it(exports):
    assert sheet(exports).auto_filter.ref == "A1:G4"
    with zipfile.ZipFile(exports / "policy_changes.xlsx") as book:
        workbook = book.read("xl/workbook.xml").decode()
    assert (
        '<definedName name="_xlnm._FilterDatabase" localSheetId="0" hidden="1">'
        "'Policy changes'!$A$1:$G$4</definedName>"
    ) in workbook


def test_columns_are_as_wide_as_their_header_or_values(exports):
    widths = {k: d.width for k, d in sheet(exports).column_dimensions.items()}
    assert widths["A"] == len("Change ID") + 5  # the header, and room for the filter button
    assert widths["B"] == len(NAMES[1]) + 2  # the longest name
    assert widths["E"] == len(FORMULA) + 2
    assert widths["F"] == len("Total influenced (EUR)") + 5


def test_amounts_show_thousands_and_cents_and_keep_their_exact_value(exports):
    amount = sheet(exports)["F2"]
    assert amount.number_format == "#,##0.00"
    assert Decimal(str(amount.value)) == Decimal("2500120.25")
    headline = sheet(exports, "headline_results")
    assert headline["B2"].number_format == "#,##0"  # a count
    assert headline["C2"].number_format == "#,##0.0"  # a percentage with one decimal
    assert Decimal(str(headline["C2"].value)) == Decimal("12.5")


def test_dates_are_date_cells(exports):
    validated = sheet(exports)["G2"]
    assert validated.value == datetime(2020, 1, 15) and validated.is_date
    assert validated.number_format == "yyyy-mm-dd"


def test_the_about_sheet_says_what_as_of_when_from_where_and_what_each_column_means(exports):
    rows = [
        tuple(v for v in row if v is not None)
        for row in sheet(exports, title="About").iter_rows(values_only=True)
    ]
    assert rows[0] == ("Interreg results warehouse: policy changes",)
    assert ("As of", datetime(2024, 3, 31)) in rows  # the latest of the headline series
    # Each source with the time of its export, in UTC.
    sources = rows[rows.index(("Sources",)) + 1 :][:3]
    assert [s[:3] for s in sources] == [
        ("Source", "Source name", "Source date"),
        ("keep", "keep.eu export", "2024-05-01 08:30:00 UTC"),
        ("monitoring", "Project-monitoring export", "2024-05-15 06:00:00 UTC"),
    ]
    assert sources[0][3:] == ("Loaded at", "URL", "SHA-256")  # not the run or build columns
    assert sources[1][3:] == ("2024-05-15 07:00:00 UTC", "https://keep.eu/x", "cd34")
    columns = rows[rows.index(("Header", "Column", "Description")) + 1 :]
    assert [c[1] for c in columns] == [
        "change_id", "organisation_name", "nuts2_code", "is_structural_funds", "description",
        "total_influenced_eur", "validated_on",
    ]  # fmt: skip
    assert columns[0] == ("Change ID", "change_id", DESCRIPTIONS["policy_changes"]["change_id"])
    assert columns[5][2] == "sf_influenced_eur + other_influenced_eur."
    assert columns[1] == ("Organisation name", "organisation_name")  # no description: none


def test_without_headline_or_freshness_marts_the_about_sheet_has_just_the_columns(tmp_path):
    con = duckdb.connect()
    con.execute("CREATE SCHEMA marts")
    con.execute("CREATE TABLE marts.projects AS SELECT 'PGI1' AS project_id")
    # An older shape of marts.data_freshness, without the source's date: what it has is shown.
    con.execute(
        "CREATE TABLE marts.data_freshness AS"
        " SELECT 'keep' AS source, TIMESTAMPTZ '2024-05-15 06:00:00+00' AS exported_at"
    )
    write_exports(con, tmp_path)
    rows = list(openpyxl.load_workbook(tmp_path / "projects.xlsx")["About"].values)
    assert rows[0][0] == "Interreg results warehouse: projects"
    assert not [r for r in rows if r[0] == "As of"]
    assert ("Project ID", "project_id", None) in rows
    assert ("Source", "Exported at", None) in rows
    assert ("keep", "2024-05-15 06:00:00 UTC", None) in rows


def test_an_empty_mart_gives_a_header_and_a_filter_over_it(tmp_path):
    con = duckdb.connect()
    con.execute("CREATE SCHEMA marts")
    con.execute("CREATE TABLE marts.partners (partner_id VARCHAR, budget_eur DECIMAL(18,2))")
    write_exports(con, tmp_path)
    ws = openpyxl.load_workbook(tmp_path / "partners.xlsx").worksheets[0]
    assert list(ws.values) == [("Partner ID", "Budget (EUR)")]
    assert ws.auto_filter.ref == "A1:B1"
    assert (tmp_path / "partners.csv").read_bytes() == b"\xef\xbb\xbfpartner_id,budget_eur\n"


@pytest.mark.parametrize(
    ("column", "header"),
    [
        ("total_influenced_eur", "Total influenced (EUR)"),
        ("sf_influenced_eur", "SF influenced (EUR)"),
        ("nuts2_coverage_pct", "NUTS 2 coverage (%)"),
        ("is_lead_partner", "Lead partner"),
        ("project_id", "Project ID"),
        ("as_of_date", "As of"),
        ("keep_themes", "keep.eu themes"),
    ],
)
def test_headers_are_read_from_the_column_names(column, header):
    assert header_name(column) == header


def test_column_descriptions_come_from_the_marts_in_the_dbt_manifest():
    def model(name, package_path, columns):
        return {
            "resource_type": "model", "name": name, "fqn": ["interreg", package_path, name],
            "description": "", "columns": columns,
        }  # fmt: skip

    manifest = {
        "nodes": {
            "model.a": model("projects", "marts", {"acronym": {"description": "Short\n  name."}}),
            "model.b": model("stg_projects", "staging", {"acronym": {"description": "raw"}}),
        }
    }
    assert mart_column_descriptions(manifest) == {"projects": {"acronym": "Short name."}}


def test_write_csv_takes_a_query_and_an_order_as_the_results_page_passes_them(con, tmp_path):
    relation = "(SELECT change_id, description FROM marts.policy_changes WHERE change_id > 'PC1')"
    target = write_csv(con, relation, tmp_path / "cut.csv", "change_id DESC")
    with open(target, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    assert rows == [["change_id", "description"], ["PC3", "'-5 % less"], ["PC2", "'" + FORMULA]]
    assert not list(tmp_path.glob("*.body"))  # the BOM-less body is not left behind

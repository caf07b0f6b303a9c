"""Bad keep.eu files through `interreg run`: each case with its outcome.

Every case runs the real `interreg run` with `INTERREG_KEEP_FILES` pointing at a variant of
the bundled sample workbook (`sample/keep/keep_eu_export.xlsx`) built with openpyxl
(support/keep_workbooks.py), or at a small legacy partners CSV written here:

* fail, against a copy of a warehouse that holds a good published file: exit 1, the last
  stderr line names the file (and the sheet and column where there is one), and the
  published file, its releases and exports stay byte for byte as they were. Each is one
  process; they stop before dbt, so they are quick.
* quarantine / succeed: one hostile-but-valid workbook holds all of those cases (bad cells
  in a few rows, duplicate project rows, dangling partners, an extra column, formulas,
  SQL-looking text). It is read by the session's one hostile run (tests/e2e/conftest.py),
  with the hostile monitoring export of test_faults.py; these tests read keep.eu's part.
* a header-only workbook: the keep.eu contract requires no rows (validate.py quarantines
  rows, it never asks for them, and a programme with no projects yet exports just the
  headers), so it succeeds with no keep.eu rows.
"""

from __future__ import annotations

import random
from collections import Counter
from pathlib import Path

import duckdb
import pytest
from support.cli import interreg, last_line, published
from support.keep_workbooks import (
    DRIFT_COLUMN,
    FORMULA,
    FORMULA_PARTNER,
    FORMULA_PROJECT,
    HOSTILE,
    MAX_REJECTED_PCT,
    PARTNERS,
    PROJECTS,
    Hostile,
    columns,
    load_sample,
    save,
)
from support.warehouse import leftovers, published_state, table_names

from pipelines.config import SAMPLE_KEEP_FILE
from tools.samples.keep import PARTNER_HEADERS, PROJECT_HEADERS, workbook_bytes

LEGACY_PARTNER_HEADER = (
    "Programme;Acronym;Project Partner;Lead Partner;Street;Postal code;Town;Country;Website;"
    "Department;Legal Status;Country code;NUTS1 (or equivalent);NUTS2 (or equivalent);"
    "NUTS3 (or equivalent)"
)


def fails_and_publishes_nothing(warehouse: Path, *files: Path, named: tuple[str, ...]) -> str:
    """Run on `files`; exit 1, every `named` text on the last stderr line, nothing published."""
    before = published_state(warehouse)
    env = {"INTERREG_KEEP_FILES": ":".join(str(f) for f in files)}
    result = interreg("run", warehouse=warehouse, env=env)
    assert result.returncode == 1, f"the run should have failed:\n{result.stderr[-3000:]}"
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    line = last_line(result.stderr)
    assert line.startswith("interreg run failed: keep_raw_tables: "), line
    for text in named:
        assert text in line, f"{text!r} is not in the last line: {line}"
    assert published_state(warehouse) == before
    assert leftovers(warehouse) == []
    return line


# --- building variants ---


def legacy_csv(*records: list[str]) -> str:
    """The legacy `;`-separated partner list (keep.eu 2), with these records."""
    lines = [LEGACY_PARTNER_HEADER] + [";".join(r) for r in records]
    return "\r\n".join(lines) + "\r\n"


def legacy_record(acronym: str, organisation: str, town: str = "Erfurt") -> list[str]:
    cells = ["2014 - 2020 INTERREG VB Central Europe", acronym, organisation, "Yes"]
    cells += ["Weimarische Strasse 29 b", "99099", town, "Germany", "http://x.eu", "", "public"]
    return cells + ["DE Germany / DEUTSCHLAND", "DEG  / THUERINGEN", "DEG0  / Thueringen", ""]


def sample_bytes() -> bytes:
    return SAMPLE_KEEP_FILE.read_bytes()


# --- fail: the file as a whole cannot be read ---


def empty_file(path: Path) -> tuple[Path, tuple[str, ...]]:
    path = path / "keep_empty.xlsx"
    path.write_bytes(b"")
    return path, ("keep_empty.xlsx", "is empty")


def not_a_zip(path: Path) -> tuple[Path, tuple[str, ...]]:
    path = path / "keep_random.xlsx"
    path.write_bytes(random.Random(2014).randbytes(64 * 1024))
    return path, ("keep_random.xlsx", "is not UTF-8 text", "nor an XLSX workbook")


def truncated(path: Path) -> tuple[Path, tuple[str, ...]]:
    data = sample_bytes()
    path = path / "keep_truncated.xlsx"
    path.write_bytes(data[: len(data) // 2])
    return path, ("keep_truncated.xlsx", "is not a readable XLSX workbook")


def utf16_csv(path: Path) -> tuple[Path, tuple[str, ...]]:
    path = path / "keep_partners_utf16.csv"
    text = legacy_csv(legacy_record("ECRR", "Association for Rural Development Thuringia"))
    path.write_bytes(text.encode("utf-16"))  # with its BOM, as Excel's "Unicode text" saves
    return path, ("keep_partners_utf16.csv", "is UTF-16 text")


def invalid_utf8_csv(path: Path) -> tuple[Path, tuple[str, ...]]:
    path = path / "keep_partners_latin1.csv"
    text = legacy_csv(
        legacy_record("ECRR", "Association for Rural Development"),
        legacy_record("ECRR", "Landesentwicklungsgesellschaft Thüringen"),
    )
    path.write_bytes(text.encode("latin-1"))  # ü as one byte 0xFC: not UTF-8
    offset = text.encode("latin-1").index(b"\xfc")  # the only byte above 127
    return path, ("keep_partners_latin1.csv", "not UTF-8", f"byte offset {offset}", "line 3")


@pytest.mark.parametrize(
    "build",
    [empty_file, not_a_zip, truncated, utf16_csv, invalid_utf8_csv],
    ids=["empty", "random_bytes_named_xlsx", "truncated_xlsx", "utf16_csv", "invalid_utf8_csv"],
)
def test_an_unreadable_file_fails_naming_it_and_publishes_nothing(build, good_copy, tmp_path):
    bad, named = build(tmp_path)
    # After the good sample: the error names the bad file, not merely the last one read.
    fails_and_publishes_nothing(good_copy, SAMPLE_KEEP_FILE, bad, named=named)


def test_a_required_column_missing_fails_naming_file_sheet_and_column(good_copy, tmp_path):
    book = load_sample()
    sheet = book[PARTNERS]
    sheet.delete_cols(columns(sheet)["Lead partner"])
    bad = save(book, tmp_path / "keep_no_lead_column.xlsx")
    line = fails_and_publishes_nothing(
        good_copy, bad, named=(f"keep_no_lead_column.xlsx [{PARTNERS}]", "'Lead partner'")
    )
    assert "lacks the column 'Lead partner'" in line


# --- fail: too many rows of one sheet break its rules ---


def spoil(sheet, header: str, value, count: int) -> int:
    """`value` in column `header` of the sheet's first `count` records; returns the records."""
    column = columns(sheet)[header]
    for row in range(2, 2 + count):
        sheet.cell(row, column).value = value
    return sheet.max_row - 1


@pytest.mark.parametrize(
    ("sheet_name", "header", "value"),
    [
        (PROJECTS, "Project's total budget / expenditure", "1.234,56"),
        (PARTNERS, "Lead partner", "Maybe"),
    ],
    ids=["projects_european_amounts", "partners_out_of_domain_lead_partner"],
)
def test_bad_cells_in_more_than_the_allowed_share_of_a_sheet_fail_naming_the_sheet(
    sheet_name, header, value, good_copy, tmp_path
):
    book = load_sample()
    sheet = book[sheet_name]
    records = sheet.max_row - 1
    bad_rows = records * MAX_REJECTED_PCT // 100 + 3  # just over 10 %
    spoil(sheet, header, value, bad_rows)
    bad = save(book, tmp_path / "keep_mostly_bad.xlsx")
    line = fails_and_publishes_nothing(
        good_copy,
        bad,
        named=(
            f"keep_mostly_bad.xlsx [{sheet_name}]: {bad_rows} of {records} rows",
            "INTERREG_KEEP_MAX_REJECTED_PCT",
            header,
        ),
    )
    assert f"more than the {MAX_REJECTED_PCT} % allowed" in line


# --- succeed: a header-only workbook ---


def test_a_header_only_workbook_succeeds_with_no_keep_rows(good_copy, tmp_path):
    bad = tmp_path / "keep_headers_only.xlsx"
    bad.write_bytes(
        workbook_bytes({PROJECTS: (PROJECT_HEADERS, []), PARTNERS: (PARTNER_HEADERS, [])})
    )
    result = interreg("run", warehouse=good_copy, env={"INTERREG_KEEP_FILES": str(bad)})
    assert result.returncode == 0, result.stderr[-3000:]
    with duckdb.connect(str(published(good_copy)), read_only=True) as con:
        loaded = con.execute(
            "SELECT file, rows_read, rows_loaded, rows_rejected FROM audit.loaded_files"
            " WHERE source = 'keep' ORDER BY file"
        ).fetchall()
        counts = [
            con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            for t in ("marts.keep_projects", "marts.keep_partners", "raw_keep.projects")
        ]
        presence = con.execute(
            "SELECT DISTINCT presence FROM marts.source_reconciliation"
        ).fetchall()
        projects = con.execute("SELECT count(*) FROM marts.projects").fetchone()[0]
    assert loaded == [
        (f"keep_headers_only.xlsx [{PARTNERS}]", 0, 0, 0),
        (f"keep_headers_only.xlsx [{PROJECTS}]", 0, 0, 0),
    ]
    assert counts == [0, 0, 0]
    assert presence == [("monitoring_only",)]  # every programme project, none in keep.eu
    assert projects > 0  # the monitoring export was published as ever


# --- quarantine and succeed: the session's hostile run (tests/e2e/conftest.py) ---


@pytest.fixture
def hostile_keep(hostile_run) -> tuple[Hostile, Path, object]:
    """The hostile run as these tests read it: what support.keep_workbooks did to keep.eu's
    sample (its formula workbook's two projects included), the warehouse, the run."""
    return hostile_run["keep"], hostile_run["warehouse"], hostile_run["result"]


def test_bad_cells_conflicting_duplicates_and_dangling_partners_are_quarantined_by_row_and_column(
    hostile_keep, good
):
    done, warehouse, result = hostile_keep
    assert "keep.eu rule failures quarantined in audit.rejected_rows" in result.stderr
    with duckdb.connect(str(published(warehouse)), read_only=True) as con:
        rejected = con.execute(
            "SELECT file, row_number, column_name, check_name, message FROM audit.rejected_rows"
            " WHERE source = 'keep'"
        ).fetchall()
        loaded = {
            file: (read, accepted, bad)
            for file, read, accepted, bad in con.execute(
                "SELECT file, rows_read, rows_loaded, rows_rejected FROM audit.loaded_files"
                " WHERE source = 'keep'"
            ).fetchall()
        }
        keep_projects = con.execute(
            "SELECT programme, project_acronym FROM marts.keep_projects"
        ).fetchall()
        partners = con.execute("SELECT count(*) FROM marts.keep_partners").fetchone()[0]
        dangling = con.execute(
            "SELECT count(*) FROM marts.keep_partners WHERE project_acronym = 'NO-SUCH-PROJECT'"
        ).fetchone()[0]
    with duckdb.connect(str(published(good)), read_only=True) as con:
        good_projects = con.execute(
            "SELECT programme, project_acronym FROM marts.keep_projects"
        ).fetchall()

    names = {PROJECTS: f"{done.name} [{PROJECTS}]", PARTNERS: f"{done.name} [{PARTNERS}]"}
    expected = {(names[s], r, c, k) for s, r, c, k in done.rejected}
    assert {r[:4] for r in rejected} == expected
    assert len(rejected) == len(expected)  # one row per failure, none twice
    # Each message says where: the sheet row (record + 1, below the header).
    assert all(message.startswith(f"sheet row {row + 1}: ") for _, row, _, _, message in rejected)
    for sheet, file in names.items():
        bad = len({r for s, r, *_ in done.rejected if s == sheet})
        assert loaded[file] == (done.records[sheet], done.records[sheet] - bad, bad)
    # The rest is published: every project but the quarantined ones.
    counts = Counter(keep_projects)
    formula_projects = {("Interreg Europe", a) for a in (FORMULA_PROJECT, FORMULA_PARTNER)}
    assert set(counts) == (set(good_projects) - done.quarantined_projects) | formula_projects
    assert max(counts.values()) == 1
    assert partners == loaded[names[PARTNERS]][1] + len(formula_projects)
    assert dangling == 0


def test_a_project_listed_twice_alike_is_merged_and_listed_twice_differently_is_quarantined(
    hostile_keep, good
):
    done, warehouse, _ = hostile_keep
    (programme, merged), (_, conflicting) = done.merged_project, done.conflicting_project
    with duckdb.connect(str(published(warehouse)), read_only=True) as con:
        listed = dict(
            con.execute(
                "SELECT project_acronym, count(*) FROM marts.keep_projects"
                " WHERE project_acronym IN (?, ?) GROUP BY ALL",
                [merged, conflicting],
            ).fetchall()
        )
        rejected = con.execute(
            "SELECT check_name, value, count(*) FROM audit.rejected_rows"
            " WHERE source = 'keep' AND value IN (?, ?) GROUP BY ALL ORDER BY 1",
            [
                f"{programme} / 2014-2020 / {conflicting}",
                f"the project of acronym {conflicting!r} in {programme!r}",
            ],
        ).fetchall()
        partners = con.execute(
            "SELECT count(*) FROM marts.keep_partners WHERE project_acronym = ?", [conflicting]
        ).fetchone()[0]
    with duckdb.connect(str(published(good)), read_only=True) as con:
        good_partners = con.execute(
            "SELECT count(*) FROM marts.keep_partners WHERE project_acronym = ?", [conflicting]
        ).fetchone()[0]
    assert listed == {merged: 1}  # one project; the conflicting one is left out
    assert rejected == [
        ("depends_on_rejected_row", f"the project of acronym {conflicting!r} in {programme!r}",
         good_partners),
        ("project_rows_agree", f"{programme} / 2014-2020 / {conflicting}", 2),  # both rows
    ]  # fmt: skip
    assert good_partners > 0 and partners == 0  # every partner of it left out too


def test_everything_else_is_published_exactly_as_from_the_good_file(hostile_keep, good):
    done, warehouse, _ = hostile_keep
    left_out = sorted(done.touched | {FORMULA_PROJECT, FORMULA_PARTNER})

    def rows(path: Path, mart: str) -> list[tuple]:
        with duckdb.connect(str(published(path)), read_only=True) as con:
            return con.execute(
                f"SELECT * FROM marts.{mart} WHERE project_acronym NOT IN (SELECT unnest(?))"
                " ORDER BY ALL",
                [left_out],
            ).fetchall()

    for mart in ("keep_projects", "keep_partners"):
        expected = rows(good, mart)
        assert len(expected) > 200
        assert rows(warehouse, mart) == expected, mart  # no value misread, none null


def test_an_extra_column_is_reported_as_drift_and_the_run_succeeds(hostile_keep):
    done, warehouse, _ = hostile_keep
    with duckdb.connect(str(published(warehouse)), read_only=True) as con:
        drift = con.execute(
            "SELECT file, column_name FROM audit.schema_drift WHERE source = 'keep'"
        ).fetchall()
    assert drift == [(f"{done.name} [{PROJECTS}]", DRIFT_COLUMN)]


def test_formulas_come_out_as_text_in_the_keep_marts_never_evaluated(hostile_keep):
    done, warehouse, _ = hostile_keep
    with duckdb.connect(str(published(warehouse)), read_only=True) as con:
        project_names = dict(
            con.execute(
                "SELECT project_acronym, project_name FROM marts.keep_projects"
                " WHERE project_name LIKE '=%' OR project_name = 'y'"
            ).fetchall()
        )
        partner_names = con.execute(
            "SELECT project_acronym, organisation_name FROM marts.keep_partners"
            " WHERE organisation_name LIKE '=%' OR organisation_name = 'y'"
        ).fetchall()
    formulas = {a for a, n in done.project_names.items() if n == FORMULA}
    assert FORMULA_PROJECT in formulas and len(formulas) == 2  # a formula cell, a string cell
    assert project_names == dict.fromkeys(formulas, FORMULA)
    formulas = {a for a, n in done.partner_names.items() if n == FORMULA}
    assert FORMULA_PARTNER in formulas and len(formulas) == 2
    assert sorted(partner_names) == sorted((a, FORMULA) for a in formulas)


def test_quotes_semicolons_comments_and_sql_in_free_text_are_stored_exactly(hostile_keep, good):
    done, warehouse, _ = hostile_keep
    with duckdb.connect(str(published(warehouse)), read_only=True) as con:
        acronyms = sorted(done.project_descriptions)
        projects = {
            a: (n, d)
            for a, n, d in con.execute(
                "SELECT acronym, project_name, description FROM raw_keep.projects"
                " WHERE acronym IN (SELECT unnest(?))",
                [acronyms],
            ).fetchall()
        }
        marts = dict(
            con.execute(
                "SELECT project_acronym, project_name FROM marts.keep_projects"
                " WHERE project_acronym IN (SELECT unnest(?))",
                [acronyms],
            ).fetchall()
        )
        partners = con.execute(
            "SELECT project_acronym, organisation_name, town FROM marts.keep_partners"
            " WHERE town = ?",
            [HOSTILE],
        ).fetchall()
    assert projects == {a: (done.project_names[a], done.project_descriptions[a]) for a in acronyms}
    assert marts == {a: done.project_names[a] for a in acronyms}
    assert sorted(partners) == sorted(
        (a, done.partner_names[a], done.partner_towns[a]) for a in done.partner_towns
    )
    # Nothing was dropped (or added): the same tables as the good warehouse.
    assert table_names(published(warehouse)) == table_names(published(good))

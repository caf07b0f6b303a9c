"""Bad keep.eu files through `interreg run` (issue #5, item 2): each case with its outcome.

Every case runs the real `interreg run` with `INTERREG_KEEP_FILES` pointing at a variant of
the bundled sample workbook (`sample/keep/keep_eu_export.xlsx`) built here with openpyxl,
or at a small legacy partners CSV written here, against a copy of a warehouse that holds
a good published file:

* fail: exit 1, the last stderr line names the file (and the sheet and column where there
  is one), and the published file, its releases and exports stay byte for byte as they
  were. Each is one process; they stop before dbt, so they are quick.
* quarantine / succeed: one hostile-but-valid workbook holds all of those cases (bad cells
  in a few rows, duplicate project rows, dangling partners, an extra column, formulas,
  SQL-looking text); its one run (a module fixture) is shared by several tests.
* a header-only workbook: the keep.eu contract requires no rows (validate.py quarantines
  rows, it never asks for them, and a programme with no projects yet exports just the
  headers), so it succeeds with no keep.eu rows.
"""

from __future__ import annotations

import io
import random
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import openpyxl
import pytest
from support.built_once import built_once
from support.cli import copy_warehouse, interreg, last_line, published
from support.warehouse import leftovers, published_state, table_names

from pipelines.config import SAMPLE_KEEP_FILE
from tools.samples.keep import PARTNER_HEADERS, PROJECT_HEADERS, workbook_bytes

PROJECTS = "Search results, projects"
PARTNERS = "Search results, partners"
FORMULA = '=HYPERLINK("http://x","y")'
HOSTILE_TEXTS = ("'", '"', ";", "--", "); DROP TABLE x; --")
HOSTILE = 'O\'Brien "quoted"; -- not a comment ); DROP TABLE x; --'
DRIFT_COLUMN = 'Priority"; DROP TABLE raw_keep.projects; --'
LEGACY_PARTNER_HEADER = (
    "Programme;Acronym;Project Partner;Lead Partner;Street;Postal code;Town;Country;Website;"
    "Department;Legal Status;Country code;NUTS1 (or equivalent);NUTS2 (or equivalent);"
    "NUTS3 (or equivalent)"
)
MAX_REJECTED_PCT = 10  # INTERREG_KEEP_MAX_REJECTED_PCT's default


# --- the warehouses ---


def copy_of(good: Path, target: Path) -> Path:
    return copy_warehouse(good, target)


@pytest.fixture
def good_copy(good, tmp_path) -> Path:
    return copy_of(good, tmp_path / "warehouse")


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


def load_sample() -> openpyxl.Workbook:
    return openpyxl.load_workbook(SAMPLE_KEEP_FILE)


def save(book: openpyxl.Workbook, path: Path) -> Path:
    buffer = io.BytesIO()
    book.save(buffer)
    path.write_bytes(buffer.getvalue())
    return path


def columns(sheet) -> dict[str, int]:
    """Header -> column number (1 = A)."""
    return {cell.value: cell.column for cell in sheet[1] if cell.value is not None}


def set_text(cell, text: str) -> None:
    """A string cell, even for text starting with '=' (which openpyxl takes for a formula)."""
    cell.value = text
    cell.data_type = "s"


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


# --- quarantine and succeed: one hostile-but-valid workbook ---


@dataclass
class Hostile:
    """What was done to the sample, and what the run must therefore show."""

    path: Path
    name: str
    # (sheet, row_number, column, check) of every quarantine row the run must write
    rejected: set[tuple[str, int, str, str]] = field(default_factory=set)
    records: dict[str, int] = field(default_factory=dict)  # sheet -> records in it
    quarantined_projects: set[tuple[str, str]] = field(default_factory=set)  # programme, acronym
    merged_project: tuple[str, str] = ("", "")  # listed twice, identically
    conflicting_project: tuple[str, str] = ("", "")  # listed twice, with other budgets
    touched: set[str] = field(default_factory=set)  # acronyms whose rows were edited
    project_names: dict[str, str] = field(default_factory=dict)  # acronym -> name set
    project_descriptions: dict[str, str] = field(default_factory=dict)
    partner_names: dict[str, str] = field(default_factory=dict)  # acronym -> its 1st partner's
    partner_towns: dict[str, str] = field(default_factory=dict)


def hostile_workbook(path: Path) -> Hostile:
    """The sample with bad cells in a few rows of each sheet (well under 10 %), duplicate
    project rows, a dangling partner, an extra column, formulas and SQL-looking text."""
    book = load_sample()
    projects, partners = book[PROJECTS], book[PARTNERS]
    pc, qc = columns(projects), columns(partners)
    done = Hostile(path, path.name)

    def project_at(row: int) -> tuple[str, str]:
        return projects.cell(row, pc["Programme"]).value, projects.cell(
            row, pc["Project acronym"]
        ).value

    # Interreg Europe 2014-2020 projects (no project ID: partners join on the acronym).
    rows = [
        r
        for r in range(2, projects.max_row + 1)
        if projects.cell(r, pc["Project ID (2021-2027 only)"]).value is None
        and projects.cell(r, pc["Programme"]).value == "Interreg Europe"
    ]
    partner_rows: dict[tuple[str, str], list[int]] = {}
    for r in range(2, partners.max_row + 1):
        key = (
            partners.cell(r, qc["Programme"]).value,
            partners.cell(r, qc["Project acronym"]).value,
        )
        partner_rows.setdefault(key, []).append(r)

    def quarantine_project(row: int, header: str, value, check: str) -> None:
        projects.cell(row, pc[header]).value = value
        done.rejected.add((PROJECTS, row - 1, header, check))
        done.quarantined_projects.add(project_at(row))
        done.touched.add(project_at(row)[1])

    # Bad cells in projects: their partners are quarantined with them.
    quarantine_project(
        rows[10], "Project's total budget / expenditure", "1.234,56", "amount_format"
    )
    quarantine_project(rows[20], "Project start", "31/12/2022", "date_format")
    quarantine_project(rows[30], "Project's EU funding", "lots", "amount_format")  # text
    quarantine_project(rows[35], "Project end", True, "end_date_format")  # a boolean cell
    # A project listed twice with different budgets: both rows, and its partners.
    conflicting = [c.value for c in projects[rows[40]]]
    conflicting[pc["Project's total budget / expenditure"] - 1] = 1.0
    projects.append(conflicting)
    key = "Programme, Period, Project acronym"
    done.rejected |= {
        (PROJECTS, rows[40] - 1, key, "project_rows_agree"),
        (PROJECTS, projects.max_row - 1, key, "project_rows_agree"),
    }
    done.quarantined_projects.add(project_at(rows[40]))
    done.conflicting_project = project_at(rows[40])
    done.touched.add(project_at(rows[40])[1])
    # A project listed twice identically: one project (rows of a project may repeat).
    projects.append([c.value for c in projects[rows[50]]])
    done.merged_project = project_at(rows[50])
    for project in done.quarantined_projects:
        for r in partner_rows[project]:
            done.rejected.add((PARTNERS, r - 1, "Project acronym", "depends_on_rejected_row"))

    # Bad cells in partners of projects that are fine.
    for row, header, value, check in (
        (partner_rows[project_at(rows[100])][0], "Lead partner", "Maybe", "yes_no_format"),
        (partner_rows[project_at(rows[101])][1], "Country code", "Germany", "country_format"),
        (
            partner_rows[project_at(rows[102])][0],
            "NUTS2 code (or equivalent)",
            "de11 x",
            "nuts_format",
        ),
        (
            partner_rows[project_at(rows[103])][1],
            "Partner's total eligible budget / expenditure",
            "1.234,56",
            "amount_format",
        ),
        (
            partner_rows[project_at(rows[104])][0],
            "ERDF contribution (2014-2020 only)",
            "12,5",
            "amount_format",
        ),
    ):
        partners.cell(row, qc[header]).value = value
        done.rejected.add((PARTNERS, row - 1, header, check))
        done.touched.add(partners.cell(row, qc["Project acronym"]).value)
    # A partner of a project the workbook does not list.
    dangling = [c.value for c in partners[partner_rows[project_at(rows[105])][0]]]
    dangling[qc["Project acronym"] - 1] = "NO-SUCH-PROJECT"
    partners.append(dangling)
    done.rejected.add((PARTNERS, partners.max_row - 1, "Project acronym", "references_projects"))

    # Formula text in string cells (real formula cells: formula_workbook).
    first_partner = {project_at(r)[1]: partner_rows[project_at(r)][0] for r in rows[70:100]}
    set_text(projects.cell(rows[70], pc["Project name in English"]), FORMULA)
    organisation = partners.cell(
        first_partner[project_at(rows[80])[1]], qc["Organisation in English"]
    )
    set_text(organisation, FORMULA)
    done.project_names[project_at(rows[70])[1]] = FORMULA
    done.partner_names[project_at(rows[80])[1]] = FORMULA
    done.touched |= {project_at(rows[70])[1], project_at(rows[80])[1]}

    # Quotes, semicolons, comments and SQL in free text: stored exactly.
    for n, text in enumerate(HOSTILE_TEXTS):
        acronym = project_at(rows[90 + n])[1]
        set_text(projects.cell(rows[90 + n], pc["Project name in English"]), text)
        set_text(projects.cell(rows[90 + n], pc["Description in English"]), HOSTILE + text)
        set_text(partners.cell(first_partner[acronym], qc["Organisation in English"]), text)
        set_text(partners.cell(first_partner[acronym], qc["Town"]), HOSTILE)
        done.project_names[acronym] = text
        done.project_descriptions[acronym] = HOSTILE + text
        done.partner_names[acronym] = text
        done.partner_towns[acronym] = HOSTILE
        done.touched.add(acronym)

    # A column keep.eu added, with a name that would break SQL pasted unquoted.
    extra = projects.max_column + 1
    projects.cell(1, extra).value = DRIFT_COLUMN
    projects.cell(2, extra).value = "P1"

    done.records = {PROJECTS: projects.max_row - 1, PARTNERS: partners.max_row - 1}
    for sheet, records in done.records.items():
        bad = {r for s, r, *_ in done.rejected if s == sheet}
        assert len(bad) < records * MAX_REJECTED_PCT / 100, sheet  # a quarantine, not a fail
    save(book, path)
    with zipfile.ZipFile(path) as archive:  # so calamine reads it, as it reads keep.eu's
        sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/")]
        assert not any(b"</f>" in archive.read(n) for n in sheets)
    return done


FORMULA_PROJECT, FORMULA_PARTNER = "FORMULA-IN-NAME", "FORMULA-IN-PARTNER"


def formula_workbook(path: Path) -> Path:
    """Two projects of their own, with real formula cells (as openpyxl saves them: no cached
    value) as a project name and as an organisation name. keep.eu writes no formulas: a
    workbook with them was edited by hand, and it is read another way (read.py)."""
    book = openpyxl.Workbook()
    projects = book.active
    projects.title = PROJECTS
    projects.append(list(PROJECT_HEADERS))
    partners = book.create_sheet(PARTNERS)
    partners.append(list(PARTNER_HEADERS))
    for acronym in (FORMULA_PROJECT, FORMULA_PARTNER):
        row = dict.fromkeys(PROJECT_HEADERS)
        row |= {"Period": "2014-2020", "Programme": "Interreg Europe", "Project acronym": acronym}
        row["Project name in English"] = FORMULA if acronym == FORMULA_PROJECT else "Named"
        projects.append([row[h] for h in PROJECT_HEADERS])
        row = dict.fromkeys(PARTNER_HEADERS)
        row |= {"Programme": "Interreg Europe", "Project acronym": acronym, "Lead partner": "Yes"}
        row["Organisation in English"] = FORMULA if acronym == FORMULA_PARTNER else "Agency"
        row["Organisation in language 2"] = "Agentur"  # the partner has a name either way
        partners.append([row[h] for h in PARTNER_HEADERS])
    assert projects["E2"].data_type == "f" and partners["D3"].data_type == "f"
    return save(book, path)


@pytest.fixture(scope="module")
def hostile_run(good, tmp_path_factory, worker_id):
    """One run on the hostile sample and the formula workbook (read by calamine and by
    openpyxl respectively), against a copy of the good warehouse; once for the session."""

    def run(folder: Path):
        done = hostile_workbook(folder / "keep_hostile.xlsx")
        formulas = formula_workbook(folder / "keep_formulas.xlsx")
        done.project_names[FORMULA_PROJECT] = FORMULA
        done.partner_names[FORMULA_PARTNER] = FORMULA
        warehouse = copy_of(good, folder / "warehouse")
        files = f"{done.path}:{formulas}"
        result = interreg("run", warehouse=warehouse, env={"INTERREG_KEEP_FILES": files})
        return done, warehouse, result

    done, warehouse, result = built_once(tmp_path_factory, worker_id, "keep-hostile-run", run)
    assert result.returncode == 0, result.stderr[-3000:]
    return done, warehouse, result


def test_bad_cells_conflicting_duplicates_and_dangling_partners_are_quarantined_by_row_and_column(
    hostile_run, good
):
    done, warehouse, result = hostile_run
    assert "quarantined in audit.rejected_rows" in result.stderr
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
    hostile_run, good
):
    done, warehouse, _ = hostile_run
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


def test_everything_else_is_published_exactly_as_from_the_good_file(hostile_run, good):
    done, warehouse, _ = hostile_run
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


def test_an_extra_column_is_reported_as_drift_and_the_run_succeeds(hostile_run):
    done, warehouse, _ = hostile_run
    with duckdb.connect(str(published(warehouse)), read_only=True) as con:
        drift = con.execute(
            "SELECT file, column_name FROM audit.schema_drift WHERE source = 'keep'"
        ).fetchall()
    assert drift == [(f"{done.name} [{PROJECTS}]", DRIFT_COLUMN)]


def test_formulas_come_out_as_text_in_the_keep_marts_never_evaluated(hostile_run):
    done, warehouse, _ = hostile_run
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


def test_quotes_semicolons_comments_and_sql_in_free_text_are_stored_exactly(hostile_run, good):
    done, warehouse, _ = hostile_run
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

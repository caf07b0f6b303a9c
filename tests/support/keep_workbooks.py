"""keep.eu workbooks for tests, made from the bundled sample with openpyxl: helpers that edit
its sheets, and the hostile-but-valid workbooks of the session's hostile run
(tests/e2e/conftest.py), with what each did to the sample."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl

from pipelines.config import SAMPLE_KEEP_FILE
from tools.samples.keep import PARTNER_HEADERS, PROJECT_HEADERS

PROJECTS = "Search results, projects"
PARTNERS = "Search results, partners"
FORMULA = '=HYPERLINK("http://x","y")'
HOSTILE_TEXTS = ("'", '"', ";", "--", "); DROP TABLE x; --")
HOSTILE = 'O\'Brien "quoted"; -- not a comment ); DROP TABLE x; --'
DRIFT_COLUMN = 'Priority"; DROP TABLE raw_keep.projects; --'
MAX_REJECTED_PCT = 10  # INTERREG_KEEP_MAX_REJECTED_PCT's default


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


def formula_workbook(path: Path, done: Hostile) -> Path:
    """Two projects of their own, with real formula cells (as openpyxl saves them: no cached
    value) as a project name and as an organisation name. keep.eu writes no formulas: a
    workbook with them was edited by hand, and it is read another way (read.py). Their names
    join what `done` says the run must show."""
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
    done.project_names[FORMULA_PROJECT] = FORMULA  # what the run must show, with the rest
    done.partner_names[FORMULA_PARTNER] = FORMULA
    return save(book, path)

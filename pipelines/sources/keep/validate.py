"""Validate keep.eu inputs: Pandera per sheet, quarantine, cascade, then the raw rows.

For every input, every sheet read (read.py):

1. records that could not be read at all are quarantined (`readable_record`);
2. the rest is validated with the sheet's Pandera schema (schemas/keep.py), lazily: each
   failure case becomes a quarantine row naming file, record, sheet row or CSV line,
   column and rule;
3. a partner must belong to a project of the same workbook, when the workbook has a
   projects sheet (`references_projects`); partners of a quarantined project are
   quarantined with it (`depends_on_rejected_row`);
4. a sheet with more than `max_rejected_pct` % of its records quarantined is not
   trusted (the layout has changed, or a column is misread): ContractError;
5. the accepted rows are converted to raw form (convert.py).

Nothing is dropped silently: rows read = rows loaded + rows quarantined, per sheet.

Speed: each cell is parsed by its rule once (`parse_cells`, each distinct value
once), and a screen runs the schema's own tests on those lists (`suspects`). Pandera then
validates only the rows the screen flags (with whole projects, for the rule over rows),
so it reports exactly what it would on the whole sheet; a clean sheet never reaches it.
The conversion reuses the parsed cells.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from pipelines.errors import ContractError
from pipelines.sources import quarantine
from pipelines.sources.keep.convert import empty_raw, to_raw
from pipelines.sources.keep.extract import KeepInput, workbook_created_at
from pipelines.sources.keep.limits import DEFAULT_LIMITS, WorkbookLimits
from pipelines.sources.keep.read import LINE, ROW, SheetRead, read_export
from pipelines.warehouse.load import ROW_NUMBER
from schemas.keep import INVALID, RULES, SCHEMAS, project_key, read_text, row_rules
from schemas.keep_contract import KEEP, SOURCE


@dataclass
class ValidatedKeep:
    tables: dict[str, pd.DataFrame]  # raw table -> accepted rows in raw form, every input
    rejected: pd.DataFrame  # REJECTED_COLUMNS, one row per failure
    drift: dict[str, list[str]] = field(default_factory=dict)  # file -> unknown headers
    # audit.loaded_files rows, one per sheet (with the raw table it loads into)
    files: list[dict] = field(default_factory=list)
    # Wall seconds of read, validate and convert, every input: for operators and bench/.
    timings: Counter[str] = field(default_factory=Counter)

    def summary(self) -> str:
        return summarize(self.rejected) if len(self.rejected) else "no rows rejected"


def validate_inputs(
    inputs: Sequence[KeepInput],
    *,
    max_rejected_pct: float,
    limits: WorkbookLimits = DEFAULT_LIMITS,
) -> ValidatedKeep:
    """Read and validate every input; returns the accepted rows and the quarantine."""
    raw: dict[str, list[pd.DataFrame]] = {spec.table: [] for spec in KEEP.files}
    failures: list[pd.DataFrame] = []
    drift: dict[str, list[str]] = {}
    files: list[dict] = []
    timings: Counter[str] = Counter()
    clock = time.perf_counter()

    def lap(stage: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        timings[stage] += now - clock
        clock = now

    for item in inputs:
        reads = read_export(item.path, item.name, limits)
        exported_at = workbook_created_at(item.path)
        lap("read")
        parsed = [parse_cells(read) for read in reads]
        found = [_failures(read, cells) for read, cells in zip(reads, parsed, strict=True)]
        projects = next((n for n, r in enumerate(reads) if r.sheet.table == "projects"), None)
        for n, read in enumerate(reads):
            if read.sheet.table == "partners" and projects is not None:
                quarantined = _mask(reads[projects], found[projects])
                more = reference_failures(read, reads[projects], quarantined)
                found[n] = pd.concat([found[n], more], ignore_index=True)
        for read, rejected, cells in zip(reads, found, parsed, strict=True):
            rejected = rejected.sort_values("row_number", kind="stable")
            mask = _mask(read, rejected)
            _enforce_threshold(read, rejected, max_rejected_pct)
            lap("validate")
            raw[read.sheet.table].append(to_raw(read, read.frame[~mask], item, cells))
            lap("convert")
            failures.append(rejected)
            if read.drift:
                drift[read.file] = read.drift
            files.append(
                {
                    "file": read.file,
                    "table": read.sheet.table,
                    "sha256": item.sha256,
                    "url": item.url,
                    "exported_at": exported_at,
                    "rows_read": read.rows_read,
                    "rows_loaded": int((~mask).sum()),
                    "rows_rejected": read.rows_read - int((~mask).sum()),
                }
            )
    tables = {}
    for spec in KEEP.files:
        frames = [f for f in raw[spec.table] if len(f)]
        table = pd.concat(frames, ignore_index=True) if frames else empty_raw(spec.table)
        table.insert(0, ROW_NUMBER, np.arange(1, len(table) + 1, dtype="int64"))
        tables[spec.table] = table
    rejected = quarantine.concat_rejected(failures)
    lap("convert")
    return ValidatedKeep(tables, rejected, drift, files, timings)


# --- failures of one sheet ------------------------------------------------------------------


def parse_cells(read: SheetRead) -> dict[str, list]:
    """Each field's cells read by its rule once: raw form, None, or INVALID.

    The screen below and the conversion (convert.py) both use these, so a cell is parsed
    once however many times it is looked at.
    """
    return {f.name: RULES[f.rule].read_all(read.frame[f.name].tolist()) for f in read.sheet.fields}


def _failures(read: SheetRead, parsed: dict[str, list] | None = None) -> pd.DataFrame:
    return pd.concat([unreadable_failures(read), schema_failures(read, parsed)], ignore_index=True)


def unreadable_failures(read: SheetRead) -> pd.DataFrame:
    return _rows(
        read,
        [
            {
                "row_number": u.row_number,
                "column_name": None,
                "check_name": "readable_record",
                "value": u.value,
                "message": f"{u.problem}; the record is not loaded",
            }
            for u in read.unreadable
        ],
    )


def suspects(read: SheetRead, parsed: dict[str, list]) -> np.ndarray:
    """The screen: True for every row the sheet's Pandera schema may fail, by its own rules.

    The same tests the schema runs (a required cell empty, a rule's INVALID on a non-null
    cell, the rules over rows), straight on lists. A project row drags along every row of
    its project, and a repeated partner row the rows it repeats, so that Pandera, run on
    the suspects only, sees whole projects and finds exactly what it would find on the
    whole sheet. Usually nothing is suspect, and
    Pandera has nothing to look at.
    """
    sheet, frame = read.sheet, read.frame
    rows = len(frame)
    flagged = np.zeros(rows, dtype=bool)
    for f in sheet.fields:
        cells = parsed[f.name]
        has_invalid = INVALID in cells  # a text rule never says INVALID
        if not (f.required or has_invalid):
            continue
        null = frame[f.name].isna().to_numpy()
        if f.required:
            flagged |= null
        if has_invalid:
            invalid = np.fromiter((v is INVALID for v in cells), bool, count=rows)
            flagged |= invalid & ~null
    for rule in row_rules(sheet):
        failed = ~rule.passes(frame).to_numpy(dtype=bool)
        flagged |= failed
        if rule.together is not None and failed.any():
            flagged |= rule.together(frame).to_numpy(dtype=bool)
    if sheet.key and flagged.any():
        key = project_key(sheet, frame)
        flagged |= key.isin(set(key[flagged])).to_numpy()
    return flagged


def schema_failures(read: SheetRead, parsed: dict[str, list] | None = None) -> pd.DataFrame:
    """One quarantine row per Pandera failure case (per row for rules over rows).

    Pandera validates the rows the screen (`suspects`) flags, with their own index: what
    it reports is what it would report on the whole sheet, in the same order.
    """
    sheet, frame = read.sheet, read.frame
    schema = SCHEMAS[(sheet.layout, sheet.table)]
    flagged = suspects(read, parse_cells(read) if parsed is None else parsed)
    if not flagged.any():
        return quarantine.empty_rejected()
    explained = quarantine.explain(schema, frame[flagged])
    if len(explained.file_level):  # not about rows: a check that could not run is a bug
        first = explained.file_level.iloc[0]
        raise ContractError(read.file, f"check {first['check']} failed: {first['failure_case']}")
    rows: list[dict] = []
    for failure, position in quarantine.column_cases_in_order(explained.failures):
        column = failure.columns[0]
        value, header = frame.at[position, column], sheet.field(column).header
        rows.append(_case(read, position, header, failure.check_name, value, failure.error))
    for failure in (f for f in explained.failures if f.kind == "rule"):
        columns = failure.columns
        header = ", ".join(sheet.field(c).header for c in columns)
        for position in failure.positions.tolist():
            value = " / ".join(
                read_text(frame.at[position, c]) or quarantine.NULL_TEXT for c in columns
            )
            rows.append(_case(read, position, header, failure.check_name, value, failure.error))
    return _rows(read, rows)


def _case(read: SheetRead, position: int, header: str, check: str, value, error: str) -> dict:
    line = int(read.frame.at[position, LINE])
    return {
        "row_number": int(read.frame.at[position, ROW]),
        "column_name": header,
        "check_name": check,
        "value": read_text(value),
        "message": f"{read.where(line)}: {header} {error}",
    }


# --- partners -> projects ---------------------------------------------------------------------


def _project_keys(frame: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Each row's key by project id (2021-2027; null without one) and by acronym, as text."""
    programme = frame["programme"].map(read_text).fillna(quarantine.NULL_TEXT)
    by_acronym = "acronym\x1f" + programme + "\x1f" + frame["acronym"].map(read_text).fillna("")
    ids = frame["project_id"].map(read_text) if "project_id" in frame else None
    if ids is None or ids.isna().all():
        return pd.Series(None, index=frame.index, dtype=object), by_acronym
    return ("id\x1f" + programme + "\x1f" + ids.fillna("")).where(ids.notna(), None), by_acronym


def reference_failures(
    partners: SheetRead, projects: SheetRead, projects_rejected: np.ndarray
) -> pd.DataFrame:
    """Partners whose project is not on the workbook's projects sheet, or was quarantined.

    A partner with a project ID (2021-2027) belongs to the project with that ID, any other
    to the project with its acronym, in the same programme (sources.md).
    """
    # A project is found by either key: each project row is listed once per key.
    target_keys = pd.concat(_project_keys(projects.frame), ignore_index=True)
    project_rows = np.tile(np.arange(len(projects.frame)), 2)
    frame = partners.frame
    by_id, by_acronym = _project_keys(frame)
    # A partner without a programme is already quarantined as incomplete.
    has_programme = np.array([p is not None for p in frame["programme"].tolist()], dtype=bool)
    keys = by_id.where(by_id.notna(), by_acronym).where(has_programme, None)
    matched = quarantine.match_references(keys, target_keys, np.tile(projects_rejected, 2))
    project_lines = projects.frame[LINE].to_numpy()
    rejected_line = dict(
        zip(
            np.flatnonzero(matched.orphaned).tolist(),
            project_lines[project_rows[matched.rejected_target]].tolist(),
            strict=True,
        )
    )
    rows = []
    for position in np.flatnonzero(matched.dangling | matched.orphaned).tolist():
        label = _project_label(frame, position)
        if position in rejected_line:
            check = quarantine.DEPENDS_ON_REJECTED
            why = (
                f"belongs to {label}, whose row ({projects.where(int(rejected_line[position]))}"
                f" of {projects.sheet_name!r}) was quarantined"
            )
        else:
            check = "references_projects"
            why = f"belongs to {label}, which is not on sheet {projects.sheet_name!r}"
        line = int(frame[LINE].iat[position])
        rows.append(
            {
                "row_number": int(frame[ROW].iat[position]),
                "column_name": partners.sheet.field("acronym").header,
                "check_name": check,
                "value": label,
                "message": f"{partners.where(line)}: the partner {why}",
            }
        )
    return _rows(partners, rows)


def _project_label(frame: pd.DataFrame, position: int) -> str:
    programme = read_text(frame.at[position, "programme"])
    project_id = read_text(frame.at[position, "project_id"]) if "project_id" in frame else None
    acronym = read_text(frame.at[position, "acronym"])
    which = f"project ID {project_id}" if project_id else f"acronym {acronym!r}"
    return f"the project of {which} in {programme!r}"


# --- bookkeeping --------------------------------------------------------------------------------


def _mask(read: SheetRead, rejected: pd.DataFrame) -> np.ndarray:
    """True for the frame's rows that are quarantined (unreadable records are not in it)."""
    return quarantine.rejected_mask(read.frame[ROW].to_numpy(), rejected)


def _enforce_threshold(read: SheetRead, rejected: pd.DataFrame, max_pct: float) -> None:
    quarantine.enforce_threshold(
        read.file,
        rejected=rejected["row_number"].nunique(),
        total=read.rows_read,
        max_pct=max_pct,
        breaking=f"cannot be read or break the {read.sheet.layout} layout's rules",
        setting=" (INTERREG_KEEP_MAX_REJECTED_PCT)",
        summary=lambda: summarize(rejected),
    )


def summarize(rejected: pd.DataFrame, max_cases: int = 3, max_groups: int = 5) -> str:
    """Counts per check and column, then the first cases: short at any size."""
    reasons, _ = quarantine.count_reasons(rejected, ["check_name", "column_name"], max_groups)
    cases = quarantine.first_cases(
        rejected, max_cases, lambda r: f"{r.file} {r.message} (value {r.value!r})"
    )
    return f"Reasons: {reasons}. First cases: {cases}"


def _rows(read: SheetRead, rows: list[dict]) -> pd.DataFrame:
    return quarantine.rejected_rows(rows, source=SOURCE, file=read.file)

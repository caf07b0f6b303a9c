"""Validate a landed monitoring export: parse, check every row, quarantine, cascade.

For each file, in the contract's load order (a file after the files it references):

1. parse it (parse.py): what makes the file unreadable raises ContractError;
2. validate it with its Pandera schema (schemas/monitoring.py), lazily, so every failure
   is collected; each failure case about rows becomes a quarantine row; a failure about
   the file as a whole (e.g. programme.csv must have exactly 1 row) raises ContractError;
3. check its references against the ACCEPTED rows of the referenced file: a dangling
   reference (`references_<table>`) or one to a quarantined row (`depends_on_rejected_row`)
   quarantines the row too. As files come in load order this cascades: a rejected project
   takes its partners, reports, instruments, changes and good practices with it, a
   rejected report its indicator values and policy changes;
4. if more than `max_rejected_pct` % of the file's rows are quarantined, the export is
   not trusted: ContractError naming the file, the count, the percent, the first reasons.

The fast path. Parsing and Pandera on pandas cost seconds per million rows, and nearly
every file of a real export is clean. So each file is first read by DuckDB
(parse.read_contract_csv_fast) and screened there with the same contract as SQL
(schemas.monitoring.SCREENS) and with its references against the accepted rows of the
files it points at. A file that passes is accepted whole: its rows go from disk to the raw
table without pandas (load.CsvFile). A file that does not, or that DuckDB cannot read
exactly as the parser would, takes the path above, which alone decides what is rejected
and why: the screen only ever skips work whose result is known to be "nothing to report".
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pandera.pandas as pa

from pipelines.errors import ContractError
from pipelines.sources import quarantine
from pipelines.sources.monitoring.parse import (
    FastRead,
    read_contract_csv,
    read_contract_csv_fast,
)
from pipelines.warehouse.load import ROW_NUMBER, CsvFile, quote
from schemas.contract import FileSpec, Reference
from schemas.monitoring import SCHEMAS, SCREENS
from schemas.monitoring_contract import MONITORING

_KEY_SEPARATOR = "\x1f"  # joins composite keys for matching; never in a CSV code


class AcceptedTables(Mapping[str, pd.DataFrame]):
    """spec.table -> the accepted rows, as text with _row_number.

    A file accepted whole by the fast path stays on disk (`csv_file`, which load_export
    loads with DuckDB); its frame is read only if asked for, by the exact parser.
    """

    def __init__(self) -> None:
        self._frames: dict[str, pd.DataFrame] = {}
        self._files: dict[str, tuple[FileSpec, CsvFile]] = {}

    def put_frame(self, table: str, frame: pd.DataFrame) -> None:
        self._frames[table] = frame

    def put_file(self, spec: FileSpec, file: CsvFile) -> None:
        self._files[spec.table] = (spec, file)

    def csv_file(self, table: str) -> CsvFile | None:
        """The file whose every row is accepted, for tables the fast path accepted."""
        return self._files[table][1] if table in self._files else None

    def __getitem__(self, table: str) -> pd.DataFrame:
        if table not in self._frames and table in self._files:
            spec, file = self._files[table]
            self._frames[table] = read_contract_csv(file.path, spec).frame
        return self._frames[table]

    def __iter__(self) -> Iterator[str]:
        return iter([*self._frames, *(t for t in self._files if t not in self._frames)])

    def __len__(self) -> int:
        return len(set(self._frames) | set(self._files))


@dataclass
class ValidatedExport:
    tables: Mapping[str, pd.DataFrame]  # spec.table -> accepted rows (AcceptedTables)
    rejected: pd.DataFrame  # REJECTED_COLUMNS, one row per failure
    drift: dict[str, list[str]]  # file -> columns beyond the contract
    row_counts: dict[str, int]  # file -> records read
    # file -> optional contract columns absent from the header (loaded as null)
    missing_columns: dict[str, list[str]] = field(default_factory=dict)
    # seconds spent: "read" (DuckDB and the exact parser), "validate" (screen, Pandera,
    # references); `fast_files`: the files accepted whole by the fast path
    timings: dict[str, float] = field(default_factory=dict)
    fast_files: list[str] = field(default_factory=list)
    started_at: float = 0.0  # epoch seconds: validate_export ran from ... to ...
    ended_at: float = 0.0

    def summary(self, max_cases: int = 5) -> str:
        """A few lines for a log: counts per file, check and column, then the first cases."""
        if not len(self.rejected):
            return "no rows rejected"
        return summarize_rejected(self.rejected, max_cases=max_cases)


def validate_export(
    paths: Mapping[str, Path],
    expected_rows: Mapping[str, int],
    *,
    max_rejected_pct: float = 1.0,
    source: str = "monitoring",
) -> ValidatedExport:
    """Validate every file of the export; returns the accepted rows and the quarantine."""
    run = _ExportValidation(expected_rows, max_rejected_pct, source)
    con = duckdb.connect(":memory:")  # scratch: the files being screened, referenced keys
    try:
        for spec in MONITORING.load_order():
            if spec.name not in paths:
                raise ContractError(spec.name, "is missing from the export")
            path = Path(paths[spec.name])
            if not run.accept_whole(con, spec, path):
                run.validate_exactly(con, spec, path)
    finally:
        con.close()
    return run.result()


class _ExportValidation:
    """The state of one validate_export, file by file in load order."""

    def __init__(self, expected_rows: Mapping[str, int], max_rejected_pct: float, source: str):
        self.expected_rows = expected_rows
        self.max_rejected_pct = max_rejected_pct
        self.source = source
        # file -> the columns other files reference
        self.referenced: dict[str, set[str]] = {}
        for spec in MONITORING.files:
            for ref in spec.references:
                self.referenced.setdefault(ref.file, set()).update(ref.target_columns)
        # Referenced files, for the exact path: their key columns with _row_number, and
        # True where the row is quarantined. Every referenced file also has a DuckDB table.
        self.frames: dict[str, pd.DataFrame] = {}
        self.rejected_masks: dict[str, np.ndarray] = {}
        self.tables = AcceptedTables()
        self.failures: list[pd.DataFrame] = []
        self.drift: dict[str, list[str]] = {}
        self.missing_columns: dict[str, list[str]] = {}
        self.row_counts: dict[str, int] = {}
        self.timings = {"read": 0.0, "validate": 0.0}
        self.fast_files: list[str] = []
        self.started_at = time.time()

    def accept_whole(self, con: duckdb.DuckDBPyConnection, spec: FileSpec, path: Path) -> bool:
        """The fast path: True when DuckDB read the file and every row passed the screen."""
        clock = time.perf_counter()
        fast = read_contract_csv_fast(
            con,
            path,
            spec,
            table=_file_table(spec),
            expected_rows=self.expected_rows.get(spec.name),
        )
        self.timings["read"] += time.perf_counter() - clock
        if fast is None:
            return False
        clock = time.perf_counter()
        accepted = _screen(con, spec, fast)
        if accepted and spec.name in self.referenced:
            _keep_keys_from_table(con, spec, fast.table, sorted(self.referenced[spec.name]))
        con.execute(f"DROP TABLE {quote(fast.table)}")
        self.timings["validate"] += time.perf_counter() - clock
        if accepted:
            self.row_counts[spec.name] = fast.rows
            self._note_columns(spec, fast.extra_columns, fast.missing_optional_columns)
            self.tables.put_file(spec, CsvFile(path, tuple(fast.header), fast.rows))
            self.fast_files.append(spec.name)
        return accepted

    def validate_exactly(self, con: duckdb.DuckDBPyConnection, spec: FileSpec, path: Path) -> None:
        """The exact path: the parser, Pandera, the references in pandas."""
        clock = time.perf_counter()
        parsed = read_contract_csv(
            path,
            spec,
            display_name=spec.name,
            expected_rows=self.expected_rows.get(spec.name),
        )
        self.timings["read"] += time.perf_counter() - clock
        clock = time.perf_counter()
        frame = parsed.frame
        self.row_counts[spec.name] = len(frame)
        self._note_columns(spec, parsed.extra_columns, parsed.missing_optional_columns)
        found = self._failures(con, spec, frame)
        mask = quarantine.rejected_mask(frame[ROW_NUMBER].to_numpy(), found)
        if len(found):
            self.failures.append(found)
            quarantine.enforce_threshold(
                spec.name,
                rejected=int(mask.sum()),
                total=len(frame),
                max_pct=self.max_rejected_pct,
                breaking="break the contract",
                summary=lambda: summarize_rejected(
                    found, max_cases=3, max_groups=5, per_file=False
                ),
            )
        if spec.name in self.referenced:
            self.frames[spec.name] = frame[[ROW_NUMBER, *sorted(self.referenced[spec.name])]]
            self.rejected_masks[spec.name] = mask
            _keep_keys_from_frame(con, spec, self.frames[spec.name], mask)
        order = [ROW_NUMBER, *spec.column_names, *parsed.extra_columns]
        # Copy-on-write: a file without rejected rows is not copied.
        accepted_rows = frame.loc[~mask, order] if mask.any() else frame[order]
        self.tables.put_frame(spec.table, accepted_rows.reset_index(drop=True))
        self.timings["validate"] += time.perf_counter() - clock

    def _failures(
        self, con: duckdb.DuckDBPyConnection, spec: FileSpec, frame: pd.DataFrame
    ) -> pd.DataFrame:
        """The file's schema failures, then its references', in row order."""
        found = schema_failures(spec, frame, source=self.source)
        mask = quarantine.rejected_mask(frame[ROW_NUMBER].to_numpy(), found)
        for ref in spec.references:
            # A reference within the file (none in contract v1) sees the schema's verdict.
            if ref.file == spec.name:
                target, target_mask = frame, mask.copy()
            else:
                if ref.file not in self.frames:
                    self.frames[ref.file], self.rejected_masks[ref.file] = _keys_frame(
                        con, ref.file
                    )
                target, target_mask = self.frames[ref.file], self.rejected_masks[ref.file]
            more = reference_failures(spec, frame, ref, target, target_mask, source=self.source)
            if len(more):
                found = pd.concat([found, more], ignore_index=True)
                mask |= quarantine.rejected_mask(frame[ROW_NUMBER].to_numpy(), more)
        if len(found):
            found = found.sort_values("row_number", kind="stable", ignore_index=True)
        return found

    def _note_columns(self, spec: FileSpec, extra, missing_optional) -> None:
        if extra:
            self.drift[spec.name] = list(extra)
        if missing_optional:
            self.missing_columns[spec.name] = list(missing_optional)

    def result(self) -> ValidatedExport:
        return ValidatedExport(
            tables=self.tables,
            rejected=quarantine.concat_rejected(self.failures),
            drift=self.drift,
            row_counts=self.row_counts,
            missing_columns=self.missing_columns,
            timings=self.timings,
            fast_files=self.fast_files,
            started_at=self.started_at,
            ended_at=time.time(),
        )


def stage_timings(validated: ValidatedExport, loaded: Mapping[str, int]) -> dict:
    """The cost of each stage of a load, for the run's metadata (operators, bench/).

    parse_s and validate_s interleave file by file between validate_started_at and
    validate_ended_at; load_s is load_export's (`loaded` as it returns it).
    """
    timings = {
        "parse_s": round(validated.timings.get("read", 0.0), 3),
        "validate_s": round(validated.timings.get("validate", 0.0), 3),
        "validate_started_at": validated.started_at,
        "validate_ended_at": validated.ended_at,
        "rows_read": int(sum(validated.row_counts.values())),
        "files_fast_path": len(validated.fast_files),
        "files": len(validated.row_counts),
    }
    started, ended = getattr(loaded, "started_at", None), getattr(loaded, "ended_at", None)
    if started is not None and ended is not None:
        timings |= {
            "load_s": round(ended - started, 3),
            "load_started_at": started,
            "load_ended_at": ended,
        }
    return timings


# --- the fast path: DuckDB screens a file, Pandera runs only where something may fail -------


def _file_table(spec: FileSpec) -> str:
    return f"file_{spec.table}"


def _keys_table(file: str) -> str:
    return f"keys_{MONITORING.file(file).table}"


def _screen(con: duckdb.DuckDBPyConnection, spec: FileSpec, read: FastRead) -> bool:
    """True when every row of the file passes its schema and its references: then Pandera
    and the reference checks would report nothing (schemas.monitoring.SCREENS)."""
    screen = SCREENS[spec.name]
    if any(ref.file == spec.name for ref in spec.references):
        return False
    if read.rows < screen.min_rows or (screen.max_rows is not None and read.rows > screen.max_rows):
        return False
    # The file's rows with every contract column (an optional one it lacks is NULL).
    rows = (
        f"(SELECT {quote(ROW_NUMBER)}, "
        + ", ".join(
            quote(name) if name in read.header else f"CAST(NULL AS VARCHAR) AS {quote(name)}"
            for name in spec.column_names
        )
        + f" FROM {quote(read.table)}) AS file_rows"
    )
    measures = []
    if screen.row_checks:
        every = " AND ".join(f"({check})" for check in screen.row_checks)
        measures.append(f"(SELECT count(*) FROM (SELECT {every} AS ok FROM {rows}) WHERE NOT ok)")
    # The key: no two rows alike (the further unique sets are row checks).
    key = ", ".join(quote(c) for c in screen.key)
    measures.append(
        f"(SELECT count(*) - count(DISTINCT ({key})) FROM {rows})"
        if len(screen.key) > 1
        else f"(SELECT count(*) - count(DISTINCT {key}) FROM {rows})"
    )
    for ref in spec.references:  # against the accepted rows of the file referred to
        complete = " AND ".join(f"file_rows.{quote(c)} IS NOT NULL" for c in ref.columns)
        match = " AND ".join(
            f"keys.{quote(t)} = file_rows.{quote(c)}"
            for c, t in zip(ref.columns, ref.target_columns, strict=True)
        )
        measures.append(
            f"(SELECT count(*) FROM {rows} WHERE {complete} AND NOT EXISTS (SELECT 1 FROM "
            f"{quote(_keys_table(ref.file))} AS keys WHERE NOT keys.rejected AND {match}))"
        )
    try:
        found = con.execute("SELECT " + ", ".join(measures)).fetchone()
    except duckdb.Error:  # a check DuckDB cannot run: let Pandera judge
        return False
    return not any(found)


def _keep_keys_from_table(
    con: duckdb.DuckDBPyConnection, spec: FileSpec, table: str, columns: list[str]
) -> None:
    """A referenced file accepted whole: its keys, none rejected."""
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {quote(_keys_table(spec.name))} AS SELECT "
        f"{quote(ROW_NUMBER)}, {', '.join(quote(c) for c in columns)}, false AS rejected "
        f"FROM {quote(table)}"
    )


def _keep_keys_from_frame(
    con: duckdb.DuckDBPyConnection, spec: FileSpec, keys: pd.DataFrame, mask: np.ndarray
) -> None:
    """A referenced file of the exact path: its keys, and which rows were quarantined."""
    incoming = keys.astype({c: "string" for c in keys.columns if c != ROW_NUMBER}).assign(
        rejected=mask
    )
    con.register("incoming_keys", incoming)
    try:
        columns = [c for c in keys.columns if c != ROW_NUMBER]
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {quote(_keys_table(spec.name))} AS SELECT "
            f"CAST({quote(ROW_NUMBER)} AS BIGINT) AS {quote(ROW_NUMBER)}, "
            + ", ".join(f"CAST({quote(c)} AS VARCHAR) AS {quote(c)}" for c in columns)
            + ", rejected FROM incoming_keys"
        )
    finally:
        con.unregister("incoming_keys")


def _keys_frame(con: duckdb.DuckDBPyConnection, file: str) -> tuple[pd.DataFrame, np.ndarray]:
    """A fast-path file's keys as the exact path keeps them: frame and rejected mask."""
    keys = con.execute(
        f"SELECT * FROM {quote(_keys_table(file))} ORDER BY {quote(ROW_NUMBER)}"
    ).df()
    mask = keys.pop("rejected").to_numpy(dtype=bool)
    keys = keys.astype({c: "string" for c in keys.columns if c != ROW_NUMBER})
    keys[ROW_NUMBER] = keys[ROW_NUMBER].astype("int64")
    return keys, mask


# --- schema failures -> quarantine rows ---------------------------------------------------


def schema_failures(spec: FileSpec, frame: pd.DataFrame, *, source: str) -> pd.DataFrame:
    """Validate `frame` with the file's Pandera schema; one quarantine row per failure case.

    A failure that is not about particular rows (a missing column, the file's row count)
    raises ContractError.
    """
    schema = SCHEMAS[spec.name]
    explained = quarantine.explain(schema, frame, inplace=True)
    if len(explained.file_level):
        raise _file_level_error(spec, schema, explained.file_level, len(frame))
    if not explained.failures:
        return quarantine.empty_rejected()
    row_numbers = frame[ROW_NUMBER].to_numpy()
    parts = [_failure_rows(frame, failure, row_numbers) for failure in explained.failures]
    return quarantine.rejected_rows(
        pd.concat(parts, ignore_index=True), source=source, file=spec.name
    )


def _failure_rows(
    frame: pd.DataFrame, failure: quarantine.Failure, row_numbers: np.ndarray
) -> pd.DataFrame:
    """One failure's rows, worded for a CSV file: its column names and values as written."""
    positions = failure.positions
    if failure.kind == "column":  # one case per failing value
        column = failure.columns[0]
        return pd.DataFrame(
            {
                "row_number": row_numbers[positions],
                "column_name": column,
                "check_name": failure.check_name,
                "value": _as_text(failure.values).to_numpy(),
                "message": f"{column} {failure.error}",
            }
        )
    if failure.kind == "rule":
        return _row_rule_failures(frame, failure, row_numbers)
    if failure.kind == "key":
        return _key_failures(frame, failure.columns, positions, row_numbers)
    return pd.DataFrame(  # a built-in table check we do not expect to fail about rows
        {
            "row_number": row_numbers[positions],
            "column_name": pd.NA,
            "check_name": failure.check_name,
            "value": pd.NA,
            "message": failure.error,
        }
    )


def _row_rule_failures(
    frame: pd.DataFrame, failure: quarantine.Failure, row_numbers: np.ndarray
) -> pd.DataFrame:
    primary, *others = failure.columns
    rows = frame.iloc[failure.positions]
    message = pd.Series(failure.error, index=rows.index, dtype="string")
    if others:
        message = message + " (" + _join_named(rows, others) + ")"
    return pd.DataFrame(
        {
            "row_number": row_numbers[failure.positions],
            "column_name": primary,
            "check_name": failure.check_name,
            "value": _as_text(rows[primary]).to_numpy(),
            "message": message.to_numpy(),
        }
    )


def _key_failures(
    frame: pd.DataFrame, key: tuple[str, ...], positions: np.ndarray, row_numbers: np.ndarray
) -> pd.DataFrame:
    rows = frame.iloc[positions][list(key)]
    occurrences = rows.groupby(list(key), dropna=False)[key[0]].transform("size")
    label = key[0] if len(key) == 1 else f"({', '.join(key)})"
    return pd.DataFrame(
        {
            "row_number": row_numbers[positions],
            "column_name": ",".join(key),
            "check_name": quarantine.BUILTIN_CHECK_NAMES["multiple_fields_uniqueness"],
            "value": _join_values(rows, key).to_numpy(),
            "message": (
                f"the key {label} must be unique; this value is in "
                + occurrences.astype("string")
                + " rows"
            ).to_numpy(),
        }
    )


def _file_level_error(
    spec: FileSpec, schema: pa.DataFrameSchema, cases: pd.DataFrame, rows: int
) -> ContractError:
    reasons = []
    for case in cases.head(5).itertuples(index=False):
        check = quarantine.check_of(schema, case.schema_context, case.column, case.check_number)
        if check is not None and isinstance(case.failure_case, bool | np.bool_):
            reasons.append(f"{check.error} (has {rows}) [{check.name}]")
        elif check is not None:  # the check raised: a bug, never a pass
            where = f" on column {case.column}" if case.schema_context == "Column" else ""
            reasons.append(f"check {check.name}{where} could not run: {case.failure_case}")
        elif case.check == "column_in_dataframe":
            reasons.append(f"column {case.failure_case} is missing")
        else:
            reasons.append(f"{case.check}: {case.failure_case}")
    return ContractError(spec.name, "; ".join(reasons))


# --- references ----------------------------------------------------------------------------


def reference_failures(
    spec: FileSpec,
    frame: pd.DataFrame,
    ref: Reference,
    target: pd.DataFrame,
    target_rejected: np.ndarray,
    *,
    source: str,
) -> pd.DataFrame:
    """Rows whose reference is dangling or points at a quarantined row of the target file."""
    columns, target_columns = list(ref.columns), list(ref.target_columns)
    keys = _key_strings(frame, columns)
    matched = quarantine.match_references(
        keys, _key_strings(target, target_columns), target_rejected
    )
    if not (matched.dangling.any() or matched.orphaned.any()):
        return quarantine.empty_rejected()

    row_numbers = frame[ROW_NUMBER].to_numpy()
    label = columns[0] if len(columns) == 1 else f"({', '.join(columns)})"
    target_label = "" if target_columns == columns else f" ({', '.join(target_columns)})"
    parts = []
    if matched.dangling.any():
        values = _join_values(frame[matched.dangling], columns)
        parts.append(
            pd.DataFrame(
                {
                    "row_number": row_numbers[matched.dangling],
                    "column_name": ",".join(columns),
                    "check_name": f"references_{ref.file.removesuffix('.csv')}",
                    "value": values.to_numpy(),
                    "message": (
                        f"{label} " + values + f" is not in {ref.file}{target_label}"
                    ).to_numpy(),
                }
            )
        )
    if matched.orphaned.any():
        values = _join_values(frame[matched.orphaned], columns)
        # The first quarantined target row with that key, to follow the cascade up.
        target_row = target[ROW_NUMBER].to_numpy()[matched.rejected_target].astype(str)
        parts.append(
            pd.DataFrame(
                {
                    "row_number": row_numbers[matched.orphaned],
                    "column_name": ",".join(columns),
                    "check_name": quarantine.DEPENDS_ON_REJECTED,
                    "value": values.to_numpy(),
                    "message": (
                        f"{label} "
                        + values
                        + f" refers to {ref.file} row "
                        + target_row.astype(object)
                        + ", which was rejected"
                    ).to_numpy(),
                }
            )
        )
    return quarantine.rejected_rows(
        pd.concat(parts, ignore_index=True), source=source, file=spec.name
    )


def _key_strings(frame: pd.DataFrame, columns: list[str]) -> pd.Series:
    keys = frame[columns[0]].astype("string")
    for column in columns[1:]:
        keys = keys + _KEY_SEPARATOR + frame[column].astype("string")
    return keys.reset_index(drop=True)


# --- the summary ------------------------------------------------------------------------------


def summarize_rejected(
    rejected: pd.DataFrame, *, max_cases: int = 5, max_groups: int = 10, per_file: bool = True
) -> str:
    """Counts per (file,) check and column, then the first few cases: short at any size."""
    by = (["file"] if per_file else []) + ["check_name", "column_name"]
    reasons, left = quarantine.count_reasons(rejected, by, max_groups)
    first = ("" if per_file else "Reasons: ") + reasons + (f"; and {left} more" if left else "")
    cases = "First cases: " + quarantine.first_cases(rejected, max_cases, _case_text)
    return f"{first}\n{cases}" if per_file else f"{first} {cases}"


def _case_text(r) -> str:
    return (
        f"{r.file} row {r.row_number} {r.column_name}={_short(r.value)}: {_short(r.message, 160)}"
    )


def _short(value, limit: int = 60) -> str:
    text = quarantine.NULL_TEXT if value is None or value is pd.NA else repr(str(value))
    return text if len(text) <= limit else text[: limit - 3] + "..."


# --- small helpers ---------------------------------------------------------------------------


def _as_text(values: pd.Series) -> pd.Series:
    return values.astype("string").reset_index(drop=True)


def _join_values(rows: pd.DataFrame, columns) -> pd.Series:
    text = rows[columns[0]].astype("string").fillna(quarantine.NULL_TEXT)
    for column in columns[1:]:
        text = text + ", " + rows[column].astype("string").fillna(quarantine.NULL_TEXT)
    return text


def _join_named(rows: pd.DataFrame, columns) -> pd.Series:
    parts = [f"{c}=" + rows[c].astype("string").fillna(quarantine.NULL_TEXT) for c in columns]
    text = parts[0]
    for part in parts[1:]:
        text = text + ", " + part
    return text

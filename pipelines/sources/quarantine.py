"""The quarantine every source shares: rejected rows, the cascade, the threshold, the summary.

A source reads its files its own way (monitoring: CSV files of a contract; keep.eu: the
sheets of a workbook layout) and names a row its own way (a CSV column, a sheet header
and line), but what it does with a row that breaks a rule is the same, and lives here:

* the rejected rows (`REJECTED_COLUMNS`, the columns of audit.rejected_rows, which the
  warehouse's audit module declares): one per rule a row broke;
* Pandera's failure cases sorted into what failed where (`explain`), for the source to word;
* the cascade (`match_references`): a row whose reference is dangling is rejected, and a
  row that refers only to rejected rows is rejected with them (`depends_on_rejected_row`);
* the threshold (`enforce_threshold`): a file with too many rejected rows is not trusted;
* a summary that stays short at any size (`count_reasons`, `first_cases`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors

from pipelines.errors import ContractError
from pipelines.warehouse.audit import REJECTED_COLUMNS  # audit.rejected_rows's columns
from schemas.contract import check_columns

DEPENDS_ON_REJECTED = "depends_on_rejected_row"
NULL_TEXT = "<null>"  # a null value, where values are joined into text

# Pandera's own checks, as they appear in failure cases -> our check names.
BUILTIN_CHECK_NAMES = {
    "not_nullable": "required",
    "multiple_fields_uniqueness": "unique_key",
}
REQUIRED_ERROR = "is required (must not be empty)"


# --- the rejected rows ------------------------------------------------------------------


def empty_rejected() -> pd.DataFrame:
    return typed_rejected(pd.DataFrame({c: pd.Series(dtype=object) for c in REJECTED_COLUMNS}))


def typed_rejected(frame: pd.DataFrame) -> pd.DataFrame:
    """Rejected rows as audit.rejected_rows holds them: text, and row_number an integer."""
    text = {c: "string" for c in REJECTED_COLUMNS if c != "row_number"}
    return frame.astype({**text, "row_number": "int64"})[REJECTED_COLUMNS]


def rejected_rows(rows: pd.DataFrame | list[dict], *, source: str, file: str) -> pd.DataFrame:
    """A file's rejected rows (the columns but source and file) with their source and file."""
    if not len(rows):
        return empty_rejected()
    frame = rows if isinstance(rows, pd.DataFrame) else pd.DataFrame(rows)
    return frame.assign(source=source, file=file)[REJECTED_COLUMNS]


def concat_rejected(parts: Iterable[pd.DataFrame]) -> pd.DataFrame:
    return typed_rejected(pd.concat([empty_rejected(), *parts], ignore_index=True))


def rejected_mask(row_numbers: np.ndarray, rejected: pd.DataFrame) -> np.ndarray:
    """True for the rows (by their row numbers) that `rejected` names."""
    return np.isin(row_numbers, rejected["row_number"].to_numpy(dtype="int64"))


# --- Pandera's failure cases ------------------------------------------------------------


@dataclass(frozen=True)
class Failure:
    """The rows one check failed, in the order Pandera reported them.

    `kind`: "column" (a column's check: `columns` is that column, `values` the failing
    values), "rule" (a rule over rows: `columns` as check_columns gives them), "key" (the
    schema's unique key: `columns` the key) or "other" (another built-in file check).
    `positions` are the frame's index labels, its positions for a frame numbered 0..n-1;
    `cases` the number of each one's failure case, in Pandera's order (column checks).
    """

    kind: str
    check_name: str
    error: str  # what the rule says, without the column's name
    columns: tuple[str, ...]
    positions: np.ndarray
    values: pd.Series | None = None
    cases: np.ndarray | None = None


@dataclass(frozen=True)
class Explained:
    failures: list[Failure]
    # Cases not about rows (a missing column, the number of rows, a check that raised):
    # the file as a whole breaks its contract.
    file_level: pd.DataFrame


def explain(schema: pa.DataFrameSchema, frame: pd.DataFrame, *, inplace: bool = False) -> Explained:
    """Validate `frame` lazily and sort every failure case by the check that failed."""
    try:
        schema.validate(frame, lazy=True, inplace=inplace)
    except SchemaErrors as err:
        cases = err.failure_cases
    else:
        return Explained([], pd.DataFrame())
    cases = cases.reset_index(drop=True)
    file_level = cases["index"].isna()
    if file_level.any():
        return Explained([], cases[file_level])
    on_column = cases["schema_context"] == "Column"
    failures = [
        _column_failure(schema, column, number, check_id, group)
        for (column, number, check_id), group in cases[on_column].groupby(
            ["column", "check_number", "check"], dropna=False, sort=False
        )
    ]
    for (number, check_id), group in cases[~on_column].groupby(
        ["check_number", "check"], dropna=False, sort=False
    ):
        # Pandera gives a case per column of each failing row; one per row is enough.
        positions = pd.unique(group["index"].to_numpy(dtype="int64"))
        positions.sort()
        failures.append(_file_check_failure(schema, number, check_id, positions))
    return Explained(failures, cases.iloc[0:0])


def check_of(schema: pa.DataFrameSchema, context: str, column: Any, number: Any) -> pa.Check | None:
    """The schema's check a failure case names; None for Pandera's built-in checks."""
    if pd.isna(number):
        return None
    if context == "Column":
        return schema.columns[column].checks[int(number)]
    return schema.checks[int(number)]


def _column_failure(schema, column, number, check_id, group: pd.DataFrame) -> Failure:
    check = check_of(schema, "Column", column, number)
    if check is not None:
        name, error = check.name, check.error
    elif check_id == "not_nullable":
        name, error = BUILTIN_CHECK_NAMES[check_id], REQUIRED_ERROR
    else:
        name, error = BUILTIN_CHECK_NAMES.get(check_id, str(check_id)), f"fails {check_id}"
    positions = group["index"].to_numpy(dtype="int64")
    return Failure(
        "column", name, error, (column,), positions, group["failure_case"], group.index.to_numpy()
    )


def column_cases_in_order(failures: list[Failure]) -> list[tuple[Failure, int]]:
    """Every (failure, position) of the column checks, in the order Pandera reported them.

    Pandera does not report a check's cases together: a source that words case by case
    follows its order.
    """
    numbered = [
        (number, failure, position)
        for failure in failures
        if failure.kind == "column"
        for number, position in zip(failure.cases.tolist(), failure.positions.tolist(), strict=True)
    ]
    return [(failure, position) for _, failure, position in sorted(numbered, key=lambda c: c[0])]


def _file_check_failure(schema, number, check_id, positions: np.ndarray) -> Failure:
    check = check_of(schema, "DataFrameSchema", None, number)
    if check is not None:
        return Failure("rule", check.name, check.error, check_columns(check), positions)
    name = BUILTIN_CHECK_NAMES.get(check_id, str(check_id))
    if check_id == "multiple_fields_uniqueness":
        return Failure("key", name, "", tuple(schema.unique or ()), positions)
    return Failure("other", name, str(check_id), (), positions)


# --- the cascade ------------------------------------------------------------------------


@dataclass(frozen=True)
class References:
    """Which rows' references fail, and why (masks over the referring rows)."""

    dangling: np.ndarray  # no row of the target has the key
    orphaned: np.ndarray  # only rejected rows of the target have it: depends_on_rejected_row
    # for each orphaned row, in order: the position of the first rejected target row
    rejected_target: np.ndarray


def match_references(
    keys: pd.Series, target_keys: pd.Series, target_rejected: np.ndarray
) -> References:
    """Match each row's key (null: the row refers to nothing) against the target's keys.

    `target_keys` has a key per target row (null: none), `target_rejected` is True for the
    target's rejected rows. A key some accepted target row has is fine.
    """
    keys = keys.reset_index(drop=True)
    target_keys = target_keys.reset_index(drop=True)
    known = target_keys.notna().to_numpy()
    complete = keys.notna().to_numpy()
    in_target = keys.isin(target_keys[known]).to_numpy()
    accepted = keys.isin(target_keys[known & ~target_rejected]).to_numpy()
    orphaned = complete & in_target & ~accepted
    rejected = known & target_rejected
    first_rejected = pd.Series(np.flatnonzero(rejected), index=target_keys[rejected].to_numpy())
    first_rejected = first_rejected[~first_rejected.index.duplicated()]
    return References(
        dangling=complete & ~in_target,
        orphaned=orphaned,
        rejected_target=keys[orphaned].map(first_rejected).to_numpy(dtype="int64"),
    )


# --- the threshold and the summary --------------------------------------------------------


def enforce_threshold(
    file: str,
    *,
    rejected: int,
    total: int,
    max_pct: float,
    breaking: str,
    summary: Callable[[], str],
    setting: str = "",
) -> None:
    """More than `max_pct` % of a file's rows rejected: the file is not trusted.

    `breaking` says what the rejected rows do ("break the contract"); `setting` the
    setting that holds the threshold, where the message names it.
    """
    if not total or not rejected:
        return
    pct = rejected / total * 100
    if pct > max_pct:
        raise ContractError(
            file,
            f"{rejected} of {total} rows ({pct:.2f} %) {breaking}, more than the {max_pct:g} %"
            f" allowed{setting}; nothing is loaded. " + summary(),
        )


def count_reasons(rejected: pd.DataFrame, by: list[str], most: int) -> tuple[str, int]:
    """'check column: count; ...' for the `most` commonest groups, and how many are left."""
    counts = rejected.groupby(by, dropna=False, sort=False).size().sort_values(ascending=False)
    text = "; ".join(
        f"{' '.join(str(k) for k in (key if isinstance(key, tuple) else (key,)))}: {n}"
        for key, n in counts.head(most).items()
    )
    return text, max(len(counts) - most, 0)


def first_cases(rejected: pd.DataFrame, most: int, describe: Callable[[Any], str]) -> str:
    """The first `most` rejected rows as `describe` words them, then how many more."""
    text = " | ".join(describe(row) for row in rejected.head(most).itertuples(index=False))
    if len(rejected) > most:
        text += f" | ... {len(rejected) - most} more"
    return text

"""Pandera schemas of the monitoring export, built from the contract in monitoring_contract.py.

The schemas validate the frames exactly as read (text; pandas "string" or object with nulls),
before any cast, so that a malformed value is reported with its row and column instead of
failing a cast:

* per column, from the declarations: required -> non-null; the type's written form (date
  `YYYY-MM-DD` that is a real calendar date, amount `^[0-9]+(\\.[0-9]{1,2})?$`, integer
  `^[0-9]+$`); `values` -> allowed codes; `pattern` -> full match; min/max for integers;
* per file: the key is unique (every duplicate row is reported), the further unique sets, the
  number of rows, and the contract's rules that span columns or rows (below, RULES).

Every check has a name (it becomes `check_name` in audit.rejected_rows) and an error message.
Checks that span columns return one boolean per row, so the failing rows are identified; a
check about the file as a whole (its number of rows) returns a single boolean.
`SCHEMAS` maps each file name (e.g. "projects.csv") to its schema.

Decisions where the contract is silent:
* Digits are ASCII `0-9` only (Python's `\\d` would also accept e.g. Arabic-Indic digits).
* An amount has at most 16 digits before the point and an integer at most 18 digits: the most
  that DECIMAL(18,2) and BIGINT hold, so that every accepted value loads.
* A date's year is 0001 or later.
* A rule that compares two columns passes when either value is null or malformed: that row
  is already reported by the column's own check, once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pandera.pandas as pa

from schemas.contract import Column, FileSpec
from schemas.monitoring_contract import MONITORING

DATE_FORMAT = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
AMOUNT_FORMAT = r"[0-9]{1,16}(?:\.[0-9]{1,2})?"
INTEGER_FORMAT = r"[0-9]{1,18}"

# Name of the built-in Pandera checks as they appear in failure cases -> our check names.
BUILTIN_CHECK_NAMES = {
    "not_nullable": "required",
    "multiple_fields_uniqueness": "unique_key",
}

_DAYS_IN_MONTH = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])


# --- vectorised helpers over text series -------------------------------------------------


def _flag(values: pd.Series) -> pd.Series:
    """A nullable boolean series as plain bool, null -> False."""
    return values.fillna(False).astype(bool)


def matches(series: pd.Series, pattern: str) -> pd.Series:
    """True where the value fully matches `pattern`; null -> False."""
    return _flag(series.str.fullmatch(pattern))


def valid_dates(series: pd.Series, written: pd.Series | None = None) -> pd.Series:
    """True where the value is written YYYY-MM-DD and is a real calendar date.

    `written`: matches(series, DATE_FORMAT), when the caller has it already.
    """
    ok = (matches(series, DATE_FORMAT) if written is None else written).copy()
    if ok.any():
        ymd = _digits(series[ok].str.replace("-", "", regex=False))  # 20220230
        year, month, day = ymd // 10000, ymd // 100 % 100, ymd % 100
        leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
        month_ok = (month >= 1) & (month <= 12)
        days = _DAYS_IN_MONTH[np.where(month_ok, month, 0)] + (leap & (month == 2))
        ok.loc[ok] = (year >= 1) & month_ok & (day >= 1) & (day <= days)
    return ok


def amount_cents(series: pd.Series) -> pd.Series:
    """The amount in integer cents (exact: no binary floating point); null where malformed.

    "12" -> 1200, "12.3" -> 1230, "12.34" -> 1234: the point is dropped and the missing
    decimals padded with zeros, so the digits parse as an int64 (18 digits at most).
    """
    ok = matches(series, AMOUNT_FORMAT)
    cents = pd.Series(pd.NA, index=series.index, dtype="Int64")
    if ok.any():
        text = series[ok]
        dot = text.str.find(".").to_numpy(dtype="int64")
        length = text.str.len().to_numpy(dtype="int64")
        zeros = np.where(dot < 0, 2, 2 - (length - dot - 1))
        digits = text.str.replace(".", "", regex=False).to_numpy(dtype=object)
        digits = digits + np.array(["", "0", "00"], dtype=object)[zeros]
        cents.loc[ok] = _digits(pd.Series(digits, index=text.index))
    return cents


def _digits(text: pd.Series) -> np.ndarray:
    """ASCII digit strings (already checked) as int64, parsed in C."""
    return pd.to_numeric(text.to_numpy(dtype=object), downcast=None).astype("int64")


def integers(series: pd.Series) -> pd.Series:
    """The integer value (Int64); null where malformed."""
    ok = matches(series, INTEGER_FORMAT)
    return series.where(ok).astype("Int64")


# --- column checks, from the declarations ------------------------------------------------


def _column_checks(column: Column) -> list[pa.Check]:
    checks: list[pa.Check] = []
    if column.type == "date":
        checks.append(
            pa.Check(
                lambda s: matches(s, DATE_FORMAT),
                name="date_format",
                error="must be a date written YYYY-MM-DD",
            )
        )
        checks.append(
            pa.Check(
                _calendar_date,
                name="calendar_date",
                error="must be a real calendar date (e.g. 2022-02-30 is not)",
            )
        )
    elif column.type == "amount":
        checks.append(
            pa.Check(
                lambda s: matches(s, AMOUNT_FORMAT),
                name="amount_format",
                error="must be an amount in EUR: digits, '.' as decimal point, at most 2 "
                "decimals, no thousands separator, >= 0 (at most 16 digits before the point)",
            )
        )
    elif column.type == "integer":
        checks.append(
            pa.Check(
                lambda s: matches(s, INTEGER_FORMAT),
                name="integer_format",
                error="must be an integer: digits only, >= 0 (at most 18 digits)",
            )
        )
        if column.min_value is not None or column.max_value is not None:
            checks.append(_range_check(column.min_value, column.max_value))
    if column.values is not None:
        allowed = list(column.values)
        checks.append(
            pa.Check(
                lambda s, allowed=allowed: _flag(s.isin(allowed)),
                name="allowed_values",
                error=f"must be one of: {', '.join(allowed)} (case-sensitive)",
            )
        )
    if column.pattern is not None:
        pattern = column.pattern
        checks.append(
            pa.Check(
                lambda s, pattern=pattern: matches(s, pattern),
                name="code_pattern",
                error=f"must match the pattern {pattern}",
            )
        )
    return checks


def _calendar_date(series: pd.Series) -> pd.Series:
    """A value not written YYYY-MM-DD is date_format's failure, not this check's."""
    written = matches(series, DATE_FORMAT)
    return valid_dates(series, written) | ~written


def _range_check(low: int | None, high: int | None) -> pa.Check:
    if low is not None and high is not None:
        name, error = f"between_{low}_and_{high}", f"must be between {low} and {high}"
    elif low is not None:
        name, error = f"at_least_{low}", f"must be at least {low}"
    else:
        name, error = f"at_most_{high}", f"must be at most {high}"

    # Not `in_range`: Pandera swaps a function named like a built-in check for the built-in.
    def integer_in_range(series: pd.Series) -> pd.Series:
        value = integers(series)  # a malformed value is integer_format's failure
        ok = pd.Series(True, index=series.index)
        if low is not None:
            ok &= ~_flag(value < low)
        if high is not None:
            ok &= ~_flag(value > high)
        return ok

    return pa.Check(integer_in_range, name=name, error=error)


# --- rules across columns and rows (the contract's prose), per file ----------------------


@dataclass(frozen=True)
class RowRule:
    """A rule over whole rows: `test` gives one boolean per row (True = the row passes).

    `columns` are the columns the rule reads; the first is the one a failure is reported
    against, the others give context in the message.
    """

    name: str
    columns: tuple[str, ...]
    error: str
    test: Callable[[pd.DataFrame], pd.Series]

    def check(self) -> pa.Check:
        return pa.Check(
            self.test, name=self.name, error=self.error, statistics={"columns": self.columns}
        )


def check_columns(check: pa.Check) -> tuple[str, ...]:
    """The columns a row rule reads (first: the one its failures are reported against)."""
    return tuple((check.statistics or {}).get("columns", ()))


def _not_before(later: str, earlier: str) -> Callable[[pd.DataFrame], pd.Series]:
    def test(frame: pd.DataFrame) -> pd.Series:
        both = valid_dates(frame[later]) & valid_dates(frame[earlier])
        # YYYY-MM-DD strings order as the dates they write.
        return ~(both & _flag(frame[later] < frame[earlier]))

    return test


def _not_above(part: str, whole: str) -> Callable[[pd.DataFrame], pd.Series]:
    def test(frame: pd.DataFrame) -> pd.Series:
        return ~_flag(amount_cents(frame[part]) > amount_cents(frame[whole]))

    return test


def _set_iff(date: str, status_column: str, status: str) -> Callable[[pd.DataFrame], pd.Series]:
    def test(frame: pd.DataFrame) -> pd.Series:
        known = frame[status_column].notna()
        expected = _flag(frame[status_column] == status)
        return ~known | (expected == frame[date].notna())

    return test


def _unique_together(columns: tuple[str, ...]) -> Callable[[pd.DataFrame], pd.Series]:
    def test(frame: pd.DataFrame) -> pd.Series:
        incomplete = frame[list(columns)].isna().any(axis=1)
        return incomplete | ~frame.duplicated(subset=list(columns), keep=False)

    return test


def _country_of_nuts2(frame: pd.DataFrame) -> pd.Series:
    known = frame["country_code"].notna() & frame["nuts2_code"].notna()
    return ~known | _flag(frame["country_code"] == frame["nuts2_code"].str.slice(0, 2))


def _partner_id_of_project(frame: pd.DataFrame) -> pd.Series:
    partner, project = frame["partner_id"], frame["project_id"]
    known = partner.notna() & project.notna()
    suffix = partner.str.slice(-2)
    ok = _flag(partner == project + "-P" + suffix) & matches(suffix, r"[0-9]{2}")
    return ~known | ok


def _one_lead_per_project(frame: pd.DataFrame) -> pd.Series:
    project = frame["project_id"]
    leads = _flag(frame["role"] == "lead").astype("int64")
    per_project = leads.groupby(project, dropna=True).transform("sum")
    return project.isna() | (per_project == 1)


def _row_count_rule(spec: FileSpec) -> pa.Check | None:
    low, high = spec.min_rows, spec.max_rows
    if not low and high is None:
        return None
    if high is not None and low == high:
        name = f"exactly_{low}_row{'s' if low != 1 else ''}"
        error = f"must have exactly {low} row{'s' if low != 1 else ''}"
    elif high is None:
        name = f"at_least_{low}_row{'s' if low != 1 else ''}"
        error = f"must have at least {low} row{'s' if low != 1 else ''}"
    else:
        name, error = f"between_{low}_and_{high}_rows", f"must have {low} to {high} rows"
    return pa.Check(
        lambda frame: low <= len(frame) and (high is None or len(frame) <= high),
        name=name,
        error=error,
    )


RULES: dict[str, list[RowRule]] = {
    "eligible_regions.csv": [
        RowRule(
            "country_code_of_nuts2_code",
            ("country_code", "nuts2_code"),
            "must be the first two letters of nuts2_code",
            _country_of_nuts2,
        ),
    ],
    "projects.csv": [
        RowRule(
            "end_date_not_before_start_date",
            ("end_date", "start_date"),
            "end_date must be on or after start_date",
            _not_before("end_date", "start_date"),
        ),
        RowRule(
            "erdf_not_above_total_budget",
            ("erdf_eur", "total_budget_eur"),
            "erdf_eur must not exceed total_budget_eur",
            _not_above("erdf_eur", "total_budget_eur"),
        ),
    ],
    "partners.csv": [
        RowRule(
            "partner_id_of_project",
            ("partner_id", "project_id"),
            "partner_id must be project_id + '-P' + 2 digits",
            _partner_id_of_project,
        ),
        RowRule(
            "erdf_not_above_budget",
            ("erdf_eur", "budget_eur"),
            "erdf_eur must not exceed budget_eur",
            _not_above("erdf_eur", "budget_eur"),
        ),
        RowRule(
            "one_lead_per_project",
            ("role", "project_id"),
            "a project must have exactly one partner with role 'lead' (every partner row of "
            "the project is quarantined)",
            _one_lead_per_project,
        ),
    ],
    "progress_reports.csv": [
        RowRule(
            "period_end_not_before_period_start",
            ("period_end", "period_start"),
            "period_end must be on or after period_start",
            _not_before("period_end", "period_start"),
        ),
        RowRule(
            "approved_on_iff_approved",
            ("approved_on", "status"),
            "approved_on must be set if and only if status is 'approved'",
            _set_iff("approved_on", "status", "approved"),
        ),
        RowRule(
            "approved_on_not_before_submitted_on",
            ("approved_on", "submitted_on"),
            "approved_on must be on or after submitted_on",
            _not_before("approved_on", "submitted_on"),
        ),
    ],
    "policy_changes.csv": [
        RowRule(
            "validated_on_iff_validated",
            ("validated_on", "status"),
            "validated_on must be set if and only if status is 'validated'",
            _set_iff("validated_on", "status", "validated"),
        ),
    ],
    "good_practices.csv": [
        RowRule(
            "validated_on_iff_validated",
            ("validated_on", "status"),
            "validated_on must be set if and only if status is 'validated'",
            _set_iff("validated_on", "status", "validated"),
        ),
    ],
}


def _unique_rules(spec: FileSpec) -> list[RowRule]:
    return [
        RowRule(
            f"unique_{'_'.join(columns)}",
            columns,
            f"({', '.join(columns)}) must be unique in the file (every duplicate is reported)"
            if len(columns) > 1
            else f"{columns[0]} must be unique in the file (every duplicate is reported)",
            _unique_together(columns),
        )
        for columns in spec.unique
    ]


def build_schema(spec: FileSpec) -> pa.DataFrameSchema:
    """The Pandera schema of one contract file, from its declaration."""
    checks = [rule.check() for rule in (*_unique_rules(spec), *RULES.get(spec.name, []))]
    row_count = _row_count_rule(spec)
    if row_count is not None:
        checks.insert(0, row_count)
    return pa.DataFrameSchema(
        columns={
            c.name: pa.Column(
                None,  # text: the forms are checked by the checks, the loader casts
                checks=_column_checks(c),
                nullable=not c.required,
                required=c.required,  # an optional column may be absent from a frame
                name=c.name,
            )
            for c in spec.columns
        },
        checks=checks,
        unique=list(spec.key),
        report_duplicates="all",
        strict=False,  # extra columns (schema drift) and _row_number are allowed
        name=spec.name,
        title=f"{MONITORING.source} {spec.name}",
        description=f"Rows of {spec.name} as read (text), per contract v{MONITORING.version}.",
    )


SCHEMAS: dict[str, pa.DataFrameSchema] = {
    spec.name: build_schema(spec) for spec in MONITORING.files
}

"""Pandera schemas of the monitoring export, built from the contract in monitoring_contract.py.

The schemas validate the frames exactly as read (text; pandas "string" or object with nulls),
before any cast, so that a malformed value is reported with its row and column instead of
failing a cast:

* per column, from the declarations: required -> non-null; the type's written form (date
  `YYYY-MM-DD` that is a real calendar date, amount `^[0-9]+(\\.[0-9]{1,2})?$`, integer
  `^[0-9]+$`); `values` -> allowed codes; `pattern` -> full match; min/max for integers;
* per file: the key is unique (every duplicate row is reported), the further unique sets, the
  number of rows, and the contract's rules that span columns or rows (below, RULES).

Every rule is written once, for both engines: a column's rules (`column_rules`) and the
rules over rows (`RowRule`, RULES) each carry their pandas test, which Pandera runs, and
their SQL form, from which the DuckDB screen of the fast path is built (SCREENS, below).

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

import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pandera.pandas as pa

from schemas.contract import Column, FileSpec, RowRule
from schemas.monitoring_contract import MONITORING
from schemas.sql import literal, quote

DATE_FORMAT = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
AMOUNT_FORMAT = r"[0-9]{1,16}(?:\.[0-9]{1,2})?"
INTEGER_FORMAT = r"[0-9]{1,18}"

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


# --- column rules, from the declarations: each written once, for Pandera and for SQL ------


@dataclass(frozen=True)
class ColumnRule:
    """A check of one column's values, for both engines.

    `test` (pandas): True where the value passes; Pandera lets nulls pass, `required` is
    the column's own check. `sql(column)`: the same in DuckDB SQL over the quoted column,
    true where the value passes; it may fail more values than `test` (a malformed one,
    which another rule fails anyway), never fewer; None when it has no SQL form.
    """

    name: str
    error: str
    test: Callable[[pd.Series], pd.Series]
    sql: Callable[[str], str | None]

    def check(self) -> pa.Check:
        return pa.Check(self.test, name=self.name, error=self.error)


def column_rules(column: Column) -> list[ColumnRule]:
    """The column's rules from its declaration: its type's form, then its domain."""
    rules = list(_TYPE_RULES.get(column.type, []))
    if column.type == "integer" and (column.min_value is not None or column.max_value is not None):
        rules.append(_range_rule(column.min_value, column.max_value))
    if column.values is not None:
        allowed = list(column.values)
        rules.append(
            ColumnRule(
                "allowed_values",
                f"must be one of: {', '.join(allowed)} (case-sensitive)",
                lambda s, allowed=allowed: _flag(s.isin(allowed)),
                lambda c, allowed=allowed: f"{c} IN ({', '.join(literal(v) for v in allowed)})",
            )
        )
    if column.pattern is not None:
        pattern = column.pattern
        rules.append(
            ColumnRule(
                "code_pattern",
                f"must match the pattern {pattern}",
                lambda s, pattern=pattern: matches(s, pattern),
                lambda c, pattern=pattern: _full_match_sql(c, pattern),
            )
        )
    return rules


def _calendar_date(series: pd.Series) -> pd.Series:
    """A value not written YYYY-MM-DD is date_format's failure, not this check's."""
    written = matches(series, DATE_FORMAT)
    return valid_dates(series, written) | ~written


_TYPE_RULES: dict[str, list[ColumnRule]] = {
    "date": [
        ColumnRule(
            "date_format",
            "must be a date written YYYY-MM-DD",
            lambda s: matches(s, DATE_FORMAT),
            lambda c: _full_match_sql(c, DATE_FORMAT),
        ),
        ColumnRule(
            "calendar_date",
            "must be a real calendar date (e.g. 2022-02-30 is not)",
            _calendar_date,
            # The cast is null for 2022-02-30; DuckDB reads year 0000 as 1 BC.
            lambda c: f"TRY_CAST({c} AS DATE) IS NOT NULL AND {c} >= '0001'",
        ),
    ],
    "amount": [
        ColumnRule(
            "amount_format",
            "must be an amount in EUR: digits, '.' as decimal point, at most 2 "
            "decimals, no thousands separator, >= 0 (at most 16 digits before the point)",
            lambda s: matches(s, AMOUNT_FORMAT),
            lambda c: _full_match_sql(c, AMOUNT_FORMAT),
        ),
    ],
    "integer": [
        ColumnRule(
            "integer_format",
            "must be an integer: digits only, >= 0 (at most 18 digits)",
            lambda s: matches(s, INTEGER_FORMAT),
            lambda c: _full_match_sql(c, INTEGER_FORMAT),
        ),
    ],
}


def _range_rule(low: int | None, high: int | None) -> ColumnRule:
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

    def sql(c: str) -> str:
        bounds = [] if low is None else [f"TRY_CAST({c} AS BIGINT) >= {int(low)}"]
        bounds += [] if high is None else [f"TRY_CAST({c} AS BIGINT) <= {int(high)}"]
        return " AND ".join(bounds)

    return ColumnRule(name, error, integer_in_range, sql)


# Regular expressions that mean the same in Python's re and DuckDB's RE2: ASCII literals,
# classes, groups, alternation and counted repetition; no escapes but `\.`.
_PORTABLE_PATTERN = re.compile(r"(?:[A-Za-z0-9_{},?:()|+*\[\]-]|\\\.)*")


def _full_match_sql(column: str, pattern: str) -> str | None:
    if not _PORTABLE_PATTERN.fullmatch(pattern):
        return None
    return f"regexp_full_match({column}, {literal(pattern)})"


# --- rules across columns and rows (the contract's prose), per file ----------------------


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


# The rules above in SQL. Each may fail a row that the rule passes (a malformed value,
# which the column's own check fails anyway), never the other way round.


def _not_before_sql(later: str, earlier: str) -> str:
    # YYYY-MM-DD text orders as the dates it writes (and UTF-8 bytes as code points).
    later, earlier = quote(later), quote(earlier)
    return f"{later} IS NULL OR {earlier} IS NULL OR {later} >= {earlier}"


def _not_above_sql(part: str, whole: str) -> str:
    # DECIMAL(18, 2) holds every well-formed amount exactly; a malformed one fails here too.
    part, whole = quote(part), quote(whole)
    return (
        f"{part} IS NULL OR {whole} IS NULL OR "
        f"TRY_CAST({part} AS DECIMAL(18, 2)) <= TRY_CAST({whole} AS DECIMAL(18, 2))"
    )


def _set_iff_sql(date: str, status_column: str, status: str) -> str:
    date, status_column = quote(date), quote(status_column)
    return (
        f"{status_column} IS NULL OR (({status_column} = {literal(status)}) = ({date} IS NOT NULL))"
    )


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
            sql="country_code IS NULL OR nuts2_code IS NULL OR country_code = left(nuts2_code, 2)",
        ),
    ],
    "projects.csv": [
        RowRule(
            "end_date_not_before_start_date",
            ("end_date", "start_date"),
            "end_date must be on or after start_date",
            _not_before("end_date", "start_date"),
            sql=_not_before_sql("end_date", "start_date"),
        ),
        RowRule(
            "erdf_not_above_total_budget",
            ("erdf_eur", "total_budget_eur"),
            "erdf_eur must not exceed total_budget_eur",
            _not_above("erdf_eur", "total_budget_eur"),
            sql=_not_above_sql("erdf_eur", "total_budget_eur"),
        ),
    ],
    "partners.csv": [
        RowRule(
            "partner_id_of_project",
            ("partner_id", "project_id"),
            "partner_id must be project_id + '-P' + 2 digits",
            _partner_id_of_project,
            sql="partner_id IS NULL OR project_id IS NULL OR ("
            "partner_id = project_id || '-P' || right(partner_id, 2)"
            " AND regexp_full_match(right(partner_id, 2), '[0-9]{2}'))",
        ),
        RowRule(
            "erdf_not_above_budget",
            ("erdf_eur", "budget_eur"),
            "erdf_eur must not exceed budget_eur",
            _not_above("erdf_eur", "budget_eur"),
            sql=_not_above_sql("erdf_eur", "budget_eur"),
        ),
        RowRule(
            "one_lead_per_project",
            ("role", "project_id"),
            "a project must have exactly one partner with role 'lead' (every partner row of "
            "the project is quarantined)",
            _one_lead_per_project,
            sql="project_id IS NULL OR count(*) FILTER (WHERE role = 'lead')"
            " OVER (PARTITION BY project_id) = 1",
        ),
    ],
    "progress_reports.csv": [
        RowRule(
            "period_end_not_before_period_start",
            ("period_end", "period_start"),
            "period_end must be on or after period_start",
            _not_before("period_end", "period_start"),
            sql=_not_before_sql("period_end", "period_start"),
        ),
        RowRule(
            "approved_on_iff_approved",
            ("approved_on", "status"),
            "approved_on must be set if and only if status is 'approved'",
            _set_iff("approved_on", "status", "approved"),
            sql=_set_iff_sql("approved_on", "status", "approved"),
        ),
        RowRule(
            "approved_on_not_before_submitted_on",
            ("approved_on", "submitted_on"),
            "approved_on must be on or after submitted_on",
            _not_before("approved_on", "submitted_on"),
            sql=_not_before_sql("approved_on", "submitted_on"),
        ),
    ],
    "policy_changes.csv": [
        RowRule(
            "validated_on_iff_validated",
            ("validated_on", "status"),
            "validated_on must be set if and only if status is 'validated'",
            _set_iff("validated_on", "status", "validated"),
            sql=_set_iff_sql("validated_on", "status", "validated"),
        ),
    ],
    "good_practices.csv": [
        RowRule(
            "validated_on_iff_validated",
            ("validated_on", "status"),
            "validated_on must be set if and only if status is 'validated'",
            _set_iff("validated_on", "status", "validated"),
            sql=_set_iff_sql("validated_on", "status", "validated"),
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
                checks=[rule.check() for rule in column_rules(c)],
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


# --- the same contract as one SQL screen, for a file that DuckDB has read -----------------
#
# Pandera on pandas costs seconds per million rows. A file whose rows all pass needs no
# failure cases, so the pipeline first screens each file inside DuckDB with the SQL forms
# of the same rules (column_rules, RULES), and runs Pandera only on a file the screen does
# not pass (Pandera then names every failure, as before). The screen may fail a file that
# Pandera passes (that costs time, not correctness), never the other way round; where a
# check has no SQL form that is certainly at least as strict, the file has no screen.


def column_sql(column: Column) -> str | None:
    """True where a value passes every rule of the column (column_rules); None: no rule.

    Raises ValueError when a rule has no SQL form (see _PORTABLE_PATTERN).
    """
    c = quote(column.name)
    checks = [rule.sql(c) for rule in column_rules(column)]
    if any(check is None for check in checks):
        raise ValueError(f"column {column.name}: a check has no portable SQL form")
    if not checks:
        return f"{c} IS NOT NULL" if column.required else None
    body = " AND ".join(f"coalesce({check}, false)" for check in checks)
    return f"{c} IS NOT NULL AND {body}" if column.required else f"{c} IS NULL OR ({body})"


@dataclass(frozen=True)
class Screen:
    """One file's contract as SQL over its rows as text (every contract column, null where
    the field is empty).

    `row_checks`: true where the row passes (column checks, then the file's row rules);
    `key`: unique over every row; `unique`: unique over the rows with every column set;
    `min_rows`/`max_rows`: the row count's bounds.
    """

    row_checks: tuple[str, ...]
    key: tuple[str, ...]
    unique: tuple[tuple[str, ...], ...]
    min_rows: int
    max_rows: int | None


def build_screen(spec: FileSpec) -> Screen | None:
    """The file's screen, or None when a check of its schema has no SQL form."""
    rules = RULES.get(spec.name, [])
    if any(rule.sql is None for rule in rules):
        return None
    try:
        checks = [column_sql(c) for c in spec.columns]
    except ValueError:
        return None
    return Screen(
        row_checks=tuple(c for c in checks if c is not None)
        + tuple(f"coalesce({rule.sql}, false)" for rule in rules),
        key=spec.key,
        unique=tuple(spec.unique),
        min_rows=spec.min_rows,
        max_rows=spec.max_rows,
    )


SCREENS: dict[str, Screen | None] = {spec.name: build_screen(spec) for spec in MONITORING.files}

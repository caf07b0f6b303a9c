"""Pandera schemas of the monitoring export, built from the contract in monitoring_contract.py.

The schemas validate the frames exactly as read (text; pandas "string" or object with nulls),
before any cast, so that a malformed value is reported with its row and column instead of
failing a cast:

* per column, from the declarations: required -> non-null; the type's written form (date
  `YYYY-MM-DD` that is a real calendar date, amount `^[0-9]+(\\.[0-9]{1,2})?$`, integer
  `^[0-9]+$`); `values` -> allowed codes; `pattern` -> full match; min/max for integers;
* per file: the key is unique (every duplicate row is reported), the further unique sets, the
  number of rows, and the contract's rules that span columns or rows (below, RULES).

Every rule is written once, in DuckDB SQL over the file's rows as text: a column's rules
(`column_rules`) and the rules over rows (`RowRule`, RULES). The same text is the DuckDB
screen of the fast path (SCREENS, below) and, evaluated by DuckDB on the frame
(schemas.sql.rows_passing), the Pandera check that names every failing row.

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
  is already reported by the column's own check, once. So does a column's range, allowed
  values or calendar check on a value not written as its type: that is the form check's
  failure, reported once.
* An integer column's allowed values (nuts_version) compare as integers, as its range does:
  the form is "digits only", so 02016 is 2016.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandera.pandas as pa

from schemas.contract import Column, FileSpec, RowRule
from schemas.monitoring_contract import MONITORING
from schemas.sql import literal, quote, rows_passing

DATE_FORMAT = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
AMOUNT_FORMAT = r"[0-9]{1,16}(?:\.[0-9]{1,2})?"
INTEGER_FORMAT = r"[0-9]{1,18}"


# --- SQL building blocks over a quoted column of text ------------------------------------


def written(column: str, form: str) -> str:
    """True where the value fully matches `form`; false for null."""
    return f"coalesce(regexp_full_match({column}, {literal(form)}), false)"


def real_date(column: str) -> str:
    """True where the value is written YYYY-MM-DD and is a real calendar date (the cast is
    null for 2022-02-30; DuckDB reads year 0000 as 1 BC, so the year must be 0001 or
    later)."""
    return (
        f"({written(column, DATE_FORMAT)} AND TRY_CAST({column} AS DATE) IS NOT NULL"
        f" AND {column} >= '0001')"
    )


# --- column rules, from the declarations ---------------------------------------------------


@dataclass(frozen=True)
class ColumnRule:
    """A check of one column's values. `sql(column)`: DuckDB SQL over the quoted column,
    true where the value passes. Pandera lets nulls pass (`required` is the column's own
    check); the screen does the same (column_sql)."""

    name: str
    error: str
    sql: Callable[[str], str]

    def check(self) -> pa.Check:
        condition = self.sql(quote("value"))
        return pa.Check(
            lambda series: rows_passing(condition, series.to_frame("value"), ("value",)),
            name=self.name,
            error=self.error,
        )


def column_rules(column: Column) -> list[ColumnRule]:
    """The column's rules from its declaration: its type's form, then its domain."""
    rules = list(_TYPE_RULES.get(column.type, []))
    if column.type == "integer" and (column.min_value is not None or column.max_value is not None):
        rules.append(_range_rule(column.min_value, column.max_value))
    if column.values is not None and column.type == "integer":
        rules.append(_allowed_integers(column.values))
    elif column.values is not None:
        allowed = ", ".join(literal(v) for v in column.values)
        rules.append(
            ColumnRule(
                "allowed_values",
                f"must be one of: {', '.join(column.values)} (case-sensitive)",
                lambda c, allowed=allowed: f"{c} IN ({allowed})",
            )
        )
    if column.pattern is not None:
        pattern = column.pattern
        rules.append(
            ColumnRule(
                "code_pattern",
                f"must match the pattern {pattern}",
                lambda c, pattern=pattern: written(c, pattern),
            )
        )
    return rules


_TYPE_RULES: dict[str, list[ColumnRule]] = {
    "date": [
        ColumnRule(
            "date_format",
            "must be a date written YYYY-MM-DD",
            lambda c: written(c, DATE_FORMAT),
        ),
        ColumnRule(
            "calendar_date",
            "must be a real calendar date (e.g. 2022-02-30 is not)",
            lambda c: f"NOT {written(c, DATE_FORMAT)} OR {real_date(c)}",
        ),
    ],
    "amount": [
        ColumnRule(
            "amount_format",
            "must be an amount in EUR: digits, '.' as decimal point, at most 2 "
            "decimals, no thousands separator, >= 0 (at most 16 digits before the point)",
            lambda c: written(c, AMOUNT_FORMAT),
        ),
    ],
    "integer": [
        ColumnRule(
            "integer_format",
            "must be an integer: digits only, >= 0 (at most 18 digits)",
            lambda c: written(c, INTEGER_FORMAT),
        ),
    ],
}


def _allowed_integers(values: tuple[str, ...]) -> ColumnRule:
    """An integer's allowed values compare as integers: digits only, so "02016" is 2016."""
    numbers = ", ".join(str(int(v)) for v in values)
    return ColumnRule(
        "allowed_values",
        f"must be one of: {', '.join(values)}",
        lambda c: f"NOT {written(c, INTEGER_FORMAT)} OR TRY_CAST({c} AS BIGINT) IN ({numbers})",
    )


def _range_rule(low: int | None, high: int | None) -> ColumnRule:
    if low is not None and high is not None:
        name, error = f"between_{low}_and_{high}", f"must be between {low} and {high}"
    elif low is not None:
        name, error = f"at_least_{low}", f"must be at least {low}"
    else:
        name, error = f"at_most_{high}", f"must be at most {high}"

    def sql(c: str) -> str:
        # 18 digits always fit a BIGINT; a malformed value is integer_format's failure.
        bounds = [] if low is None else [f"TRY_CAST({c} AS BIGINT) >= {int(low)}"]
        bounds += [] if high is None else [f"TRY_CAST({c} AS BIGINT) <= {int(high)}"]
        return f"NOT {written(c, INTEGER_FORMAT)} OR ({' AND '.join(bounds)})"

    return ColumnRule(name, error, sql)


# --- rules across columns and rows (the contract's prose), per file ----------------------


def _not_before(later: str, earlier: str) -> str:
    # YYYY-MM-DD text orders as the dates it writes.
    later, earlier = quote(later), quote(earlier)
    return f"NOT ({real_date(later)} AND {real_date(earlier)}) OR {later} >= {earlier}"


def _not_above(part: str, whole: str) -> str:
    # DECIMAL(18, 2) holds every well-formed amount exactly.
    part, whole = quote(part), quote(whole)
    return (
        f"NOT ({written(part, AMOUNT_FORMAT)} AND {written(whole, AMOUNT_FORMAT)}) OR "
        f"TRY_CAST({part} AS DECIMAL(18, 2)) <= TRY_CAST({whole} AS DECIMAL(18, 2))"
    )


def _set_iff(date: str, status_column: str, status: str) -> str:
    date, status_column = quote(date), quote(status_column)
    return (
        f"{status_column} IS NULL OR (({status_column} = {literal(status)}) = ({date} IS NOT NULL))"
    )


def _unique_together(columns: tuple[str, ...], integers: frozenset[str] = frozenset()) -> str:
    """Rows with every column set are not alike (every duplicate fails, the first too). An
    integer compares as its value: "01" and "1" are one version ("digits only")."""
    quoted = [quote(c) for c in columns]
    incomplete = " OR ".join(f"{c} IS NULL" for c in quoted)
    values = [
        f"coalesce(CAST(TRY_CAST({q} AS BIGINT) AS VARCHAR), {q})" if c in integers else q
        for c, q in zip(columns, quoted, strict=True)
    ]
    return f"{incomplete} OR count(*) OVER (PARTITION BY {', '.join(values)}) = 1"


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
            sql="country_code IS NULL OR nuts2_code IS NULL OR country_code = left(nuts2_code, 2)",
        ),
    ],
    "projects.csv": [
        RowRule(
            "end_date_not_before_start_date",
            ("end_date", "start_date"),
            "end_date must be on or after start_date",
            sql=_not_before("end_date", "start_date"),
        ),
        RowRule(
            "erdf_not_above_total_budget",
            ("erdf_eur", "total_budget_eur"),
            "erdf_eur must not exceed total_budget_eur",
            sql=_not_above("erdf_eur", "total_budget_eur"),
        ),
    ],
    "partners.csv": [
        RowRule(
            "partner_id_of_project",
            ("partner_id", "project_id"),
            "partner_id must be project_id + '-P' + 2 digits",
            sql="partner_id IS NULL OR project_id IS NULL OR ("
            "partner_id = project_id || '-P' || right(partner_id, 2)"
            " AND regexp_full_match(right(partner_id, 2), '[0-9]{2}'))",
        ),
        RowRule(
            "erdf_not_above_budget",
            ("erdf_eur", "budget_eur"),
            "erdf_eur must not exceed budget_eur",
            sql=_not_above("erdf_eur", "budget_eur"),
        ),
        RowRule(
            "one_lead_per_project",
            ("role", "project_id"),
            "a project must have exactly one partner with role 'lead' (every partner row of "
            "the project is quarantined)",
            sql="project_id IS NULL OR count(*) FILTER (WHERE role = 'lead')"
            " OVER (PARTITION BY project_id) = 1",
        ),
    ],
    "progress_reports.csv": [
        RowRule(
            "period_end_not_before_period_start",
            ("period_end", "period_start"),
            "period_end must be on or after period_start",
            sql=_not_before("period_end", "period_start"),
        ),
        RowRule(
            "approved_on_iff_approved",
            ("approved_on", "status"),
            "approved_on must be set if and only if status is 'approved'",
            sql=_set_iff("approved_on", "status", "approved"),
        ),
        RowRule(
            "approved_on_not_before_submitted_on",
            ("approved_on", "submitted_on"),
            "approved_on must be on or after submitted_on",
            sql=_not_before("approved_on", "submitted_on"),
        ),
    ],
    "policy_changes.csv": [
        RowRule(
            "validated_on_iff_validated",
            ("validated_on", "status"),
            "validated_on must be set if and only if status is 'validated'",
            sql=_set_iff("validated_on", "status", "validated"),
        ),
    ],
    "good_practices.csv": [
        RowRule(
            "validated_on_iff_validated",
            ("validated_on", "status"),
            "validated_on must be set if and only if status is 'validated'",
            sql=_set_iff("validated_on", "status", "validated"),
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
            sql=_unique_together(
                columns, frozenset(c for c in columns if spec.column(c).type == "integer")
            ),
        )
        for columns in spec.unique
    ]


def _all_row_rules(spec: FileSpec) -> list[RowRule]:
    return [*_unique_rules(spec), *RULES.get(spec.name, [])]


def build_schema(spec: FileSpec) -> pa.DataFrameSchema:
    """The Pandera schema of one contract file, from its declaration."""
    checks = [rule.check() for rule in _all_row_rules(spec)]
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
# Pandera on pandas costs seconds per million rows, and a file whose rows all pass needs no
# failure cases. So the pipeline first screens each file inside DuckDB with the same SQL
# (column_rules, RULES) in one query, and runs Pandera only on a file the screen does not
# pass: Pandera then names every failure, from the same rules.


def column_sql(column: Column) -> str | None:
    """True where a value passes every rule of the column (column_rules); None: no rule."""
    c = quote(column.name)
    checks = [rule.sql(c) for rule in column_rules(column)]
    if not checks:
        return f"{c} IS NOT NULL" if column.required else None
    body = " AND ".join(f"coalesce({check}, false)" for check in checks)
    return f"{c} IS NOT NULL AND {body}" if column.required else f"{c} IS NULL OR ({body})"


@dataclass(frozen=True)
class Screen:
    """One file's contract as SQL over its rows as text (every contract column, null where
    the field is empty).

    `row_checks`: true where the row passes (column checks, then the file's row rules);
    `key`: unique over every row; `min_rows`/`max_rows`: the row count's bounds.
    """

    row_checks: tuple[str, ...]
    key: tuple[str, ...]
    min_rows: int
    max_rows: int | None


def build_screen(spec: FileSpec) -> Screen:
    checks = [column_sql(c) for c in spec.columns]
    return Screen(
        row_checks=tuple(c for c in checks if c is not None)
        + tuple(f"coalesce({rule.sql}, false)" for rule in _all_row_rules(spec)),
        key=spec.key,
        min_rows=spec.min_rows,
        max_rows=spec.max_rows,
    )


SCREENS: dict[str, Screen] = {spec.name: build_screen(spec) for spec in MONITORING.files}

"""Pandera schemas of keep.eu exports, one per sheet of each layout (keep_contract.py).

A keep.eu sheet is validated as read: cells as the workbook holds them (text, numbers,
dates) or as the CSV spells them (text), before any conversion. Each field is read by a
cell rule (`RULES`), which is also what converts an accepted value into its raw form, so
the check and the conversion can never disagree:

* `text`            anything; numbers as written (integral numbers without ".0")
* `yes_no`          Yes / No (any case)
* `date`            a date cell, or text YYYY-MM-DD or YYYY/MM/DD, a real calendar date
                    (Excel serial numbers are turned into dates by the reader, which knows
                    the workbook's date system)
* `end_date`        a `date`, or "N.a." (the project has no end date yet): null
* `amount_grouped`  a number cell, or text with ',' thousands separators, '.' and two
                    decimals (`892,228.58`; `500.00` has no group to separate)
* `amount_plain`    a number cell, or text without separators (`758394.29`)
* `amount`          (current layout) a number cell, `amount_plain` or `amount_grouped`
* `country`         `DE Germany / DEUTSCHLAND`, `RS  / Serbia` or `DE`: the code, then the name
* `nuts`            `DEG0  / Thüringen` or `DEG0`: the code, then the name
                    (for both, `/ Name` alone is a name whose code is unknown)

Each amount column has one explicit rule: a value that fits none (`1.234,56`, or `1,234`
where a thousands separator cannot be told from a decimal comma) is quarantined, never
guessed. A number cell must hold whole cents (binary-float noise below 10^-6 is dropped).
Cells that say a value is not available (`N.a.`, `N/A`, `-`) are null.

Rules over rows: a project listed on several rows (one per lead partner, as the legacy
layout does) must agree on every project column; a current-layout partner needs a name
in English or in language 2; a partner row that repeats an earlier one in every column
is the same partner again (keep.eu does list some twice), loaded once.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

import pandas as pd
import pandera.pandas as pa

from schemas.contract import RowRule
from schemas.keep_contract import SHEETS, Sheet


class _Invalid:
    """What a cell rule returns for a value that fits none of its forms."""

    def __repr__(self) -> str:
        return "INVALID"


INVALID: Any = _Invalid()
_MISSING = object()
CENT = Decimal("0.01")
MAX_AMOUNT = Decimal(10) ** 16  # DECIMAL(18,2) holds 16 digits before the point
FLOAT_NOISE = Decimal("0.000001")

AMOUNT_PLAIN = re.compile(r"[0-9]{1,16}(?:\.[0-9]{1,2})?")
AMOUNT_GROUPED = re.compile(r"[0-9]{1,3}(?:,[0-9]{3})*\.[0-9]{2}")
AMOUNT_GROUPED_ONLY = re.compile(r"[0-9]{1,3}(?:,[0-9]{3})+\.[0-9]{2}")
DATE_TEXT = re.compile(r"([0-9]{4})([-/])([0-9]{2})\2([0-9]{2})(?:[ T]00:00(?::00)?)?")
NOT_AVAILABLE = re.compile(r"n\.?\s*/?\s*a\.?|-+|–|not (?:applicable|available)", re.IGNORECASE)
COUNTRY_CELL = re.compile(r"([A-Z]{2})(?:\s+(.*))?", re.DOTALL)
NUTS_CELL = re.compile(r"([A-Z]{2}[0-9A-Z]{0,3})(?:\s*/\s*(.*))?", re.DOTALL)


# --- cell rules: value as read -> raw form (or INVALID) -------------------------------------


def read_text(value: Any) -> str | None:
    """Any cell as text: strings trimmed, integral numbers without '.0', dates ISO."""
    if value is None:
        return None
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        if value.time() == time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value).strip() or None


def _not_available(value: Any) -> bool:
    return isinstance(value, str) and bool(NOT_AVAILABLE.fullmatch(value.strip()))


def _number_cell(value: int | float) -> str:
    """A number cell as an amount in EUR, '1234.50'; INVALID unless whole cents >= 0."""
    if value.__class__ is float:  # the common case, without Decimal: 1573622.16, 784443.6
        text = repr(value)
        whole, point, fraction = text.partition(".")
        if point and whole.isdigit() and fraction.isdigit() and len(fraction) <= 2:
            return f"{whole}.{fraction:0<2}" if len(whole) <= 16 else INVALID
    if isinstance(value, bool) or (isinstance(value, float) and not math.isfinite(value)):
        return INVALID
    exact = Decimal(value) if isinstance(value, int) else Decimal(repr(value))
    cents = exact.quantize(CENT)
    if exact < 0 or cents >= MAX_AMOUNT or abs(exact - cents) > FLOAT_NOISE:
        return INVALID
    return str(cents)


def _amount(value: Any, *forms: re.Pattern) -> str:
    if isinstance(value, int | float):
        return _number_cell(value)
    if not isinstance(value, str):
        return INVALID
    text = value.strip()
    if not any(form.fullmatch(text) for form in forms):
        return INVALID
    cents = Decimal(text.replace(",", "")).quantize(CENT)
    return str(cents) if cents < MAX_AMOUNT else INVALID


def read_amount_plain(value: Any) -> str | None:
    return None if value is None else _amount(value, AMOUNT_PLAIN)


def read_amount_grouped(value: Any) -> str | None:
    return None if value is None else _amount(value, AMOUNT_GROUPED)


def read_amount(value: Any) -> str | None:
    return None if value is None else _amount(value, AMOUNT_PLAIN, AMOUNT_GROUPED_ONLY)


def read_date(value: Any) -> str | None:
    """ISO date text; INVALID for anything else (numbers included: see the module doc)."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if not isinstance(value, str):
        return INVALID
    match = DATE_TEXT.fullmatch(value.strip())
    if not match:
        return INVALID
    year, _, month, day = match.groups()
    try:
        return date(int(year), int(month), int(day)).isoformat()
    except ValueError:  # 2019/02/30
        return INVALID


def read_end_date(value: Any) -> str | None:
    return None if _not_available(value) else read_date(value)


def read_yes_no(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "Yes" if value else "No"
    text = value.strip().lower() if isinstance(value, str) else ""
    return {"yes": "Yes", "no": "No"}.get(text, INVALID)


def _code_and_name(value: Any, pattern: re.Pattern) -> tuple[str, str | None] | None:
    if value is None or _not_available(value):
        return None
    if not isinstance(value, str):
        return INVALID
    text = value.strip()
    if text.startswith("/"):  # a name without a code: kept, the code is unknown
        name = text.removeprefix("/").strip()
        return (None, name) if name else None
    match = pattern.fullmatch(text)
    if not match:
        return INVALID
    code, name = match.groups()
    name = (name or "").strip().removeprefix("/").strip()
    return code, name or None


def read_country(value: Any) -> tuple[str, str | None] | None:
    return _code_and_name(value, COUNTRY_CELL)


def read_nuts(value: Any) -> tuple[str, str | None] | None:
    return _code_and_name(value, NUTS_CELL)


@dataclass(frozen=True)
class Rule:
    name: str  # the check's name in audit.rejected_rows
    read: Callable[[Any], Any]  # value as read -> raw form, None (null) or INVALID
    error: str

    @property
    def reads_floats_as_amounts(self) -> bool:
        """Every amount rule reads a float cell as `_number_cell` does (read_all's shortcut)."""
        return self.read in (read_amount, read_amount_plain, read_amount_grouped)

    def read_all(self, values: Iterable[Any]) -> list[Any]:
        """`read` of every value, None for None; each distinct value is read once.

        Floats are read one by one: 0.0 and -0.0 are equal but read differently, and
        amounts rarely repeat. Other equal values of one type always read alike.
        """
        read, cache, out = self.read, {}, []
        read_float = _number_cell if self.reads_floats_as_amounts else read
        if read is read_text:  # text is mostly distinct, and mostly trimmed strings already
            return [(v.strip() or None) if v.__class__ is str else read_text(v) for v in values]
        for value in values:
            cls = value.__class__
            if value is None:
                out.append(None)
            elif cls is float:
                out.append(read_float(value))
            else:
                key = (cls, value)
                result = cache.get(key, _MISSING)
                if result is _MISSING:
                    result = cache[key] = read(value)
                out.append(result)
        return out

    def accepts(self, values: pd.Series) -> pd.Series:
        results = self.read_all(values.tolist())
        return pd.Series([r is not INVALID for r in results], index=values.index, dtype=bool)


RULES: dict[str, Rule] = {
    rule.name.removesuffix("_format"): rule
    for rule in (
        Rule("text_format", read_text, "is text"),
        Rule("yes_no_format", read_yes_no, "must be Yes or No"),
        Rule(
            "date_format",
            read_date,
            "must be a date: a date cell, or YYYY-MM-DD or YYYY/MM/DD (a real calendar date)",
        ),
        Rule(
            "end_date_format",
            read_end_date,
            "must be a date (a date cell, YYYY-MM-DD or YYYY/MM/DD) or N.a.",
        ),
        Rule(
            "amount_grouped_format",
            read_amount_grouped,
            "must be an amount in EUR written with ',' thousands separators, '.' and two "
            "decimals (e.g. 892,228.58), or a number cell in whole cents",
        ),
        Rule(
            "amount_plain_format",
            read_amount_plain,
            "must be an amount in EUR without thousands separators, '.' as decimal point and "
            "at most two decimals (e.g. 758394.29), or a number cell in whole cents",
        ),
        Rule(
            "amount_format",
            read_amount,
            "must be an amount in EUR: a number cell in whole cents, or text such as "
            "758394.29 or 892,228.58 (',' only as thousands separator, with two decimals)",
        ),
        Rule(
            "country_format",
            read_country,
            "must start with a two-letter country code: 'DE', 'DE Germany / DEUTSCHLAND' or "
            "'RS  / Serbia'",
        ),
        Rule(
            "nuts_format",
            read_nuts,
            "must be a NUTS code (2 capital letters, up to 3 more letters or digits), alone "
            "or followed by ' / name' (e.g. 'DEG0  / Thüringen')",
        ),
    )
}


# --- rules over rows --------------------------------------------------------------------------


def canonical(sheet: Sheet, frame: pd.DataFrame, field: str) -> pd.Series:
    """A field's values in raw form (text; INVALID as its own marker), for comparisons."""
    rule = RULES[sheet.field(field).rule]
    return pd.Series(
        [repr(r) for r in rule.read_all(frame[field].tolist())], index=frame.index, dtype=object
    )


def project_key(sheet: Sheet, frame: pd.DataFrame) -> pd.Series:
    """Each row's project (`sheet.key` in raw form), as one text: rows of a project agree."""
    return _joined([canonical(sheet, frame, f) for f in sheet.key])


def _project_rows_agree(sheet: Sheet) -> RowRule:
    compared = [f.name for f in sheet.fields if f.name not in sheet.key + sheet.per_lead_fields]

    def test(frame: pd.DataFrame) -> pd.Series:
        if frame.empty:
            return pd.Series(True, index=frame.index)
        key = project_key(sheet, frame)
        values = _joined([canonical(sheet, frame, f) for f in compared])
        versions = values.groupby(key).transform("nunique")
        return versions == 1

    return RowRule(
        "project_rows_agree",
        sheet.key,
        "is listed on several rows that disagree on project columns (a project may have a "
        "row per lead partner, but its other columns must be the same on each); every row "
        "of the project is quarantined",
        test,
    )


def _listed_once(sheet: Sheet) -> RowRule:
    """A row whose cells are all those of an earlier row is the same partner again."""
    fields = [f.name for f in sheet.fields]
    return RowRule(
        "listed_once",
        ("acronym", "organisation_name"),
        "repeats an earlier row of the sheet in every column: the partner is loaded once, "
        "from its first row",
        lambda frame: ~frame.duplicated(subset=fields, keep="first"),
        together=lambda frame: frame.duplicated(subset=fields, keep=False),
    )


def _organisation_named(frame: pd.DataFrame) -> pd.Series:
    return frame["organisation_name"].notna() | frame["organisation_name_2"].notna()


def _joined(parts: list[pd.Series]) -> pd.Series:
    text = parts[0]
    for part in parts[1:]:
        text = text + "\x1f" + part
    return text


def row_rules(sheet: Sheet) -> list[RowRule]:
    rules = []
    if sheet.key:
        rules.append(_project_rows_agree(sheet))
    names = {f.name for f in sheet.fields}
    if {"organisation_name", "organisation_name_2"} <= names:
        rules.append(
            RowRule(
                "organisation_named",
                ("organisation_name", "organisation_name_2"),
                "a partner needs an organisation name in English or in language 2",
                _organisation_named,
            )
        )
    if sheet.table == "partners":
        rules.append(_listed_once(sheet))
    return rules


# --- the schemas -------------------------------------------------------------------------------


def build_schema(sheet: Sheet) -> pa.DataFrameSchema:
    """The Pandera schema of one sheet of one layout, from its declaration."""
    return pa.DataFrameSchema(
        columns={
            f.name: pa.Column(
                None,  # cells as read: text, numbers, dates; the rules check the forms
                checks=[] if f.rule == "text" else [_rule_check(f.rule)],
                nullable=not f.required,
                name=f.name,
                description=f.header,
            )
            for f in sheet.fields
        },
        checks=[rule.check() for rule in row_rules(sheet)],
        strict=False,  # provenance columns and _row_number ride along
        name=f"{sheet.layout}:{sheet.table}",
        title=f"keep.eu {sheet.label}",
    )


def _rule_check(rule_name: str) -> pa.Check:
    rule = RULES[rule_name]
    return pa.Check(rule.accepts, name=rule.name, error=rule.error)


SCHEMAS: dict[tuple[str, str], pa.DataFrameSchema] = {
    (sheet.layout, sheet.table): build_schema(sheet) for sheet in SHEETS
}

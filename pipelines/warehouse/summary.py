"""The headline results as people read them: one figure a line, for a chosen date."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import duckdb

# Column of marts.headline_results -> what the results page calls it.
FIGURES = {
    "projects": "Projects",
    "policy_learning_events": "Policy-learning events",
    "good_practices_identified": "Good practices identified",
    "good_practices_validated": "Good practices validated",
    "people_with_increased_capacity": "People with increased professional capacity",
    "action_plans": "Action plans",
    "policy_instruments_influenced": "Policy instruments influenced",
    "policy_instruments_influenced_sf": "... of which Structural Funds programmes",
    "financial_impact_eur": "Financial impact (EUR)",
    "financial_impact_sf_eur": "... from Structural Funds (EUR)",
    "programme_budget_eur": "Programme budget, ERDF (EUR)",
    "nuts2_regions_involved": "NUTS 2 regions involved",
    "nuts2_regions_eligible": "NUTS 2 regions in the programme area",
    "nuts2_coverage_pct": "NUTS 2 coverage (%)",
}


def headline_as_of(
    con: duckdb.DuckDBPyConnection, as_of: date | None = None
) -> tuple[date, dict[str, object]] | None:
    """The published row for `as_of`: the last as-of date on or before it (the latest if None)."""
    query = f"SELECT as_of_date, {', '.join(FIGURES)} FROM marts.headline_results"
    params: list[object] = []
    if as_of is not None:
        query += " WHERE as_of_date <= ?"
        params.append(as_of)
    row = con.execute(query + " ORDER BY as_of_date DESC LIMIT 1", params).fetchone()
    if row is None:
        return None
    return row[0], dict(zip(FIGURES, row[1:], strict=True))


def format_value(value: object) -> str:
    """Thousands separators; decimals keep their scale (cents, or one place for the pct)."""
    if value is None:
        return "n/a"
    if isinstance(value, int | Decimal):
        return f"{value:,}"
    return str(value)


def headline_table(as_of: date, figures: dict[str, object]) -> str:
    """A plain-text table for the terminal."""
    width = max(len(label) for label in FIGURES.values())
    lines = [f"Headline results as of {as_of.isoformat()}", ""]
    lines += [f"{FIGURES[k]:<{width}}  {format_value(v):>20}" for k, v in figures.items()]
    return "\n".join(lines)


def headline_markdown(con: duckdb.DuckDBPyConnection) -> str:
    found = headline_as_of(con)
    if found is None:
        return "no headline results"
    as_of, figures = found
    rows = "\n".join(f"| {FIGURES[k]} | {format_value(v)} |" for k, v in figures.items())
    return f"As of {as_of.isoformat()}\n\n| figure | value |\n|---|---:|\n{rows}"

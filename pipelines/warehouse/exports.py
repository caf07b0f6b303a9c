"""Files for people and BI tools, written from the build before it is published.

Every mart as Parquet, and the marts people ask for as downloads (policy changes,
projects, partners, good practices, regional coverage, country results, the headline
series), each as CSV and XLSX. A download is written when its mart is in the build, so a
mart added later needs no change here. They are published with the warehouse file, by the
same release (see store.py), so the files always match the published marts.

The CSV keeps the column names (scripts and BI tools read it) and starts with a byte-order
mark, without which Excel reads UTF-8 as the local code page and garbles Greek, Czech or
Bulgarian names. The XLSX has readable headers and an "About" sheet: as of when, from
which sources, what each column means (the dbt descriptions, passed in by the caller:
this package does not read the dbt project).
"""

from __future__ import annotations

import codecs
import shutil
from collections.abc import Mapping
from datetime import date
from pathlib import Path

import duckdb

from pipelines.warehouse.load import quote
from pipelines.warehouse.xlsx import Heading, write_xlsx

MARTS_SCHEMA = "marts"
POLICY_CHANGES = "policy_changes"
HEADLINE = "headline_results"
FRESHNESS = "data_freshness"
DOWNLOADS = (
    POLICY_CHANGES,
    "projects",
    "partners",
    "good_practices",
    "regional_coverage",
    "country_results",
    HEADLINE,
)
TITLE = "Interreg results warehouse"
# A spreadsheet reads a cell that starts with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

# Words of column names shown otherwise in a header; units move to the end, in brackets.
WORDS = {
    "id": "ID", "eu": "EU", "erdf": "ERDF", "sf": "SF", "nuts2": "NUTS 2", "nuts3": "NUTS 3",
    "url": "URL", "sha256": "SHA-256", "no": "no.", "keep": "keep.eu", "utc": "UTC",
}  # fmt: skip
UNITS = {"eur": "(EUR)", "pct": "(%)"}
HEADERS = {  # the few names the rule does not read well
    "is_structural_funds": "Structural Funds",
    "as_of_date": "As of",
    "call_no": "Call",
}
# The columns of marts.data_freshness shown on the About sheet, when the mart has them.
SOURCE_COLUMNS = (
    "source", "source_name", "source_date", "exported_at", "loaded_at", "url", "sha256"
)  # fmt: skip

Descriptions = Mapping[str, Mapping[str, str]]  # mart -> column -> description


def write_exports(
    con: duckdb.DuckDBPyConnection, directory: Path, descriptions: Descriptions | None = None
) -> list[Path]:
    """Parquet for every mart, CSV and XLSX for each download whose mart exists."""
    directory.mkdir(parents=True, exist_ok=True)
    tables = mart_tables(con)
    written = []
    for table in tables:
        target = directory / f"{table}.parquet"
        con.execute(f"COPY {mart(table)} TO {literal(target)} (FORMAT parquet)")
        written.append(target)
    as_of = as_of_date(con, tables)
    sources = source_rows(con, tables)
    for table in (t for t in DOWNLOADS if t in tables):
        written.append(write_csv(con, mart(table), directory / f"{table}.csv"))
        columns = [name for (name, *_) in con.execute(f"DESCRIBE {mart(table)}").fetchall()]
        about = about_rows(table, as_of, sources, columns, (descriptions or {}).get(table, {}))
        written.append(
            write_xlsx(
                con,
                mart(table),
                directory / f"{table}.xlsx",
                sheet=title(table),
                headers=[header_name(c) for c in columns],
                about=about,
            )  # fmt: skip
        )
    return written


def mart_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    rows = con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE schema_name = ? ORDER BY table_name",
        [MARTS_SCHEMA],
    ).fetchall()
    return [name for (name,) in rows]


def mart(table: str) -> str:
    return f"{quote(MARTS_SCHEMA)}.{quote(table)}"


def literal(value: Path | str) -> str:
    """A SQL string literal, for the few places that take no bound parameter (COPY's target)."""
    return "'" + str(value).replace("'", "''") + "'"


def title(table: str) -> str:
    """policy_changes -> Policy changes: the sheet's name and, after TITLE, the About title."""
    return table.replace("_", " ").capitalize()


def header_name(column: str) -> str:
    """A column name as a header people read: total_influenced_eur -> Total influenced
    (EUR), nuts2_code -> NUTS 2 code, is_lead_partner -> Lead partner (a yes/no column)."""
    if column in HEADERS:
        return HEADERS[column]
    words = column.split("_")
    if words[0] == "is" and len(words) > 1:  # a yes/no column: its header is the question
        words = words[1:]
    units = [UNITS[w] for w in words if w in UNITS]
    text = " ".join([WORDS.get(w, w) for w in words if w not in UNITS] + units)
    return text if words[0] in WORDS else text[:1].upper() + text[1:]


def as_of_date(con: duckdb.DuckDBPyConnection, tables: list[str]) -> date | None:
    """The latest as-of date of the headline series: the date the downloads describe."""
    if HEADLINE not in tables:
        return None
    return con.execute(f"SELECT max(as_of_date) FROM {mart(HEADLINE)}").fetchone()[0]


def source_rows(con: duckdb.DuckDBPyConnection, tables: list[str]) -> list[tuple]:
    """A header row and one row per source of marts.data_freshness (when built), with the
    columns of SOURCE_COLUMNS it has; times as UTC text, which reads the same everywhere."""
    if FRESHNESS not in tables:
        return []
    types = dict(con.execute(
        "SELECT column_name, data_type FROM duckdb_columns()"
        " WHERE schema_name = ? AND table_name = ?", [MARTS_SCHEMA, FRESHNESS],
    ).fetchall())  # fmt: skip
    shown = [c for c in SOURCE_COLUMNS if c in types]
    if not shown:
        return []
    selects = [
        f"strftime({quote(c)} AT TIME ZONE 'UTC', '%Y-%m-%d %H:%M:%S UTC')"
        if types[c] == "TIMESTAMP WITH TIME ZONE"
        else quote(c)
        for c in shown
    ]
    rows = con.execute(f"SELECT {', '.join(selects)} FROM {mart(FRESHNESS)} ORDER BY ALL")
    return [tuple(Heading(header_name(c)) for c in shown), *rows.fetchall()]


def about_rows(
    table: str,
    as_of: date | None,
    sources: list[tuple],
    columns: list[str],
    descriptions: Mapping[str, str],
) -> list[tuple]:
    """The About sheet: title, as-of date, sources with their dates, and a line per column:
    its header, its name in the warehouse (and the CSV), what it means."""
    rows: list[tuple] = [(Heading(f"{TITLE}: {title(table).lower()}"),)]
    if as_of is not None:
        rows.append(("As of", as_of))
    if sources:
        rows += [(), (Heading("Sources"),), *sources]
    rows += [(), (Heading("Columns"),), tuple(map(Heading, ("Header", "Column", "Description")))]
    rows += [
        (header_name(c), c, " ".join(descriptions.get(c, "").split()) or None) for c in columns
    ]
    return rows


def write_csv(
    con: duckdb.DuckDBPyConnection,
    relation: str,
    target: Path,
    order_by: str | None = None,
    *,
    byte_order_mark: bool = True,
) -> Path:
    """`relation` (a table's name or a parenthesised SELECT) as UTF-8 CSV with a header and
    a byte-order mark, in `order_by` order (by all columns when None); text that a
    spreadsheet would run as a formula gets a `'`."""
    columns = [row[:2] for row in con.execute(f"DESCRIBE SELECT * FROM {relation}").fetchall()]
    starts = ", ".join(literal(s) for s in FORMULA_STARTS)
    selects = [
        f"CASE WHEN left({quote(name)}, 1) IN ({starts}) THEN '''' || {quote(name)}"
        f" ELSE {quote(name)} END AS {quote(name)}"
        if data_type == "VARCHAR"
        else quote(name)
        for name, data_type in columns
    ]
    # DuckDB's COPY writes no byte-order mark: its output is appended after one.
    body = target.with_name(target.name + ".body") if byte_order_mark else target
    con.execute(
        f"COPY (SELECT {', '.join(selects)} FROM {relation} ORDER BY {order_by or 'ALL'})"
        f" TO {literal(body)} (FORMAT csv, HEADER)"
    )
    if byte_order_mark:
        with open(target, "wb") as out, open(body, "rb") as rows:
            out.write(codecs.BOM_UTF8)
            shutil.copyfileobj(rows, out, 1 << 20)
        body.unlink()
    return target

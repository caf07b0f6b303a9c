"""The long tables' rows as static script files beside the pages, loaded when asked.

Why: at 100 times the programme's size (130,000 policy changes, 26,000 projects, 580,000
good practices) the rows inline would make the first load tens of MB. Each table is
written as pages of rows, `data/<set>/p<N>.js`, that static/rows.js loads with a <script>
tag (fetch() of a local file is blocked from file://), and, for the whole-programme
tables, a search index, `data/<set>/index.js`: every word of the searchable cells and
every filter value with the pages it occurs on, so that a search loads only the pages
that can match.

Why in DuckDB: the rows, their JSON, the pages and the index are computed by SQL over the
marts (listings.py says what each table holds), so no row becomes a Python object; at
100x the same work in Python loops took most of two minutes. A table's rows are one
temporary table; a country's tables are the same rows cut by country.

A row is [cells, filters]; a cell is a string, [text, sort key] or, in a link column,
[text, null, id] (the column's `data-link` and the id make the href: at 100x a full link
per row was tens of MB).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb

PAGE_SIZE = 500
WORD = r"[\pL\pN]+"  # a word of the index: letters and digits (as Python's [^\W_]+)


@dataclass(frozen=True)
class Column:
    label: str
    numeric: bool = False
    searchable: bool = True
    link: str | None = None  # a link column: its href, {} for the row's id


@dataclass(frozen=True)
class RowSet:
    """One table's rows as written: where they are and how many, for the template."""

    name: str  # the table's set name, unique on the page ("changes", "changes-FR")
    base: str  # the folder of the pages, relative to the page ("data/changes/")
    columns: Sequence[Column]
    rows: int
    pages: int
    indexed: bool
    prefix: str = ""  # the way from the page to the site's root (for link columns)
    page_size: int = PAGE_SIZE


@dataclass(frozen=True)
class Listing:
    """A long table as SQL: `select` gives, per row, `row` (its JSON), `search` (the
    text of its searchable cells, a list), `countries` (the codes of the country pages
    listing it) and the filter values f0, f1…, from `source`, in the order `order`."""

    name: str
    columns: Sequence[Column]
    select: str  # the SELECT list (row, search, countries, f0…)
    source: str  # FROM … WHERE …, with $day for the page's date
    order: str  # the list's order (an ORDER BY over the source's columns)
    filters: int  # how many filter slots


def stage(con: duckdb.DuckDBPyConnection, listing: Listing, day) -> int:
    """The listing's rows at `day` as a temporary table, numbered in the list's order;
    returns how many."""
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE rows_{listing.name} AS SELECT"
        f" (row_number() OVER (ORDER BY {listing.order}) - 1)::BIGINT AS n,"
        f" {listing.select} {listing.source}",
        {"day": day},
    )
    return con.execute(f"SELECT count(*) FROM rows_{listing.name}").fetchone()[0]


def write_main(con: duckdb.DuckDBPyConnection, site: Path, listing: Listing, count: int) -> RowSet:
    """The whole programme's table: data/<name>/p<N>.js and its search index."""
    folder = site / "data" / listing.name
    folder.mkdir(parents=True, exist_ok=True)
    pages = con.execute(
        f"SELECT n // {PAGE_SIZE} AS page, {_script(listing.name, 'page', 'n')}"
        f" FROM rows_{listing.name} GROUP BY page ORDER BY page"
    )
    written = _write_pages(pages, lambda page: folder / f"p{page}.js")
    if not written:
        _write_empty(folder, listing.name)
    _write_index(con, folder, listing)
    return RowSet(
        listing.name, f"data/{listing.name}/", listing.columns, count, max(1, written), True
    )


def write_by_country(
    con: duckdb.DuckDBPyConnection, site: Path, listing: Listing, codes: Sequence[str]
) -> dict[str, RowSet]:
    """Each country's rows of the table, in the list's order: data/<name>-XX/p<N>.js, a
    few pages each (searched without an index)."""
    name = listing.name
    counts = dict(
        con.execute(
            f"SELECT c, count(*) FROM (SELECT unnest(countries) AS c FROM rows_{name}) GROUP BY c"
        ).fetchall()
    )
    pages = con.execute(
        f"WITH r AS (SELECT c, row, row_number() OVER (PARTITION BY c ORDER BY n) - 1 AS k"
        f" FROM (SELECT unnest(countries) AS c, row, n FROM rows_{name}) WHERE list_contains(?, c))"
        f" SELECT c || '/' || (k // {PAGE_SIZE}) AS file,"
        f" {_script(f'{name}-', 'k // ' + str(PAGE_SIZE), 'k', country='c')}"
        f" FROM r GROUP BY c, k // {PAGE_SIZE}",
        [list(codes)],
    )
    for code in codes:
        (site / "data" / f"{name}-{code}").mkdir(parents=True, exist_ok=True)

    def path(file: str) -> Path:
        code, page = file.split("/")
        return site / "data" / f"{name}-{code}" / f"p{page}.js"

    _write_pages(pages, path)
    sets = {}
    for code in codes:
        rows = counts.get(code, 0)
        if not rows:
            _write_empty(site / "data" / f"{name}-{code}", f"{name}-{code}")
        sets[code] = RowSet(
            f"{name}-{code}", f"../data/{name}-{code}/", listing.columns, rows,
            max(1, -(-rows // PAGE_SIZE)), False, prefix="../",
        )  # fmt: skip
    return sets


def _script(name: str, page: str, order: str, country: str | None = None) -> str:
    """SQL for a page file's text: __interreg.rows(SET, PAGE, [ROWS]);"""
    set_name = f"to_json('{name}' || {country})" if country else f"to_json('{name}')"
    return (
        f"'__interreg.rows(' || {set_name} || ',' || ({page}) || ',['"
        f" || string_agg(row::VARCHAR, ',' ORDER BY {order}) || ']);' || chr(10)"
    )


def _write_pages(result: duckdb.DuckDBPyConnection, path) -> int:
    """Write the (key, text) rows of a query as files, a batch at a time; how many."""
    written = 0
    while batch := result.fetchmany(256):
        for key, text in batch:
            path(key).write_text(text, encoding="utf-8")
        written += len(batch)
    return written


def _write_empty(folder: Path, name: str) -> None:
    """An empty table still has its first page (the script asks for it)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "p0.js").write_text(f'__interreg.rows("{name}",0,[]);\n', encoding="utf-8")


def _write_index(con: duckdb.DuckDBPyConnection, folder: Path, listing: Listing) -> None:
    """index.js: {"tokens": "a b …", "pages": [[0, 3], …]}: every lowercase word of the
    searchable cells and every filter value as "slot=value", with the pages it occurs on.

    Each distinct cell text is split into words once, with the pages it is on (at 100x,
    580,000 good practices have 40,000 distinct texts); a word's pages are its texts'."""
    name = listing.name
    filters = " UNION ALL ".join(
        f"SELECT '{slot}=' || lower(f{slot}), list(DISTINCT n // {PAGE_SIZE}) FROM rows_{name}"
        f" WHERE coalesce(f{slot}, '') <> '' GROUP BY ALL"
        for slot in range(listing.filters)
    )
    (body,) = con.execute(
        "WITH texts AS (SELECT text, list(DISTINCT page) AS pages FROM"
        f" (SELECT n // {PAGE_SIZE} AS page, unnest(search) AS text FROM rows_{name})"
        " GROUP BY text),"
        " words AS (SELECT unnest(regexp_extract_all(lower(text), ?)) AS token, pages"
        f" FROM texts UNION ALL {filters}),"
        " found AS (SELECT token, list_sort(list_distinct(flatten(list(pages)))) AS pages"
        " FROM words GROUP BY token)"
        " SELECT json_object('tokens', coalesce(string_agg(token, ' ' ORDER BY token), ''),"
        " 'pages', coalesce(to_json(list(pages ORDER BY token)), '[]'::JSON)) FROM found",
        [WORD],
    ).fetchone()
    (folder / "index.js").write_text(f'__interreg.index("{name}",{body});\n', encoding="utf-8")

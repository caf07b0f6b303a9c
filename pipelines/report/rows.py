"""The long tables' rows as static script files beside the pages, loaded when asked.

Why: at 100 times the programme's size (130,000 policy changes, 26,000 projects) the rows
inline would make the first load tens of MB. Each table is written as pages of rows,
`data/<set>/p<N>.js`, that static/rows.js loads with a <script> tag (fetch() of a local
file is blocked from file://), and, for the whole-programme tables, a search index,
`data/<set>/index.js`: every word of the searchable cells and every filter value with
the pages it occurs on, so that a search loads only the pages that can match.

A row is [cells, filters]; a cell is a string, or [text, sort key, href] (href optional;
a null sort key: sort by the text).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

PAGE_SIZE = 500
WORD = re.compile(r"[^\W_]+")

Row = tuple[list, list[str]]


@dataclass(frozen=True)
class Column:
    label: str
    numeric: bool = False
    searchable: bool = True


@dataclass(frozen=True)
class RowSet:
    """One table's rows as written: where they are and how many, for the template."""

    name: str  # the table's set name, unique on the page ("changes", "changes-FR")
    base: str  # the folder of the pages, relative to the page ("data/changes/")
    columns: Sequence[Column]
    rows: int
    pages: int
    indexed: bool
    page_size: int = PAGE_SIZE


def write_rows(
    site: Path,
    folder: str,
    name: str,
    columns: Sequence[Column],
    rows: Sequence[Row],
    *,
    indexed: bool = False,
    prefix: str = "",
) -> RowSet:
    """Write `rows` as pages (and an index) under site/folder; `prefix` is the way from
    the page that shows the table to the site's root ("../" for a country page)."""
    target = site / folder
    target.mkdir(parents=True, exist_ok=True)
    pages = max(1, -(-len(rows) // PAGE_SIZE))
    call = json.dumps(name)
    for page in range(pages):
        chunk = rows[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
        body = json.dumps(chunk, ensure_ascii=False, separators=(",", ":"), default=str)
        (target / f"p{page}.js").write_text(
            f"__interreg.rows({call},{page},{body});\n", encoding="utf-8"
        )
    if indexed:
        searchable = [i for i, c in enumerate(columns) if c.searchable]
        index = search_index(rows, searchable)
        body = json.dumps(index, ensure_ascii=False, separators=(",", ":"))
        (target / "index.js").write_text(f"__interreg.index({call},{body});\n", encoding="utf-8")
    return RowSet(name, f"{prefix}{folder}/", columns, len(rows), pages, indexed)


def search_index(rows: Sequence[Row], searchable: Sequence[int]) -> dict[str, object]:
    """Every lowercase word of the searchable cells, and every filter value as
    "slot=value", with the pages it occurs on: {"tokens": "a b …", "pages": [[0, 3], …]}.
    A page's text is tokenised at once (per row, at 100x, it was most of the build)."""
    where: dict[str, list[int]] = {}
    for page, start in enumerate(range(0, len(rows), PAGE_SIZE)):
        chunk = rows[start : start + PAGE_SIZE]
        text = " ".join(_text(cells[i]) for cells, _ in chunk for i in searchable).lower()
        tokens = set(WORD.findall(text))
        tokens.update(
            f"{slot}={value.lower()}"
            for _, filters in chunk
            for slot, value in enumerate(filters)
            if value
        )
        for token in tokens:
            where.setdefault(token, []).append(page)  # pages in order: lists stay sorted
    tokens = sorted(where)
    return {"tokens": " ".join(tokens), "pages": [where[t] for t in tokens]}


def _text(cell: object) -> str:
    return cell if isinstance(cell, str) else str(cell[0])


def cell(text: object, sort: object = None, href: str | None = None) -> list | str:
    """A cell: plain text, or [text, sort key, href] when it sorts or links; a link that
    sorts by its text has a null sort key (at 100x the text twice is megabytes)."""
    if sort is None and href is None:
        return "" if text is None else str(text)
    shown = str(text)
    if href:
        return [shown, None if sort is None or sort == shown else sort, href]
    return [shown, sort]


def rows_of(items: Sequence, make: Callable[[object], Row]) -> list[Row]:
    return [make(item) for item in items]

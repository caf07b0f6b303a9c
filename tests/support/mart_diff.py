"""A mart against the reference's rows (tests/support/reference_marts.py), key by key and
cell by cell: what differs, in a message that names the mart, the key and the column."""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path

import duckdb

from support.reference_marts import MART_KEYS

MAX_LISTED = 25  # differences listed in full in a message


def same(a: object, b: object) -> bool:
    """Equal, and of the same type (a count is no flag, an amount no float)."""
    return type(a) is type(b) and a == b


def mart_rows(db_path: Path, mart: str) -> tuple[list[str], list[tuple]] | None:
    """The mart's columns and rows; None when the build left it out."""
    with duckdb.connect(str(db_path), read_only=True) as con:
        exists = con.execute(
            "select count(*) from information_schema.tables"
            " where table_schema = 'marts' and table_name = ?",
            [mart],
        ).fetchone()[0]
        if not exists:
            return None
        cursor = con.execute(f'select * from marts."{mart}"')
        return [d[0] for d in cursor.description], cursor.fetchall()


def show_key(key: tuple) -> str:
    return ", ".join(k.isoformat() if isinstance(k, date) else str(k) for k in key)


def _mismatches(mart: str, wanted: dict[tuple, dict], columns: list[str], rows: list[tuple]):
    """What differs between the reference's rows and the mart's, one line each."""
    keys = MART_KEYS[mart]
    found: dict[tuple, dict] = {}
    lines: list[tuple[str, str]] = []  # (what, line)
    for row in rows:
        record = dict(zip(columns, row, strict=True))
        key = tuple(record[k] for k in keys)
        if key in found:
            lines.append(("duplicate key", f"{mart} [{show_key(key)}]: more than one row"))
        found[key] = record
    known = set(next(iter(wanted.values()), {}))
    for column in sorted(known - set(columns)):
        lines.append((f"no column {column}", f"{mart}: column {column} is missing"))
    for key in sorted(wanted.keys() - found.keys()):
        lines.append(("row missing", f"{mart} [{show_key(key)}]: missing, expected {wanted[key]}"))
    for key in sorted(found.keys() - wanted.keys()):
        lines.append(("row not expected", f"{mart} [{show_key(key)}]: not expected: {found[key]}"))
    for key in sorted(wanted.keys() & found.keys()):
        for column, value in wanted[key].items():
            if column in found[key] and not same(value, found[key][column]):
                lines.append(
                    (
                        column,
                        f"{mart} [{show_key(key)}] {column}: expected {value!r},"
                        f" got {found[key][column]!r}",
                    )
                )
    return lines


def mart_differences(
    mart: str, wanted: dict[tuple, dict], columns: list[str], rows: list[tuple]
) -> str | None:
    """None when the mart's rows are the reference's; else how many places differ, by
    kind, and the first of them."""
    lines = _mismatches(mart, wanted, columns, rows)
    if not lines:
        return None
    counts = Counter(what for what, _ in lines)
    summary = ", ".join(f"{what}: {n}" for what, n in counts.most_common())
    listed = "\n".join(line for _, line in lines[:MAX_LISTED])
    return (
        f"marts.{mart} differs from the reference in {len(lines)} places ({summary});"
        f" the first:\n{listed}"
    )

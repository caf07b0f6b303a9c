"""Read a warehouse folder as the tests check it: the published file, its marts, its state."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

from pipelines.warehouse.summary import FIGURES
from support.cli import file_hash, published
from support.reference_headline import headline_as_of, headline_dates
from tools.compare_marts import fingerprints


def mart_hashes(warehouse: Path) -> dict[str, tuple]:
    """A snapshot of the published file's marts (tools/compare_marts.py), to compare with a
    later one: a run that failed, or had the same inputs, must leave it equal."""
    return fingerprints(published(warehouse))


def published_state(warehouse: Path) -> dict:
    """What a failed run must leave as it was: the file's bytes, the releases, the exports."""
    exports = warehouse / "exports"
    releases = warehouse / "releases"
    return {
        "sha256": file_hash(published(warehouse)),
        "releases": sorted(p.name for p in releases.iterdir()) if releases.is_dir() else [],
        "exports": os.readlink(exports) if exports.is_symlink() else None,
    }


def leftovers(warehouse: Path) -> list[str]:
    """What a finished run (published or not) must not leave behind: builds, half-made links."""
    builds = warehouse / ".build"
    found = [str(p) for p in builds.iterdir()] if builds.is_dir() else []
    found += [str(p) for p in warehouse.glob(".interreg.duckdb.*")]
    found += [str(p) for p in warehouse.glob(".exports.*")]
    return found


def table_names(path: Path) -> set[tuple[str, str]]:
    with duckdb.connect(str(path), read_only=True) as con:
        return set(con.execute("SELECT schema_name, table_name FROM duckdb_tables()").fetchall())


def headline_rows(warehouse: Path) -> dict:
    """marts.headline_results of the published file: as-of date -> {figure: value}."""
    with duckdb.connect(str(published(warehouse)), read_only=True) as con:
        rows = con.execute(
            f"SELECT as_of_date, {', '.join(FIGURES)} FROM marts.headline_results ORDER BY 1"
        ).fetchall()
    return {row[0]: dict(zip(FIGURES, row[1:], strict=True)) for row in rows}


def assert_headline_matches_reference(warehouse: Path, export: Path) -> None:
    """Every cell of the published headline equals the independent computation on `export`
    (support/reference_headline.py), on every date."""
    rows = headline_rows(warehouse)
    assert list(rows) == headline_dates(export)
    for as_of, figures in rows.items():
        expected = headline_as_of(export, as_of)
        assert figures == expected, f"as of {as_of}"

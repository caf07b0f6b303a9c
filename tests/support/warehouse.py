"""Read a warehouse folder as the tests check it: the published file, its marts, its state."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import duckdb

from support.cli import file_hash, published

# Where and when the data was delivered and built, not what it is: the same files served
# from another URL, re-exported at another time or loaded by another run hold the same data.
DELIVERY_MARTS = {"data_freshness"}


def mart_hashes(warehouse: Path) -> dict[str, str]:
    """A content hash of every mart of the data, independent of physical layout."""
    with duckdb.connect(str(published(warehouse)), read_only=True) as con:
        tables = [
            r[0]
            for r in con.execute(
                "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'marts' ORDER BY 1"
            ).fetchall()
        ]
        return {
            t: hashlib.sha256(
                repr(con.execute(f'SELECT * FROM marts."{t}" ORDER BY ALL').fetchall()).encode()
            ).hexdigest()
            for t in tables
            if t not in DELIVERY_MARTS
        }


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

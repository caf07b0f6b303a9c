"""The `audit` schema: what each run read, left out, noticed and published.

audit.loaded_files   one row per source file in the published data: hash, rows read/loaded
audit.rejected_rows  the quarantine: every rule a row broke, with file, row and column
audit.schema_drift   columns a file had beyond its contract (kept, not used)
audit.runs           every run that ended, published or not

Tables hold the state of the published data per source: a run replaces its source's rows.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterable, Mapping

import duckdb
import pandas as pd

# audit.rejected_rows, as every source's quarantine builds it (pipelines/sources/quarantine.py)
REJECTED_COLUMNS = ["source", "file", "row_number", "column_name", "check_name", "value", "message"]

_DDL = """
CREATE SCHEMA IF NOT EXISTS audit;
CREATE TABLE IF NOT EXISTS audit.loaded_files (
    run_id VARCHAR, source VARCHAR, file VARCHAR, sha256 VARCHAR, url VARCHAR,
    rows_read BIGINT, rows_loaded BIGINT, rows_rejected BIGINT, loaded_at TIMESTAMPTZ);
-- The source's own date for the file (an export's creation time), where it has one. Added
-- after the first release: a file published before it gains the column on its next build.
ALTER TABLE audit.loaded_files ADD COLUMN IF NOT EXISTS exported_at TIMESTAMPTZ;
CREATE TABLE IF NOT EXISTS audit.rejected_rows (
    run_id VARCHAR, source VARCHAR, file VARCHAR, row_number BIGINT, column_name VARCHAR,
    check_name VARCHAR, value VARCHAR, message VARCHAR);
CREATE TABLE IF NOT EXISTS audit.schema_drift (
    run_id VARCHAR, source VARCHAR, file VARCHAR, column_name VARCHAR);
"""

RUN_COLUMNS = {
    "run_id": "VARCHAR",
    "started_at": "TIMESTAMPTZ",
    "finished_at": "TIMESTAMPTZ",
    "status": "VARCHAR",  # success, unchanged, not_published, rollback
    "files": "JSON",  # per source file: sha256, rows read, loaded, rejected
    "rows_rejected": "BIGINT",
    "stage_seconds": "JSON",  # wall time per step
    "git_revision": "VARCHAR",
    "duckdb_version": "VARCHAR",
    "dbt_version": "VARCHAR",
    "dagster_version": "VARCHAR",
    "storage_version": "VARCHAR",
    "fingerprint": "VARCHAR",  # the sources and code the run built from (fingerprint.py)
    "error": "VARCHAR",
}
_JSON_COLUMNS = {name for name, sql_type in RUN_COLUMNS.items() if sql_type == "JSON"}


def ensure_audit_schema(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(_DDL)


def replace_source_audit(
    con: duckdb.DuckDBPyConnection,
    *,
    run_id: str,
    source: str,
    files: Iterable[Mapping],
    rejected: pd.DataFrame,
    drift: Mapping[str, list[str]],
) -> None:
    """Record what this run loaded of `source`, replacing the source's previous rows."""
    ensure_audit_schema(con)
    for table in ("loaded_files", "rejected_rows", "schema_drift"):
        con.execute(f"DELETE FROM audit.{table} WHERE source = ?", [source])
    con.executemany(
        "INSERT INTO audit.loaded_files (run_id, source, file, sha256, url, rows_read,"
        " rows_loaded, rows_rejected, loaded_at, exported_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, now(), ?)",
        [
            [
                run_id,
                source,
                f["file"],
                f["sha256"],
                f.get("url"),
                f["rows_read"],
                f["rows_loaded"],
                f["rows_rejected"],
                f.get("exported_at"),
            ]
            for f in files
        ],
    )
    if len(rejected):
        frame = rejected[REJECTED_COLUMNS].astype({"value": "string", "message": "string"})
        frame = frame.assign(run_id=run_id)
        con.register("rejected_frame", frame)
        try:
            con.execute(
                "INSERT INTO audit.rejected_rows SELECT run_id, source, file,"
                " CAST(row_number AS BIGINT), column_name, check_name, value, message"
                " FROM rejected_frame"
            )
        finally:
            con.unregister("rejected_frame")
    drift_rows = [[run_id, source, f, column] for f, columns in drift.items() for column in columns]
    if drift_rows:  # executemany refuses an empty list
        con.executemany("INSERT INTO audit.schema_drift VALUES (?, ?, ?, ?)", drift_rows)


def loaded_hashes(con: duckdb.DuckDBPyConnection, source: str) -> dict[str, str]:
    """file -> sha256 of what the build (a copy of the published file) holds for `source`."""
    ensure_audit_schema(con)
    rows = con.execute(
        "SELECT file, sha256 FROM audit.loaded_files WHERE source = ?", [source]
    ).fetchall()
    return dict(rows)


def write_runs(con: duckdb.DuckDBPyConnection, records: Iterable[Mapping]) -> None:
    """Rewrite audit.runs from the run log (runs.jsonl plus the run being published)."""
    ensure_audit_schema(con)
    columns = ", ".join(f"{name} {sql_type}" for name, sql_type in RUN_COLUMNS.items())
    con.execute(f"CREATE OR REPLACE TABLE audit.runs ({columns})")
    rows = [
        [
            json.dumps(r.get(name), sort_keys=True, default=str)
            if name in _JSON_COLUMNS
            else r.get(name)
            for name in RUN_COLUMNS
        ]
        for r in records
    ]
    if rows:
        marks = ", ".join("?" for _ in RUN_COLUMNS)
        con.executemany(f"INSERT INTO audit.runs VALUES ({marks})", rows)


def software_versions() -> dict[str, str]:
    """What built the warehouse: the code's git revision and the engines' versions."""
    from importlib.metadata import version

    from pipelines.config import REPO_ROOT

    try:
        revision = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=REPO_ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        revision = "unknown"
    return {
        "git_revision": revision,
        "duckdb_version": duckdb.__version__,
        "dbt_version": version("dbt-core"),
        "dagster_version": version("dagster"),
    }

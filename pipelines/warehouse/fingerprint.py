"""What a warehouse was built from: the source files it loaded, the code and the engines.

The pipeline is deterministic (two runs on the same inputs give identical marts, tested in
tests/e2e/test_faults.py), so a build with the published file's fingerprint would publish
the same warehouse again: such a run skips dbt, the exports and the results page.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from importlib.metadata import version
from pathlib import Path

import duckdb

from pipelines.config import REPO_ROOT
from pipelines.warehouse.audit import ensure_audit_schema

# Everything that decides what a run publishes, besides the sources: the code that loads,
# checks, transforms and publishes, the Pandera contracts, the dbt project. Dev tooling
# (tools/samples, bench/, tests/) is outside these roots: editing it publishes nothing.
CODE_ROOTS = ("pipelines", "schemas", "dbt_project")
# Code under the roots that only reads the published file or decides when runs happen: the
# results page (it has its own stamp), the PostgreSQL copy, the schedule and sensors, the CLI.
READS_ONLY = {"pipelines/report", "pipelines/postgres", "pipelines/ops", "pipelines/cli.py"}
# The engines whose upgrade may change a result (their versions are pinned in constraints.txt).
ENGINES = ("duckdb", "dbt-core", "dbt-duckdb", "pandera", "pandas", "python-calamine", "openpyxl")
# A run tagged so (`interreg run --force`, or the tag set in Dagster's launchpad) reloads,
# rebuilds and publishes even when nothing changed: for a change the fingerprint cannot see.
FORCE_TAG = "interreg/force"
# Generated or local files under those roots: they change on every run, not with the code.
NOT_CODE = {"__pycache__", "target", "logs", "dbt_packages", ".user.yml"}


def code_digest(root: Path = REPO_ROOT) -> str:
    """The sha256 of every file that shapes the warehouse: its path and its bytes."""
    digest = hashlib.sha256()
    for path in shaping_files(root):
        digest.update(f"{path.relative_to(root).as_posix()}\0".encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def shaping_files(root: Path = REPO_ROOT) -> list[Path]:
    """The files under CODE_ROOTS, less READS_ONLY and what is generated, in a fixed order."""
    found = []
    for top in CODE_ROOTS:
        for folder, subfolders, files in os.walk(root / top):
            relative = Path(folder).relative_to(root).as_posix()
            subfolders[:] = sorted(
                d for d in subfolders if d not in NOT_CODE and f"{relative}/{d}" not in READS_ONLY
            )
            found += [
                Path(folder) / name
                for name in sorted(files)
                if name not in NOT_CODE and f"{relative}/{name}" not in READS_ONLY
            ]
    return found


def build_fingerprint(con: duckdb.DuckDBPyConnection) -> str:
    """The fingerprint of the build `con` holds: its loaded files' hashes, and the code."""
    ensure_audit_schema(con)
    files = con.execute(
        "SELECT source, file, sha256 FROM audit.loaded_files ORDER BY source, file"
    ).fetchall()
    digest = hashlib.sha256(code_digest().encode())
    digest.update(" ".join(f"{name}=={version(name)}" for name in ENGINES).encode())
    for row in files:
        digest.update("\0".join(map(str, row)).encode() + b"\n")
    return digest.hexdigest()


def published_fingerprint(con: duckdb.DuckDBPyConnection) -> str | None:
    """The fingerprint recorded by the run that published the file `con` is a copy of.

    That run wrote its own record last (audit.runs is rewritten at each publish), so after
    a rollback this is the fingerprint of the release that is published again.
    """
    if not con.execute(
        "SELECT count(*) FROM duckdb_columns()"
        " WHERE schema_name = 'audit' AND table_name = 'runs' AND column_name = 'fingerprint'"
    ).fetchone()[0]:
        return None
    row = con.execute(
        "SELECT fingerprint FROM audit.runs WHERE status = 'success'"
        " ORDER BY finished_at DESC LIMIT 1"
    ).fetchone()
    return row[0] if row else None


def run_fingerprint(con: duckdb.DuckDBPyConnection, build: Path) -> str:
    """The fingerprint of the run's build `con` holds, computed once a run and kept beside
    the build: every step of the run judges by the same value, even if the code is
    replaced while it runs."""
    kept = build.with_name("fingerprint")
    if not kept.exists():
        kept.write_text(build_fingerprint(con), encoding="utf-8")
    return kept.read_text(encoding="utf-8")


def unchanged_since_published(con: duckdb.DuckDBPyConnection, build: Path) -> bool:
    published = published_fingerprint(con)
    return published is not None and published == run_fingerprint(con, build)


def forced(run_tags: Mapping[str, str]) -> bool:
    """The run must not reuse what is published, even with the published fingerprint."""
    return run_tags.get(FORCE_TAG) == "true"

"""Operating the warehouse while people read it: readers, a second writer, a killed run."""

from __future__ import annotations

import itertools
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
from support.cli import copy_warehouse, file_hash, interreg, published, start_interreg
from support.exports import copy_export, rewrite_manifest
from support.warehouse import mart_hashes

from pipelines.config import SAMPLE_MONITORING_DIR
from pipelines.crash_points import ENV as PAUSE_AT

_exports = itertools.count(1)


@pytest.fixture(scope="module")
def warehouse(published_sample, tmp_path_factory) -> Path:
    """A warehouse with one published run of the bundled sample (a copy: tests here run on it)."""
    return copy_warehouse(published_sample, tmp_path_factory.mktemp("ops") / "warehouse")


def a_new_export(tmp_path: Path) -> str:
    """The sample exported again a few seconds later: same files, a new manifest, so a run
    has work to do (a run on an unchanged export publishes nothing) and the same marts."""
    export = copy_export(SAMPLE_MONITORING_DIR, tmp_path / "export")
    rewrite_manifest(export, exported_at=f"2024-05-15T06:00:{next(_exports):02d}Z")
    return str(export)


def run_ids(path: Path) -> list[str]:
    with duckdb.connect(str(path), read_only=True) as con:
        rows = con.execute(
            "SELECT run_id FROM audit.runs WHERE status = 'success' ORDER BY finished_at"
        ).fetchall()
    return [run_id for (run_id,) in rows]


def wait_for(condition, process: subprocess.Popen, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if process.poll() is not None:
            raise AssertionError(f"the run ended first: {process.stderr.read()[-3000:]}")
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for the run")
        time.sleep(0.2)


def test_a_second_run_is_refused_while_one_writes(warehouse, tmp_path):
    # The first run holds the lock, paused after its download, for as long as the second
    # takes to start (seconds on a busy machine); then it is killed.
    first = start_interreg(
        "run", warehouse=warehouse, url=a_new_export(tmp_path), env={PAUSE_AT: "download"}
    )
    try:
        # This run's pid: a run killed by an earlier test leaves its own in the file.
        wait_for(lambda: f"pid {first.pid}" in (warehouse / ".run.lock").read_text(), first)
        second = interreg("run", warehouse=warehouse)
        assert second.returncode != 0
        assert "another run is writing" in second.stderr.strip().splitlines()[-1]
    finally:
        os.killpg(first.pid, signal.SIGKILL)
        first.communicate(timeout=60)


def test_a_run_killed_during_dbt_leaves_the_published_file_and_the_next_run_cleans_up(
    published_sample, tmp_path
):
    # A forced run of the export the warehouse holds: dbt builds, and the next run, with
    # nothing changed, has only the wreck to clear.
    warehouse = copy_warehouse(published_sample, tmp_path / "warehouse")
    before = file_hash(published(warehouse))
    run = start_interreg("run", "--force", warehouse=warehouse)
    builds = warehouse / ".build"
    # dbt writes the build's tables: kill the whole process group while they change.
    wait_for(lambda: any(builds.glob("*/interreg.duckdb.wal")), run)
    os.killpg(run.pid, signal.SIGKILL)
    run.wait()
    assert file_hash(published(warehouse)) == before
    result = interreg("run", warehouse=warehouse)
    assert result.returncode == 0, result.stderr[-3000:]
    assert len(list(builds.iterdir())) == 0
    assert file_hash(published(warehouse)) == before


def test_a_forced_run_rebuilds_and_publishes_past_a_reader_and_a_rollback_undoes_it(warehouse):
    reader = duckdb.connect(str(published(warehouse)), read_only=True)
    before = reader.execute("SELECT count(*) FROM audit.runs").fetchone()[0]
    marts = mart_hashes(warehouse)
    releases = {p.name for p in (warehouse / "releases").iterdir()}

    # Unchanged sources and code: only --force makes the run reload, rebuild and publish.
    result = interreg("run", "--force", warehouse=warehouse)

    assert result.returncode == 0, result.stderr[-3000:]
    assert "not reloading" not in result.stderr
    assert "dbt is not run" not in result.stderr
    kept = {p.name for p in (warehouse / "releases").iterdir()}
    new_releases = kept - releases
    assert len(new_releases) == 1
    assert 2 <= len(kept) <= 3  # the last 3 releases are kept
    assert (warehouse / "exports").resolve().parent.name in new_releases
    records = [json.loads(line) for line in (warehouse / "runs.jsonl").read_text().splitlines()]
    forced, published_before = [r for r in records if r["status"] == "success"][-2:][::-1]
    assert forced == records[-1]
    assert forced["fingerprint"] == published_before["fingerprint"]
    # The open reader keeps its consistent view of the file it opened...
    assert reader.execute("SELECT count(*) FROM audit.runs").fetchone()[0] == before
    reader.close()
    # ...and a new reader sees the new run, with the same marts: the same inputs.
    assert len(run_ids(published(warehouse))) == before + 1
    assert mart_hashes(warehouse) == marts

    latest = run_ids(published(warehouse))[-1]
    result = interreg("rollback", warehouse=warehouse)
    assert result.returncode == 0, result.stderr
    assert run_ids(published(warehouse))[-1] != latest
    assert (warehouse / "exports" / "policy_changes.csv").exists()
    # The results page is rebuilt from the release published again, not left on the other.
    current = (warehouse / "exports").resolve().parent
    assert (warehouse / "site" / ".built-from").read_text().startswith(f"{current}\n")


def test_the_published_file_opens_in_duckdb_1_4(warehouse, tmp_path):
    """BI drivers embed older DuckDB: the storage version is pinned for them."""
    target = tmp_path / "duckdb-1.4"
    install = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--target", str(target),
         "duckdb==1.4.4"],
        capture_output=True, text=True,
    )  # fmt: skip
    if install.returncode != 0:
        pytest.skip(f"duckdb 1.4.4 could not be installed: {install.stderr[-500:]}")
    query = (
        "import duckdb, sys; con = duckdb.connect(sys.argv[1], read_only=True);"
        "print(duckdb.__version__, con.execute("
        "'select count(*) from marts.headline_results').fetchone()[0])"
    )
    read = subprocess.run(
        [sys.executable, "-c", query, str(published(warehouse))],
        env={**os.environ, "PYTHONPATH": str(target)},
        capture_output=True, text=True,
    )  # fmt: skip
    assert read.returncode == 0, read.stderr
    version, rows = read.stdout.split()
    assert version == "1.4.4" and int(rows) > 0

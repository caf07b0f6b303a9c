"""`interreg run` with PostgreSQL: the marts copied for BI tools, Dagster's storage in
PostgreSQL for a team, and what a refused login or a server down does to a run.

The tests of this module run in order on one warehouse and one throwaway cluster: a run
publishes a second release to both; a rollback puts PostgreSQL one release behind the
published file; the next runs, on unchanged sources, must bring it up to date.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import psycopg
import pytest
from sqlalchemy import create_engine, text
from support.cli import copy_warehouse, interreg, interreg_env, last_line, published
from support.exports import copy_export, rewrite_manifest

from pipelines.config import SAMPLE_MONITORING_DIR
from pipelines.postgres.marts import POSTGRES_TYPES

REPO_ROOT = Path(__file__).resolve().parents[2]
TEAM_DAGSTER_YAML = REPO_ROOT / "dagster_home_team" / "dagster.yaml"
WRONG_PASSWORD = "Wr0ng-pg-S3cret"


@pytest.fixture(scope="module")
def team(published_sample, tmp_path_factory, postgres_cluster):
    """The published sample, then a run of the sample exported again (a new release) with
    INTERREG_POSTGRES_URL set and Dagster's instance in PostgreSQL
    (dagster_home_team/dagster.yaml), in two databases."""
    with psycopg.connect(postgres_cluster.url(), autocommit=True) as admin:
        for database in ("bi", "dagster"):
            admin.execute(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
            admin.execute(f"CREATE DATABASE {database}")
    home = tmp_path_factory.mktemp("dagster_home")
    shutil.copy(TEAM_DAGSTER_YAML, home / "dagster.yaml")
    dagster_env = {
        "DAGSTER_HOME": str(home),
        "DAGSTER_PG_USERNAME": "interreg_admin",
        "DAGSTER_PG_PASSWORD": postgres_cluster.password,
        "DAGSTER_PG_HOST": "127.0.0.1",
        "DAGSTER_PG_PORT": str(postgres_cluster.port),
        "DAGSTER_PG_DB": "dagster",
    }
    env = dagster_env | {"INTERREG_POSTGRES_URL": postgres_cluster.url("bi")}
    folder = tmp_path_factory.mktemp("team")
    warehouse = copy_warehouse(published_sample, folder / "warehouse")
    export = copy_export(SAMPLE_MONITORING_DIR, folder / "export")
    rewrite_manifest(export, exported_at="2024-05-15T06:00:01Z")
    result = interreg("run", warehouse=warehouse, url=str(export), env=env)
    assert result.returncode == 0, result.stderr[-3000:]
    return {"warehouse": warehouse, "env": env, "dagster_env": dagster_env,
            "url": env["INTERREG_POSTGRES_URL"], "cluster": postgres_cluster}  # fmt: skip


def normalised(rows) -> list[tuple]:
    def value(v):
        return v.astimezone(UTC) if isinstance(v, datetime) and v.tzinfo else v

    rows = [tuple(value(v) for v in row) for row in rows]
    return sorted(rows, key=lambda row: tuple((v is None, str(v)) for v in row))


def bi_rows(url: str, table: str) -> list[tuple]:
    """What a BI tool reads over SQLAlchemy: duckdb-engine (read-only) or psycopg."""
    engine = create_engine(url, connect_args={"read_only": True} if "duckdb" in url else {})
    try:
        with engine.connect() as con:
            return normalised(con.execute(text(f'SELECT * FROM marts."{table}"')).fetchall())
    finally:
        engine.dispose()


def stamp(url: str) -> str | None:
    with psycopg.connect(url) as pg:
        return pg.execute("SELECT release FROM interreg.release").fetchone()[0]


def current_release(warehouse: Path) -> str:
    return Path(os.readlink(warehouse / "exports")).parent.name


def test_a_bi_tool_reads_the_same_marts_with_the_same_types_from_postgres(team):
    duck_url = f"duckdb:///{published(team['warehouse'])}"
    pg_url = team["url"].replace("postgresql://", "postgresql+psycopg://")
    with duckdb.connect(str(published(team["warehouse"])), read_only=True) as duck:
        columns = duck.execute(
            "SELECT table_name, column_name, data_type FROM information_schema.columns"
            " WHERE table_schema = 'marts' ORDER BY ALL"
        ).fetchall()
    with psycopg.connect(team["url"]) as pg:
        pg_types = dict(
            ((t, c), f"numeric({p},{s})" if d == "numeric" else u)
            for t, c, d, u, p, s in pg.execute(
                "SELECT table_name, column_name, data_type, udt_name, numeric_precision,"
                " numeric_scale FROM information_schema.columns WHERE table_schema = 'marts'"
            ).fetchall()
        )
    udt = {"text": "text", "bigint": "int8", "integer": "int4", "boolean": "bool",
           "date": "date", "timestamptz": "timestamptz", "timestamp": "timestamp",
           "double precision": "float8", "smallint": "int2", "json": "json"}  # fmt: skip
    for table, column, duck_type in columns:
        expected = POSTGRES_TYPES.get(duck_type) or duck_type.lower().replace("decimal", "numeric")
        assert pg_types[(table, column)] == udt.get(expected, expected), (table, column)
    assert {t for t, _ in pg_types} == {t for t, _, _ in columns}
    for table in sorted({t for t, _, _ in columns}):
        duck_rows = bi_rows(duck_url, table)
        assert bi_rows(pg_url, table) == duck_rows, table
    assert stamp(team["url"]) == current_release(team["warehouse"])


def test_dagster_keeps_the_run_and_its_events_in_postgres(team, monkeypatch):
    from dagster import AssetKey, DagsterInstance, DagsterRunStatus

    for name, value in team["dagster_env"].items():
        monkeypatch.setenv(name, value)
    with DagsterInstance.get() as instance:
        assert type(instance.run_storage).__name__ == "PostgresRunStorage"
        runs = instance.get_runs()
        assert [run.status for run in runs] == [DagsterRunStatus.SUCCESS]
        event = instance.get_latest_materialization_event(AssetKey(["postgres", "marts"]))
        metadata = event.asset_materialization.metadata
        assert metadata["release"].value == current_release(team["warehouse"])
        assert metadata["target"].value == team["url"].replace(team["cluster"].password, "***")


def test_a_refused_login_fails_naming_the_step_and_the_duckdb_release_stands(team):
    before = stamp(team["url"])
    # The previous release published again: PostgreSQL holds a release the file is not.
    assert interreg("rollback", warehouse=team["warehouse"]).returncode == 0
    published_again = current_release(team["warehouse"])
    assert published_again != before
    wrong = team["url"].replace(team["cluster"].password, WRONG_PASSWORD)
    result = interreg(
        "run", warehouse=team["warehouse"], env=team["env"] | {"INTERREG_POSTGRES_URL": wrong}
    )
    assert result.returncode == 1
    line = last_line(result.stderr)
    assert line.startswith("interreg run failed: the warehouse is published, but postgres__marts:")
    assert "password authentication failed" in line
    assert f"interreg_admin:***@127.0.0.1:{team['cluster'].port}/bi" in line
    assert current_release(team["warehouse"]) == published_again  # DuckDB's release stands
    assert stamp(team["url"]) == before  # PostgreSQL keeps its marts
    assert_no_password(team, WRONG_PASSWORD, result)


def test_a_server_down_fails_clearly_and_the_next_run_catches_up(team):
    cluster = team["cluster"]
    before = stamp(team["url"])
    env = {"INTERREG_POSTGRES_URL": team["url"]}  # Dagster's storage is down too: no history
    cluster.stop()
    try:
        result = interreg("run", warehouse=team["warehouse"], env=env)
    finally:
        cluster.start()
    assert result.returncode == 1
    line = last_line(result.stderr)
    assert "the warehouse is published, but postgres__marts: PostgreSQL at" in line
    assert "could not be reached" in line and cluster.password not in line
    assert stamp(team["url"]) == before
    # Nothing changed in the sources: the DuckDB step says so, PostgreSQL is caught up.
    result = interreg("run", warehouse=team["warehouse"], env=env)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "dbt is not run" in result.stderr
    assert stamp(team["url"]) == current_release(team["warehouse"]) != before
    pg_url = team["url"].replace("postgresql://", "postgresql+psycopg://")
    duck_url = f"duckdb:///{published(team['warehouse'])}"
    assert bi_rows(pg_url, "headline_results") == bi_rows(duck_url, "headline_results")


def test_the_daemon_ticks_the_sensors_with_its_state_in_postgres(team, monkeypatch):
    """`dagster-daemon run` (half of `make serve`) for at most 90 s: both sensors tick, and
    their ticks are in PostgreSQL for the webserver to show."""
    from dagster import DagsterInstance
    from dagster._core.scheduler.instigation import InstigatorType as Kind

    for name, value in team["dagster_env"].items():
        monkeypatch.setenv(name, value)
    daemon = subprocess.Popen(
        [str(Path(sys.executable).with_name("dagster-daemon")), "run", "-w", "workspace.yaml"],
        cwd=REPO_ROOT,
        env=interreg_env(team["warehouse"], extra=team["env"]),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    ticked: dict[str, str] = {}
    try:
        with DagsterInstance.get() as instance:
            deadline = time.monotonic() + 90
            while len(ticked) < 2 and time.monotonic() < deadline and daemon.poll() is None:
                time.sleep(2)
                for state in instance.all_instigator_state(instigator_type=Kind.SENSOR):
                    ticks = instance.get_ticks(state.instigator_origin_id, state.selector_id)
                    finished = [t for t in ticks if t.status.value != "STARTED"]
                    if finished:  # a tick still running (a busy machine) says nothing yet
                        ticked[state.instigator_name] = finished[0].status.value
    finally:
        os.killpg(daemon.pid, signal.SIGKILL)
        _, stderr = daemon.communicate(timeout=30)
    assert set(ticked) == {"monitoring_export_changed", "keep_export_changed"}, stderr[-3000:]
    assert ticked["keep_export_changed"] == "SKIPPED"  # keep.eu is read from the sample file


def assert_no_password(team, password: str, result) -> None:
    """Neither password in the run's output, log files, runs.jsonl, or Dagster's storage."""
    texts = [result.stdout, result.stderr]
    texts += [p.read_text(errors="replace") for p in (team["warehouse"] / "logs").glob("*")]
    texts.append((team["warehouse"] / "runs.jsonl").read_text())
    with psycopg.connect(team["cluster"].url("dagster")) as pg:
        texts += [r[0] for r in pg.execute("SELECT event FROM event_logs").fetchall()]
        texts += [r[0] for r in pg.execute("SELECT run_body FROM runs").fetchall()]
    for secret in (password, team["cluster"].password):
        assert not [t for t in texts if secret in t]

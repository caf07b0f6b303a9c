"""Fixtures shared by every layer of tests."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"
E2E_DIR = Path(__file__).resolve().parent / "e2e"
# Fixtures that build a warehouse with dbt or start a database: seconds to minutes each.
SLOW_FIXTURES = {
    "sample_run", "published_sample", "good", "tiny_warehouse", "sample_db", "postgres_cluster",
}  # fmt: skip


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """`make test-fast` runs what is neither `e2e` nor `slow`: every test under tests/e2e
    runs `interreg` as a process (e2e, slow); a test that needs a built warehouse or a
    database is slow wherever it is."""
    for item in items:
        if E2E_DIR in Path(item.path).parents:
            item.add_marker(pytest.mark.e2e)
            item.add_marker(pytest.mark.slow)
        elif SLOW_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)
    # The PostgreSQL tests first, together: pytest-xdist's worksteal hands each worker a
    # contiguous share of this order and steals from the end of a share, so they all run on
    # the first worker, against one cluster (a per-worker server that some of them stop).
    items.sort(key=lambda item: "postgres_cluster" not in getattr(item, "fixturenames", ()))


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """../shared/data: real reference files. Skipped where absent, but never in CI."""
    if not SHARED_DATA.is_dir():
        message = f"reference data not found at {SHARED_DATA}"
        if os.environ.get("INTERREG_REQUIRE_SHARED_DATA"):
            pytest.fail(message + " (INTERREG_REQUIRE_SHARED_DATA is set)")
        pytest.skip(message)
    return SHARED_DATA


@pytest.fixture(scope="session")
def sample_run(tmp_path_factory, worker_id) -> tuple[Path, subprocess.CompletedProcess]:
    """`interreg run` of the bundled samples (keep.eu's included) into a new warehouse, once
    for the whole session whatever the number of workers: the warehouse (its Dagster home
    beside it) and what the run printed. Tests only read the warehouse; one that writes
    works on a copy (support.cli.copy_warehouse)."""
    from support.built_once import built_once
    from support.cli import interreg

    def build(folder: Path) -> tuple[Path, subprocess.CompletedProcess]:
        # The installed command itself, as an operator types it (other runs are forked:
        # support.cli.interreg), with Dagster's run storage in dagster_home/ beside the
        # warehouse.
        warehouse, dagster_home = folder / "warehouse", folder / "dagster_home"
        dagster_home.mkdir()
        env = {"DAGSTER_HOME": str(dagster_home)}
        return warehouse, interreg("run", warehouse=warehouse, env=env, console_script=True)

    warehouse, result = built_once(tmp_path_factory, worker_id, "sample-run", build)
    assert result.returncode == 0, result.stderr[-3000:]
    return warehouse, result


@pytest.fixture(scope="session")
def published_sample(sample_run) -> Path:
    """The warehouse of `sample_run`, read-only."""
    return sample_run[0]


@pytest.fixture(scope="session")
def postgres_cluster():
    """A throwaway PostgreSQL cluster on 127.0.0.1 (tests/support/postgres.py), removed at
    the end. Skipped where PostgreSQL is not installed, but never in CI."""
    from support.postgres import start_cluster

    try:
        cluster = start_cluster()
    except FileNotFoundError as error:
        if os.environ.get("INTERREG_REQUIRE_POSTGRES"):
            pytest.fail(f"{error} (INTERREG_REQUIRE_POSTGRES is set)")
        pytest.skip(str(error))
    yield cluster
    cluster.remove()


@pytest.fixture
def postgres_url(postgres_cluster) -> str:
    """The URL of a new, empty database of the test cluster, as its superuser."""
    import secrets

    import psycopg

    database = f"test_{secrets.token_hex(4)}"
    with psycopg.connect(postgres_cluster.url(), autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {database}")
    yield postgres_cluster.url(database)
    with psycopg.connect(postgres_cluster.url(), autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")

"""Fixtures shared by every layer of tests."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"


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

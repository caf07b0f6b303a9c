"""Fixtures of the end-to-end tests: real `interreg run` processes."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.cli import interreg


@pytest.fixture(scope="module")
def good(tmp_path_factory) -> Path:
    """A warehouse with one published run of the bundled samples (keep.eu's included), one
    per test module: what a failed run must leave as it was."""
    warehouse = tmp_path_factory.mktemp("good")
    result = interreg("run", warehouse=warehouse)
    assert result.returncode == 0, result.stderr[-3000:]
    return warehouse


@pytest.fixture(scope="session")
def published_sample(tmp_path_factory) -> Path:
    """The bundled samples published once for the whole session, for the tests that only
    read the published file (never write to it)."""
    warehouse = tmp_path_factory.mktemp("published-sample")
    result = interreg("run", warehouse=warehouse)
    assert result.returncode == 0, result.stderr[-3000:]
    return warehouse

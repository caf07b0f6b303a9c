"""Fixtures of the end-to-end tests: real `interreg run` processes."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.cli import interreg


@pytest.fixture(scope="session")
def good(tmp_path_factory) -> Path:
    """A warehouse with one published run of the bundled samples (keep.eu's included), for
    the whole session: what a failed run must leave as it was. Failing runs are made on it
    (and must change nothing published); a test whose run succeeds uses a copy."""
    warehouse = tmp_path_factory.mktemp("good")
    result = interreg("run", warehouse=warehouse)
    assert result.returncode == 0, result.stderr[-3000:]
    return warehouse

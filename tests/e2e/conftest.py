"""Fixtures of the end-to-end tests: real `interreg run` processes."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.cli import copy_warehouse


@pytest.fixture(scope="session")
def good(published_sample, tmp_path_factory) -> Path:
    """This worker's copy of the published sample: what a failed run must leave as it was.
    Failing runs are made on it (and must change nothing published); a test whose run
    succeeds uses a copy of it."""
    return copy_warehouse(published_sample, tmp_path_factory.mktemp("good") / "warehouse")

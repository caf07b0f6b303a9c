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

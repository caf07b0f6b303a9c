"""Fixtures shared by the integration tests of the results page."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

INTERREG = Path(sys.executable).with_name("interreg")


@pytest.fixture(scope="session")
def published_sample(tmp_path_factory) -> Path:
    """A warehouse published by `interreg run` on the bundled sample (no NUTS URL): built
    once per session, copied by the tests that write into it."""
    directory = tmp_path_factory.mktemp("published")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("INTERREG_", "DAGSTER_HOME"))}
    env["INTERREG_WAREHOUSE_DIR"] = str(directory)
    result = subprocess.run(
        [str(INTERREG), "run"], env=env, capture_output=True, text=True, timeout=900
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return directory

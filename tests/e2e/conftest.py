"""Fixtures of the end-to-end tests: real `interreg run` processes."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from support.built_once import built_once
from support.cli import copy_warehouse, interreg
from support.exports import copy_export
from support.hostile_export import hostile_export
from support.keep_workbooks import formula_workbook, hostile_workbook

from pipelines.config import SAMPLE_MONITORING_DIR


@pytest.fixture(scope="session")
def good(published_sample, tmp_path_factory) -> Path:
    """This worker's copy of the published sample: what a failed run must leave as it was.
    Failing runs are made on it (and must change nothing published); a test whose run
    succeeds uses a copy of it."""
    return copy_warehouse(published_sample, tmp_path_factory.mktemp("good") / "warehouse")


@pytest.fixture
def good_copy(good, tmp_path) -> Path:
    """A copy of the good warehouse for one test, whose runs may publish: no other test sees
    what they do."""
    return copy_warehouse(good, tmp_path / "warehouse")


@pytest.fixture(scope="session")
def hostile_run(tmp_path_factory, worker_id) -> dict:
    """One run from nothing on hostile sources, once for the session: the monitoring export
    of support/hostile_export.py, and keep.eu's sample made hostile with a workbook of
    formula cells beside it (support/keep_workbooks.py; calamine reads the one, openpyxl the
    other). test_faults.py reads the monitoring part, test_keep_bad_files.py keep.eu's.

    Returns the warehouse, the run, the export, and what each builder did ("monitoring",
    "keep")."""

    def run(folder: Path) -> dict:
        export = copy_export(SAMPLE_MONITORING_DIR, folder / "export")
        monitoring = hostile_export(export)
        keep = hostile_workbook(folder / "keep_hostile.xlsx")
        formulas = formula_workbook(folder / "keep_formulas.xlsx", keep)
        files = os.pathsep.join(map(str, (keep.path, formulas)))
        warehouse = folder / "warehouse"
        result = interreg(
            "run", warehouse=warehouse, url=str(export), env={"INTERREG_KEEP_FILES": files}
        )
        return {"warehouse": warehouse, "result": result, "export": export,
                "monitoring": monitoring, "keep": keep}  # fmt: skip

    found = built_once(tmp_path_factory, worker_id, "hostile-run", run)
    assert found["result"].returncode == 0, found["result"].stderr[-3000:]
    return found

"""`dbt build` of the project into a DuckDB file of a test's own, as a separate process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

DBT_PROJECT_DIR = Path(__file__).resolve().parents[2] / "dbt_project"
DBT = Path(sys.executable).parent / "dbt"


def dbt_build(db_path: Path, work_dir: Path) -> None:
    """`dbt build` (models, data tests, unit tests) into `db_path` (profile target `file`);
    fails on any error or warning.

    A separate process: dbt-duckdb keeps its DuckDB connection open in the process that
    ran it, and the tests open the file themselves.
    """
    env = {
        **os.environ,
        "INTERREG_DUCKDB_PATH": str(db_path),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    target = work_dir / "target"
    completed = subprocess.run(
        [str(DBT), "build", "--project-dir", str(DBT_PROJECT_DIR),
         "--profiles-dir", str(DBT_PROJECT_DIR), "--target", "file",
         "--target-path", str(target), "--log-path", str(work_dir / "logs"),
         "--no-partial-parse", "--no-use-colors"],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )  # fmt: skip
    assert completed.returncode == 0, f"dbt build failed:\n{completed.stdout[-20000:]}"
    results = json.loads((target / "run_results.json").read_text(encoding="utf-8"))["results"]
    not_passed = [
        f"{r['unique_id']}: {r['status']} {r.get('message')}"
        for r in results
        if r["status"] not in {"success", "pass"}
    ]
    assert not not_passed, not_passed
    kinds = {r["unique_id"].split(".")[0] for r in results}
    assert {"model", "test", "unit_test"} <= kinds, kinds

"""The one dbt project of the code location, and the dbt CLI that runs it.

Only dagster-dbt's public API: the resource starts the `dbt` installed beside this Python
(dbt_executable), so .venv/bin/interreg and .venv/bin/dagster work without an activated
venv, and nothing changes PATH. What that costs a run is in the README's Performance section.
"""

from __future__ import annotations

import sys
from pathlib import Path

from dagster_dbt import DbtCliResource, DbtProject

from pipelines.config import REPO_ROOT

DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
DBT_EXECUTABLE = Path(sys.executable).parent / "dbt"


dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)


def parse_project() -> None:
    """`dbt parse`: a fresh manifest, which the dbt assets are defined from."""
    dbt_resource().cli(["parse", "--quiet"], target_path=dbt_project.target_path).wait()


def ensure_manifest() -> None:
    """Parse the dbt project when its manifest is missing (a fresh clone run outside `make`).

    `dagster dev` re-parses at each load (pipelines/definitions.py); `make` parses first.
    """
    if not dbt_project.manifest_path.exists():
        parse_project()


def dbt_resource() -> DbtCliResource:
    return DbtCliResource(project_dir=dbt_project, dbt_executable=str(DBT_EXECUTABLE))

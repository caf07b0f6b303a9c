"""The one dbt project of the code location; every other module imports it from here."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path

from dagster_dbt import DbtCliResource, DbtProject
from packaging import version

from pipelines.config import REPO_ROOT

DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"

# dagster-dbt starts `dbt` from PATH; make it the one installed beside this Python, so that
# .venv/bin/interreg and .venv/bin/dagster work without an activated venv.
_bin = str(Path(sys.executable).parent)
if _bin not in os.environ.get("PATH", "").split(os.pathsep):
    os.environ["PATH"] = _bin + os.pathsep + os.environ.get("PATH", "")

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)


def ensure_manifest() -> None:
    """Parse the dbt project when its manifest is missing (a fresh clone run outside `make`).

    `dagster dev` re-parses through prepare_if_dev; `make` parses before anything else.
    """
    if not dbt_project.manifest_path.exists():
        dbt_project.preparer.prepare(dbt_project)


class DbtCli(DbtCliResource):
    """dagster-dbt's resource without two start-up costs of each invocation (5 to 8 s here).

    It asks `dbt --version` in a subprocess (dbt-core is installed here: its version is known),
    and loads dbt's adapter in this process, used only by fetch_row_counts and
    fetch_column_metadata, which this project does not call. dagster-dbt's own fallback
    when that load fails is the same None. Tied to dagster-dbt 0.29 (pinned).
    """

    @property
    def _cli_version(self) -> version.Version:
        return version.parse(metadata.version("dbt-core"))

    def _initialize_dbt_core_adapter(self, args: Sequence[str]) -> None:
        return None


def dbt_resource() -> DbtCli:
    return DbtCli(project_dir=dbt_project)

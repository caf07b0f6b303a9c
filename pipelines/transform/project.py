"""The one dbt project of the code location, and the dbt CLI that runs it.

Only dagster-dbt's public API: the resource starts the `dbt` installed beside this Python
(dbt_executable), so .venv/bin/interreg and .venv/bin/dagster work without an activated
venv, and nothing changes PATH. What that costs a run is in docs/performance.md.

A run's dbt works in the warehouse's `.dbt/` folder (`dbt_workdir`): the project's files
are linked there, and `build/` links to the run's build. dbt's profile names the database
by the relative path `build/interreg.duckdb`, so the profile is the same string for every
warehouse and every run, and the parse state that `make` leaves in dbt_project/target
serves a new warehouse's first run: dbt parses from nothing whenever the profile differs.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from dagster_dbt import DbtCliResource, DbtProject

from pipelines.config import REPO_ROOT

DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
DBT_EXECUTABLE = Path(sys.executable).parent / "dbt"
# What dbt reads of the project; linked into a run's working folder.
PROJECT_FILES = ("dbt_project.yml", "models", "macros", "seeds", "tests")
PARSE_STATE = "partial_parse.msgpack"


dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)


def parse_project() -> None:
    """`dbt parse`: a fresh manifest, which the dbt assets are defined from."""
    dbt_resource().cli(["parse", "--quiet"], target_path=dbt_project.target_path).wait()


def ensure_manifest() -> None:
    """Parse the dbt project when its manifest is missing (a fresh clone run outside `make`).

    `dagster dev` parses again when the project changed (refresh_manifest); `make` parses
    first.
    """
    if not dbt_project.manifest_path.exists():
        parse_project()


def refresh_manifest() -> None:
    """Parse the dbt project when a file of it changed since its manifest was written, or the
    manifest is missing: `dagster dev` then loads the models as they are now. An unchanged
    project is not parsed again (a dbt process: about 5 s at each load of the code location).
    """
    if not manifest_is_current(DBT_PROJECT_DIR, dbt_project.manifest_path):
        parse_project()


def manifest_is_current(project_dir: Path, manifest: Path) -> bool:
    """`manifest` is newer than every file and folder dbt reads of the project in
    `project_dir`. A folder's time changes when a file in it is added, removed or renamed."""
    if not manifest.exists():
        return False
    written = manifest.stat().st_mtime_ns
    read = [project_dir / "profiles.yml"]
    for name in PROJECT_FILES:
        read.append(project_dir / name)
        read.extend((project_dir / name).rglob("*"))
    return all(path.stat().st_mtime_ns < written for path in read if path.exists())


def dbt_resource() -> DbtCliResource:
    return DbtCliResource(project_dir=dbt_project, dbt_executable=str(DBT_EXECUTABLE))


def dbt_workdir(folder: Path, target_dir: Path, dbt: DbtCliResource) -> DbtCliResource:
    """`dbt`, started in `folder` (a warehouse's `.dbt/`) with the project's files linked
    there. Its parse state in `target_dir` starts from the project's own, when it has none."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in PROJECT_FILES:
        link, staged = folder / name, folder / f".{name}.link"
        staged.unlink(missing_ok=True)
        staged.symlink_to(DBT_PROJECT_DIR / name)
        os.replace(staged, link)  # the checkout may have moved since the last run
    parsed, kept = dbt_project.manifest_path.with_name(PARSE_STATE), target_dir / PARSE_STATE
    if parsed.exists() and not kept.exists():
        target_dir.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(parsed, kept)
    return DbtCliResource(
        project_dir=str(folder),
        profiles_dir=str(DBT_PROJECT_DIR),
        dbt_executable=dbt.dbt_executable,
    )

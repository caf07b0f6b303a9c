"""The stack's floor: what Dagster + dagster-dbt + dbt-duckdb cost before any data.

    python -m bench.floor [WORK_DIR]

A minimal code location, generated in a temporary folder: a one-model dbt-duckdb project
(`select 1 as x`, materialised as a table) and one dagster-dbt @dbt_assets asset that runs
`dbt build` on it, materialised the way `interreg run` materialises
(pipelines/cli.py: job.execute_in_process on an ephemeral DagsterInstance, in a fresh
Python process). Its manifest is parsed once beforehand and one untimed run warms the
caches, as the pipeline's dbt keeps its parse state between runs; then the fastest of
`tries` runs (each on a new DuckDB file) is the floor. Nothing the pipeline does can
cost less than this, whatever the export's size: the fixed-cost target is
"pipeline at scale 1 - baseline at scale 1 <= floor + 3 s".
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from bench import measure

PYTHON = Path(sys.executable)

PROJECT = """name: floor
version: "1.0.0"
config-version: 2
profile: floor
model-paths: ["models"]
flags:
  send_anonymous_usage_stats: false
"""
PROFILES = """floor:
  target: dev
  outputs:
    dev:
      type: duckdb
      path: "{{ env_var('FLOOR_DUCKDB_PATH') }}"
      threads: 1
      extensions: []
"""
MODEL = "{{ config(materialized='table') }}\nselect 1 as x\n"
LOCATION = '''"""One dagster-dbt asset over a one-model project, run as `interreg run` runs."""
import os
import sys
from pathlib import Path

from dagster import AssetExecutionContext, DagsterInstance, Definitions, define_asset_job
from dagster_dbt import DbtCliResource, dbt_assets

HERE = Path(__file__).parent
DBT = str(Path(sys.executable).with_name("dbt"))


@dbt_assets(manifest=HERE / "target" / "manifest.json")
def floor_models(context: AssetExecutionContext, dbt: DbtCliResource):
    yield from dbt.cli(["build"], context=context).stream()


defs = Definitions(
    assets=[floor_models],
    resources={"dbt": DbtCliResource(project_dir=str(HERE), profiles_dir=str(HERE),
                                     dbt_executable=DBT)},
    jobs=[define_asset_job("floor", selection="*")],
)

if __name__ == "__main__":
    job = defs.resolve_job_def("floor")
    with DagsterInstance.ephemeral() as instance:
        result = job.execute_in_process(instance=instance, raise_on_error=False)
    sys.exit(0 if result.success else 1)
'''


def generate(folder: Path) -> Path:
    """The project and the code location in `folder`, its manifest parsed; the script."""
    (folder / "models").mkdir(parents=True, exist_ok=True)
    (folder / "dbt_project.yml").write_text(PROJECT, encoding="utf-8")
    (folder / "profiles.yml").write_text(PROFILES, encoding="utf-8")
    (folder / "models" / "one.sql").write_text(MODEL, encoding="utf-8")
    (folder / "location.py").write_text(LOCATION, encoding="utf-8")
    parse = measure.run(
        [PYTHON.with_name("dbt"), "parse", "--quiet", "--profiles-dir", "."],
        cwd=folder,
        env=_env(folder),
    )
    if parse.returncode != 0:
        raise SystemExit("the floor's dbt parse failed")
    return folder / "location.py"


def _env(folder: Path) -> dict[str, str]:
    import os

    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("INTERREG_", "DAGSTER_", "DBT_"))
    }
    env["FLOOR_DUCKDB_PATH"] = str(folder / "floor.duckdb")
    return env


def stack_floor(work: Path, tries: int = 3) -> dict:
    """The fastest of `tries` materialisations (after one warm-up), wall and CPU seconds."""
    script = generate(work)
    runs = []
    for attempt in range(tries + 1):
        (work / "floor.duckdb").unlink(missing_ok=True)
        run = measure.run([PYTHON, script], cwd=work, env=_env(work), log=work / "floor.log")
        if run.returncode != 0:
            tail = (work / "floor.log").read_text(errors="replace")[-3000:]
            raise SystemExit(f"the floor's run failed:\n{tail}")
        if attempt:  # the first run warms the caches (and dbt's partial parse)
            runs.append(run)
    best = min(runs, key=lambda r: r.seconds)
    return {
        "seconds": round(best.seconds, 2),
        "cpu_seconds": round(best.cpu_seconds, 2),
        "peak_rss_mb": round(best.peak_rss_mb, 1),
        "tries": [round(r.seconds, 2) for r in runs],
    }


if __name__ == "__main__":
    if len(sys.argv) > 1:
        print(stack_floor(Path(sys.argv[1])))
    else:
        with tempfile.TemporaryDirectory(prefix="bench-floor-") as folder:
            print(stack_floor(Path(folder)))

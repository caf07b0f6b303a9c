"""The dbt project's own SQL, compiled once (untimed), for the baseline to run without dbt.

    python -m bench.plan OUT.json

The baseline must compute the marts with the same SQL as the pipeline, or "dbt against
plain DuckDB" compares two different queries. So the plan is dbt's compiled SQL, taken
from a `dbt compile` of dbt_project/ into a temporary target path:

* every model in dependency order, with its schema, name, materialisation (views stay
  views, tables stay tables) and, for a mart with an enforced contract, its declared
  column types (dbt creates such a table from the contract, then inserts the select);
* the seeds (the reference lists), with their CSV files and column types;
* the marts' column descriptions, which the exports' About sheets show.

dbt compile renders `load_relation(...)` against a database, so it runs on a scratch file
that holds the raw tables of the bundled sample (loaded by the baseline's own loaders):
the compiled SQL then reads raw_monitoring and raw_keep as the pipeline's does.
data_freshness and the audit staging view are left out: they describe the delivery (when
and from where the files came), which the baseline does not record.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from graphlib import TopologicalSorter
from pathlib import Path

import duckdb

from tools.compare_marts import DELIVERY_ONLY

REPO = Path(__file__).resolve().parent.parent
DBT_PROJECT = REPO / "dbt_project"
DBT = Path(sys.executable).with_name("dbt")
LEFT_OUT = DELIVERY_ONLY  # delivery, not data: see the module doc
LEFT_OUT_SOURCES = ("audit",)


def compile_manifest(database: Path, target: Path) -> dict:
    """`dbt compile` of the models and seeds, on `database`; the manifest it wrote."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("INTERREG_", "DBT_"))}
    env["INTERREG_DUCKDB_PATH"] = str(database)
    command = [DBT, "compile", "--quiet", "--profiles-dir", ".", "--target", "file"]
    command += ["--target-path", target]
    command += ["--log-path", Path(target) / "logs"]
    command += ["--select", "resource_type:model", "resource_type:seed", "--no-partial-parse"]
    done = subprocess.run(command, cwd=DBT_PROJECT, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"dbt compile failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return json.loads((Path(target) / "manifest.json").read_text(encoding="utf-8"))


def _left_out(node: dict, nodes: dict) -> bool:
    if node["name"] in LEFT_OUT:
        return True
    return any(
        dep.startswith("source.") and dep.split(".")[2] in LEFT_OUT_SOURCES
        for dep in node["depends_on"]["nodes"]
    )


def plan_from_manifest(manifest: dict) -> dict:
    """The seeds and models of `manifest` as the baseline runs them (see the module doc)."""
    nodes = manifest["nodes"]
    models = {k: n for k, n in nodes.items() if n["resource_type"] == "model"}
    kept = {k: n for k, n in models.items() if not _left_out(n, nodes)}
    order = TopologicalSorter(
        {k: [d for d in n["depends_on"]["nodes"] if d in kept] for k, n in kept.items()}
    ).static_order()
    seeds = [
        {
            "schema": n["schema"],
            "name": n["alias"] or n["name"],
            "path": str(Path(n["root_path"]) / n["original_file_path"]),
            "column_types": n["config"].get("column_types") or {},
        }
        for n in nodes.values()
        if n["resource_type"] == "seed"
    ]
    steps = []
    for key in order:
        node = kept[key]
        contract = node["config"].get("contract", {}).get("enforced", False)
        steps.append(
            {
                "schema": node["schema"],
                "name": node["alias"] or node["name"],
                "materialized": node["config"]["materialized"],
                "sql": node["compiled_code"],
                "columns": {c: v.get("data_type") for c, v in node["columns"].items()}
                if contract
                else None,
                "descriptions": {
                    c: " ".join(v.get("description", "").split())
                    for c, v in node["columns"].items()
                },
            }
        )
    return {"seeds": seeds, "models": steps}


def make_plan(out: Path) -> dict:
    """Compile on a scratch database holding the bundled sample's raw tables; write `out`."""
    from bench import baseline  # the loaders: the scratch raw tables are the baseline's own
    from pipelines.config import SAMPLE_KEEP_FILE, SAMPLE_MONITORING_DIR

    with tempfile.TemporaryDirectory(prefix="bench-plan-") as folder:
        scratch = Path(folder) / "scratch.duckdb"
        con = duckdb.connect(str(scratch))
        try:
            baseline.load_monitoring(con, SAMPLE_MONITORING_DIR)
            baseline.load_keep(con, [SAMPLE_KEEP_FILE])
        finally:
            con.close()
        plan = plan_from_manifest(compile_manifest(scratch, Path(folder) / "target"))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(plan, indent=1), encoding="utf-8")
    return plan


if __name__ == "__main__":
    make_plan(Path(sys.argv[1]))

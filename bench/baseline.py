"""The baseline: the pipeline's job done by plain DuckDB in one process, stage by stage.

    python -m bench.baseline EXPORT_DIR OUT.duckdb --plan PLAN.json [--keep FILE ...]
                             [--exports DIR] [--keep-reader calamine|stream]

Like with like: the same inputs, the same SQL, the same outputs, without Dagster, dbt,
validation, quarantine, audit or tests.

1. load: the monitoring CSV files, read by DuckDB typed as the contract types them
   (bench/baseline.sql), plus the manifest's row (raw_monitoring.export_manifest);
2. keep: the keep.eu workbooks into raw_keep (bench/baseline_keep.py: python-calamine,
   the pipeline's reader, or --keep-reader stream, the standard library);
3. transform: the seeds (reference lists) from their CSV files, then every dbt model's
   compiled SQL in dependency order (PLAN.json, written by bench/plan.py from a `dbt
   compile`): views as views, tables as tables, a contracted mart created with its
   declared column types and filled by an INSERT, as dbt-duckdb does;
4. exports: the pipeline's own writers (pipelines.warehouse.exports.write_exports: plain
   DuckDB COPY for Parquet and CSV, DuckDB-rendered rows for XLSX), into DIR.

The results page is the pipeline's alone and is not built here. Prints one JSON line:
seconds per stage and the rows read. The benchmark starts it as a child process, like
the pipeline, so both are measured alike from outside (wall time, peak memory); the
process's start-up (Python, imports) is the wall time minus the stages.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from bench.baseline_keep import load_keep

SQL_FILE = Path(__file__).with_name("baseline.sql")


def baseline_sql(export: Path) -> str:
    folder = str(Path(export).resolve()).replace("'", "''")
    return SQL_FILE.read_text(encoding="utf-8").replace("{export}", folder)


def load_monitoring(con: duckdb.DuckDBPyConnection, export: Path) -> int:
    """The export's CSV files and its manifest into raw_monitoring; returns the rows read."""
    con.execute(baseline_sql(export))
    # The manifest's row as the pipeline writes it (pipelines/sources/monitoring/assets.py,
    # _load_manifest), without importing Dagster into the baseline's start-up.
    manifest = json.loads((Path(export) / "manifest.json").read_text(encoding="utf-8-sig"))
    moment = datetime.fromisoformat(manifest["exported_at"].replace("Z", "+00:00"))
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    con.execute(
        "CREATE OR REPLACE TABLE raw_monitoring.export_manifest AS SELECT CAST(? AS VARCHAR)"
        " AS schema_version, CAST(? AS VARCHAR) AS programme_id, CAST(? AS TIMESTAMP)"
        " AS exported_at, CAST(? AS JSON) AS files",
        [manifest["schema_version"], manifest["programme_id"], moment,
         json.dumps(manifest["files"])],
    )  # fmt: skip
    return con.execute(
        "SELECT sum(estimated_size) FROM duckdb_tables()"
        " WHERE schema_name = 'raw_monitoring' AND table_name <> 'export_manifest'"
    ).fetchone()[0]


def load_seeds(con: duckdb.DuckDBPyConnection, seeds: list[dict]) -> None:
    for seed in seeds:
        con.execute(f'CREATE SCHEMA IF NOT EXISTS "{seed["schema"]}"')
        types = seed["column_types"]
        read = (
            f"read_csv('{seed['path']}', header = true, types = {json.dumps(types)})"
            if types
            else f"read_csv('{seed['path']}', header = true)"
        )
        con.execute(f'CREATE OR REPLACE TABLE "{seed["schema"]}"."{seed["name"]}" AS FROM {read}')


def run_model(con: duckdb.DuckDBPyConnection, model: dict) -> None:
    """One model as dbt-duckdb materialises it (view, table, or contracted table)."""
    relation = f'"{model["schema"]}"."{model["name"]}"'
    con.execute(f'CREATE SCHEMA IF NOT EXISTS "{model["schema"]}"')
    if model["materialized"] == "view":
        con.execute(f"CREATE OR REPLACE VIEW {relation} AS {model['sql']}")
    elif model["columns"]:  # an enforced contract: the declared types, then the rows
        columns = model["columns"]
        declared = ", ".join(f'"{name}" {data_type}' for name, data_type in columns.items())
        names = ", ".join(f'"{name}"' for name in columns)
        con.execute(f"CREATE OR REPLACE TABLE {relation} ({declared})")
        con.execute(f"INSERT INTO {relation} ({names}) SELECT {names} FROM ({model['sql']})")
    else:
        con.execute(f"CREATE OR REPLACE TABLE {relation} AS {model['sql']}")


def transform(con: duckdb.DuckDBPyConnection, plan: dict) -> dict[str, float]:
    """The seeds, then every model; seconds for the seeds, the views and the tables."""
    mark = time.perf_counter()
    load_seeds(con, plan["seeds"])
    spent = {"seeds": time.perf_counter() - mark, "views": 0.0, "tables": 0.0}
    for model in plan["models"]:
        mark = time.perf_counter()
        run_model(con, model)
        kind = "views" if model["materialized"] == "view" else "tables"
        spent[kind] += time.perf_counter() - mark
    return {k: round(v, 3) for k, v in spent.items()}


def exports(con: duckdb.DuckDBPyConnection, plan: dict, directory: Path) -> int:
    from pipelines.warehouse.exports import write_exports

    descriptions = {m["name"]: m["descriptions"] for m in plan["models"] if m["schema"] == "marts"}
    return len(write_exports(con, directory, descriptions))


def build(
    export: Path,
    database: Path | str,
    plan: dict,
    keep: list[Path] = (),
    exports_dir: Path | None = None,
    keep_reader: str = "calamine",
) -> dict:
    """Every stage into `database` (a path, or ":memory:"); seconds per stage."""
    seconds: dict[str, float] = {}
    con = duckdb.connect(str(database))
    try:
        mark = time.perf_counter()
        rows_read = load_monitoring(con, export)
        seconds["load"], mark = time.perf_counter() - mark, time.perf_counter()
        keep_rows = load_keep(con, list(keep), keep_reader)
        seconds["keep"], mark = time.perf_counter() - mark, time.perf_counter()
        parts = transform(con, plan)
        con.execute("CHECKPOINT")
        seconds["transform"], mark = time.perf_counter() - mark, time.perf_counter()
        files = exports(con, plan, exports_dir) if exports_dir else 0
        seconds["exports"] = time.perf_counter() - mark
    finally:
        con.close()
    return {
        "stages": {k: round(v, 3) for k, v in seconds.items()},
        "rows_read": int(rows_read or 0),
        "keep_rows": keep_rows,
        "export_files": files,
        "transform": parts,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("export", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--plan", type=Path, required=True, help="from python -m bench.plan")
    parser.add_argument("--keep", type=Path, nargs="*", default=[])
    parser.add_argument("--exports", type=Path)
    parser.add_argument("--keep-reader", choices=("calamine", "stream"), default="calamine")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    if args.out.exists():
        args.out.unlink()
    plan = json.loads(args.plan.read_text(encoding="utf-8"))
    figures = build(args.export, args.out, plan, args.keep, args.exports, args.keep_reader)
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Publishing: the last asset of a run, reached only when everything upstream passed."""

import time

import duckdb
from dagster import AssetExecutionContext, AssetKey, MaterializeResult, MetadataValue, asset

from pipelines.transform.assets import PUBLISHED_FRESHNESS, dbt_models
from pipelines.transform.docs import mart_column_descriptions
from pipelines.warehouse.audit import software_versions, write_runs
from pipelines.warehouse.exports import mart_tables, write_exports
from pipelines.warehouse.fingerprint import forced, published_fingerprint, run_fingerprint
from pipelines.warehouse.load import quote
from pipelines.warehouse.resource import WarehouseResource
from pipelines.warehouse.store import STORAGE_VERSION, utc_now
from pipelines.warehouse.summary import headline_markdown

PUBLISHED_KEY = AssetKey(["warehouse", "published"])


@asset(
    key=PUBLISHED_KEY,
    group_name="publish",
    kinds={"duckdb", "parquet"},
    deps=[dbt_models],
    freshness_policy=PUBLISHED_FRESHNESS,
    description="interreg.duckdb and its exports (Parquet per mart; policy changes, projects, "
    "partners, good practices, regional coverage, country results and the headline series as "
    "CSV and XLSX), published by atomic renames once every check passed.",
)
def published_warehouse(context: AssetExecutionContext, warehouse: WarehouseResource):
    started = time.monotonic()
    store = warehouse.store
    build = store.start_build(context.run.run_id)
    con = duckdb.connect(str(build))
    try:
        fingerprint = run_fingerprint(con, build)
        if not forced(context.run.tags) and fingerprint == published_fingerprint(con):
            return unchanged(context, warehouse, con, fingerprint)
        exports = write_exports(
            con, store.build_exports_dir(context.run.run_id), mart_column_descriptions()
        )
        files = (
            con.execute(
                "SELECT source, file, sha256, rows_read, rows_loaded, rows_rejected"
                " FROM audit.loaded_files ORDER BY source, file"
            )
            .df()
            .to_dict("records")
        )
        record = {
            "run_id": context.run.run_id,
            "started_at": warehouse.started_at,
            "status": "success",
            "files": files,
            "rows_rejected": int(sum(f["rows_rejected"] for f in files)),
            "stage_seconds": stage_seconds(context)
            | {"publish": round(time.monotonic() - started, 3)},
            "storage_version": STORAGE_VERSION,
            "fingerprint": fingerprint,
            **software_versions(),
        }
        record["finished_at"] = utc_now().isoformat()
        write_runs(con, [*store.run_records(), record])
        headline = headline_markdown(con)
        mart_rows = {
            table: con.execute(f"SELECT count(*) FROM marts.{quote(table)}").fetchone()[0]
            for table in mart_tables(con)
        }
    finally:
        con.close()
    path = store.publish(context.run.run_id)
    store.record_run(record)
    return MaterializeResult(
        metadata={
            "path": str(path),
            "exports": ", ".join(p.name for p in exports),
            "headline": MetadataValue.md(headline),
            "stage_seconds": record["stage_seconds"],
            "mart_rows": mart_rows,
        }
    )


def unchanged(
    context: AssetExecutionContext,
    warehouse: WarehouseResource,
    con: duckdb.DuckDBPyConnection,
    fingerprint: str,
) -> MaterializeResult:
    """Nothing to publish: the run says so in runs.jsonl, and the published file stays."""
    warehouse.store.record_run(
        {
            "run_id": context.run.run_id,
            "started_at": warehouse.started_at,
            "finished_at": utc_now().isoformat(),
            "status": "unchanged",
            "fingerprint": fingerprint,
        }
    )
    return MaterializeResult(
        metadata={
            "path": str(warehouse.store.published_path),
            "unchanged": "same sources and code as the published build; not published again",
            "headline": MetadataValue.md(headline_markdown(con)),
        }
    )


def stage_seconds(context: AssetExecutionContext) -> dict[str, float]:
    """Wall time of every step of this run that has finished, from Dagster's own records."""
    return {
        stats.step_key: round(stats.end_time - stats.start_time, 3)
        for stats in context.instance.get_run_step_stats(context.run.run_id)
        if stats.start_time and stats.end_time
    }

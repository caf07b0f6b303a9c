"""Publishing: the last asset of a run, reached only when everything upstream passed."""

from dagster import AssetExecutionContext, AssetKey, MaterializeResult, MetadataValue, asset

from pipelines.transform.assets import dbt_models
from pipelines.warehouse.audit import write_runs
from pipelines.warehouse.resource import WarehouseResource
from pipelines.warehouse.store import utc_now
from pipelines.warehouse.summary import headline_markdown

PUBLISHED_KEY = AssetKey(["warehouse", "published"])


@asset(
    key=PUBLISHED_KEY,
    group_name="publish",
    kinds={"duckdb"},
    deps=[dbt_models],
    description="interreg.duckdb, replaced by an atomic rename once every check passed.",
)
def published_warehouse(context: AssetExecutionContext, warehouse: WarehouseResource):
    store = warehouse.store
    con = store.connect_build(context.run_id)
    try:
        files = (
            con.execute(
                "SELECT source, file, sha256, rows_read, rows_loaded, rows_rejected"
                " FROM audit.loaded_files ORDER BY source, file"
            )
            .df()
            .to_dict("records")
        )
        record = {
            "run_id": context.run_id,
            "started_at": warehouse.started_at,
            "finished_at": utc_now().isoformat(),
            "status": "success",
            "files": files,
            "rows_rejected": int(sum(f["rows_rejected"] for f in files)),
        }
        write_runs(con, [*store.run_records(), record])
        headline = headline_markdown(con)
    finally:
        con.close()
    path = store.publish(context.run_id)
    store.record_run(record)
    return MaterializeResult(metadata={"path": str(path), "headline": MetadataValue.md(headline)})

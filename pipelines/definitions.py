"""The Dagster code location: sources -> raw tables -> dbt models -> the published file."""

from __future__ import annotations

import os

from dagster import (
    AssetSelection,
    Definitions,
    EnvVar,
    define_asset_job,
    in_process_executor,
)
from dagster_dbt import DbtCliResource

from pipelines.config import Settings
from pipelines.ops.progress import progress_logger
from pipelines.sources.monitoring.assets import (
    MonitoringSource,
    monitoring_export,
    monitoring_raw_tables,
)
from pipelines.transform.assets import dbt_models
from pipelines.transform.project import dbt_project
from pipelines.warehouse.assets import published_warehouse
from pipelines.warehouse.resource import WarehouseResource

dbt_project.prepare_if_dev()
settings = Settings.from_env()

refresh_warehouse = define_asset_job(
    "refresh_warehouse",
    selection=AssetSelection.all(),
    description="Fetch every source, validate, load, build the models and publish.",
    # Loggers run only when the run config names them.
    config={"loggers": {"console": {}}},
)

defs = Definitions(
    assets=[monitoring_export, monitoring_raw_tables, dbt_models, published_warehouse],
    jobs=[refresh_warehouse],
    # One process per run: DuckDB has one writer, and the run holds the warehouse lock.
    executor=in_process_executor,
    loggers={"console": progress_logger},
    resources={
        "warehouse": WarehouseResource(directory=str(settings.warehouse_dir)),
        "monitoring": MonitoringSource(
            url=settings.monitoring_url,
            # An EnvVar, never the value: the UI shows resource config.
            token=EnvVar("INTERREG_MONITORING_TOKEN")
            if os.environ.get("INTERREG_MONITORING_TOKEN")
            else None,
            max_rejected_pct=settings.max_rejected_pct,
        ),
        "dbt": DbtCliResource(project_dir=dbt_project),
    },
)

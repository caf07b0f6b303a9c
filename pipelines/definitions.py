"""The Dagster code location: sources -> raw tables -> dbt models -> the published file."""

from __future__ import annotations

import os

from dagster import (
    Definitions,
    EnvVar,
    in_process_executor,
)

from pipelines.config import Settings
from pipelines.ops.automation import (
    keep_export_changed,
    monitoring_export_changed,
    refresh_warehouse,
    weekly_refresh,
)
from pipelines.ops.progress import progress_logger
from pipelines.postgres.assets import PostgresTarget, postgres_marts
from pipelines.publish.assets import published_warehouse
from pipelines.report.assets import results_page
from pipelines.sources.keep.assets import KeepSource, keep_export, keep_raw_tables
from pipelines.sources.monitoring.assets import (
    MonitoringSource,
    monitoring_export,
    monitoring_raw_tables,
)
from pipelines.transform.assets import dbt_models
from pipelines.transform.project import dbt_project, dbt_resource
from pipelines.warehouse.resource import WarehouseResource

dbt_project.prepare_if_dev()
settings = Settings.from_env()


defs = Definitions(
    assets=[
        monitoring_export,
        monitoring_raw_tables,
        keep_export,
        keep_raw_tables,
        dbt_models,
        published_warehouse,
        results_page,
        postgres_marts,
    ],
    jobs=[refresh_warehouse],
    schedules=[weekly_refresh],
    sensors=[monitoring_export_changed, keep_export_changed],
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
            read_timeout=settings.monitoring_read_timeout,
            total_budget=settings.monitoring_total_budget,
        ),
        "keep": KeepSource(
            files=[str(path) for path in settings.keep_files],
            url=settings.keep_url,
            programmes=list(settings.keep_programmes),
            max_rejected_pct=settings.keep_max_rejected_pct,
            max_bytes=settings.keep_max_bytes,
            max_unpacked_bytes=settings.keep_max_unpacked_bytes,
        ),
        "dbt": dbt_resource(),
        # An EnvVar too: the URL may hold the database password.
        "postgres": PostgresTarget(
            url=EnvVar("INTERREG_POSTGRES_URL") if settings.postgres_url else None
        ),
    },
)

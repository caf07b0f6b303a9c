"""The Dagster code location: sources -> raw tables -> dbt models -> the published file.

Nothing is read at import: Dagster calls `defs` when it loads the code location (the UI's
code server, the daemon, `dg check defs`), and `defs` reads the settings of that moment.
`interreg run` and the tests call `build_definitions` with their own settings.
"""

from __future__ import annotations

import os

from dagster import Definitions, EnvVar, definitions, in_process_executor

from pipelines.config import Settings
from pipelines.ops.automation import (
    keep_export_sensor,
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
from pipelines.transform.project import dbt_resource, refresh_manifest
from pipelines.warehouse.resource import WarehouseResource


def build_definitions(settings: Settings) -> Definitions:
    """The assets, the job, the schedule, the sensors and the resources of `settings`."""
    return Definitions(
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
        sensors=[monitoring_export_changed, keep_export_sensor(settings.keep_sensor_interval_s)],
        # One process per run: DuckDB has one writer, and the run holds the warehouse lock.
        executor=in_process_executor,
        loggers={"console": progress_logger},
        resources=resources(settings),
    )


def resources(settings: Settings) -> dict[str, object]:
    """Each resource configured from the validated settings. A secret (the token, the
    PostgreSQL URL) is given as an EnvVar: the UI shows resource config, never its value."""
    return {
        "warehouse": WarehouseResource(directory=str(settings.warehouse_dir)),
        "monitoring": MonitoringSource(
            url=settings.monitoring_url,
            token=secret(settings, "monitoring_token"),
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
        "postgres": PostgresTarget(url=secret(settings, "postgres_url")),
    }


def secret(settings: Settings, name: str) -> EnvVar | None:
    """The setting `name` as its environment variable, when it is set; else None."""
    return EnvVar(Settings.variable(name)) if getattr(settings, name) else None


@definitions
def defs() -> Definitions:
    """The code location as Dagster loads it, with the settings of its environment."""
    if os.environ.get("DAGSTER_IS_DEV_CLI"):  # `dagster dev`: the models as they are now
        refresh_manifest()
    return build_definitions(Settings.from_env())
